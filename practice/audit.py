"""Append-only, hash-chained audit events, committed in the same transaction as the change.

An event says who did what to which object, never what the client wrote.

``record()`` only queues an event on the session. The chain is sealed when the session commits:
one ``before_commit`` step flushes the change, bumps the chain's head by the number of queued
events (``UPDATE ... RETURNING``, which takes the head's row lock), numbers and hashes the events
and inserts them. The lock is therefore held from that step to COMMIT, never while a page renders
or a panel gathers its data, so one slow request does not make another counselor wait. A change
and its events still commit together or not at all (SECURITY.md D3), and the chain still has no
gaps (L3): events are numbered inside the transaction that writes them.
"""

import hashlib
import json
import uuid
from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from practice.clock import utcnow
from practice.extensions import db

GENESIS = "0" * 64
#: Key in ``Session.info`` under which events wait for the commit that seals them.
QUEUE = "audit_queue"


class AuditEvent(db.Model):
    """One audited action; ``hash`` covers the event and the previous event's hash."""

    #: Position in the chain, from 1 with no gaps; given when the transaction commits.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="")
    #: What happened, e.g. "couple.view", "invitation.accept", "access.denied".
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    couple_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    #: "ok", "denied" or "failed".
    outcome: Mapped[str] = mapped_column(String(12), default="ok")
    request_id: Mapped[str] = mapped_column(String(32), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    #: Named by string: the core knows the user table, not the auth package.
    actor = relationship("User", lazy="joined")

    def digest(self) -> str:
        """Return the SHA-256 of this event's fields and the previous hash."""
        fields = [
            self.seq, self.at.isoformat(), str(self.actor_id or ""), self.role, self.action,
            self.object_type, self.object_id, str(self.couple_id or ""), self.outcome,
            self.request_id, self.ip, self.prev_hash,
        ]
        return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.action}>"


class AuditHead(db.Model):
    """The chain's last sequence number and hash; updating it serialises the sealing step."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)

    def __repr__(self) -> str:
        return f"<AuditHead {self.seq}>"


def record(action, *, obj=None, object_type="", object_id="", couple_id=None, outcome="ok",
           actor=None) -> AuditEvent:
    """Queue an audit event on the current transaction; the caller's commit writes both."""
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = str(obj.id)
    actor = actor if actor is not None else _current_actor()
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        role=actor.role if actor else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        couple_id=couple_id,
        outcome=outcome,
        request_id=g.get("request_id", "") if has_request_context() else "",
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback that comes before any query still drops the event
    session.info.setdefault(QUEUE, []).append(event)
    return event


def pending() -> list[AuditEvent]:
    """Events recorded in the current transaction and not yet committed."""
    return list(db.session().info.get(QUEUE, ()))


def _current_actor():
    """Return the signed-in user, or None."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    """Number, hash and insert the queued events: the short step that takes the chain's lock."""
    queued = session.info.pop(QUEUE, None)
    if not queued:
        return
    session.flush()  # the change itself first, so the lock below is the transaction's last step
    last_seq, prev_hash = _advance_head(session, len(queued))
    for number, queued_event in enumerate(queued, start=last_seq - len(queued) + 1):
        queued_event.seq, queued_event.prev_hash = number, prev_hash
        queued_event.hash = prev_hash = queued_event.digest()
    session.add_all(queued)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev_hash))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """Drop queued events when their transaction ends without a commit (rollback or close)."""
    if transaction.parent is None:
        session.info.pop(QUEUE, None)


def _advance_head(session: Session, count: int) -> tuple[int, str]:
    """Bump the head by ``count`` (taking its row lock) and return the new last seq and old hash."""
    bump = (
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
    )
    row = session.execute(bump).one_or_none()
    if row is None:
        session.execute(insert(AuditHead).values(id=1, seq=count, hash=GENESIS))
        row = session.execute(select(AuditHead.seq, AuditHead.hash)).one()
    return row.seq, row.hash


def verify() -> list[str]:
    """Walk the chain and return a description of every break; empty means intact."""
    problems = []
    expected_prev, expected_seq = GENESIS, 1
    for event_ in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if event_.seq != expected_seq:
            problems.append(f"event {expected_seq} is missing (next is {event_.seq})")
        if event_.prev_hash != expected_prev:
            problems.append(f"event {event_.seq} does not follow the event before it")
        if event_.digest() != event_.hash:
            problems.append(f"event {event_.seq} was changed after it was written")
        expected_prev, expected_seq = event_.hash, event_.seq + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        problems.append(f"the chain ends at event {expected_seq - 1} but should end at {head.seq}")
    return problems
