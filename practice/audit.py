"""Append-only, hash-chained audit events, written in the same transaction as the change.

An event says who did what to which object, never what the client wrote.
"""

import hashlib
import json
import uuid
from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.auth.models import User
from practice.clock import utcnow
from practice.extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    """One audited action; ``hash`` covers the event and the previous event's hash."""

    #: Position in the chain, from 1 with no gaps.
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

    actor: Mapped[User | None] = relationship(lazy="joined")

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
    """The chain's last sequence number and hash; updating it serialises writers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)

    def __repr__(self) -> str:
        return f"<AuditHead {self.seq}>"


def record(action, *, obj=None, object_type="", object_id="", couple_id=None, outcome="ok",
           actor=None) -> AuditEvent:
    """Add an audit event to the current transaction; the caller's commit writes both."""
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = str(obj.id)
    actor = actor if actor is not None else _current_actor()
    head = _advance_head()
    event = AuditEvent(
        seq=head.seq,
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
        prev_hash=head.hash,
    )
    event.hash = event.digest()
    db.session.add(event)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=event.hash))
    return event


def _current_actor():
    """Return the signed-in user, or None."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _advance_head():
    """Take the chain's lock by bumping its head, and return the new seq and previous hash."""
    bump = (
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    )
    row = db.session.execute(bump).one_or_none()
    if row is None:
        db.session.execute(insert(AuditHead).values(id=1, seq=1, hash=GENESIS))
        row = db.session.execute(select(AuditHead.seq, AuditHead.hash)).one()
    return row


def verify() -> list[str]:
    """Walk the chain and return a description of every break; empty means intact."""
    problems = []
    expected_prev, expected_seq = GENESIS, 1
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if event.seq != expected_seq:
            problems.append(f"event {expected_seq} is missing (next is {event.seq})")
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.seq} does not follow the event before it")
        if event.digest() != event.hash:
            problems.append(f"event {event.seq} was changed after it was written")
        expected_prev, expected_seq = event.hash, event.seq + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        problems.append(f"the chain ends at event {expected_seq - 1} but should end at {head.seq}")
    return problems


def trail(couple_id, limit=200):
    """Return the newest audit events about one couple."""
    query = (
        select(AuditEvent).where(AuditEvent.couple_id == couple_id)
        .order_by(AuditEvent.seq.desc()).limit(limit)
    )
    return db.session.scalars(query).all()
