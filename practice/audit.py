"""Append-only, hash-chained audit events, committed in the same transaction as the change.

An event says who did what to which object, never what the client wrote.

``record()`` queues the event on the caller's transaction; nothing is written or locked until the
commit. Then, as the last step before COMMIT, the events get their place in the chain
(``position``, from 1 with no gaps), the previous event's hash and their own, and commit with
the change they describe, or neither is stored (SECURITY.md D3). Only that step holds the chain's
head, never a page being rendered or a panel gathering its data, and nothing ever waits for it.

On PostgreSQL a transaction that finds the head held does not queue behind it (``FOR UPDATE
SKIP LOCKED``): it commits its change and events unsealed. Every transaction that wrote events
then looks once more, after its COMMIT, for committed events still unsealed (one lock-free
query) and seals them if the head is free (:func:`seal_waiting`); if the head is held, it stops.
That is enough: the holder it met took the head before this look and lets go after it, and
looks again itself after its own COMMIT, when everything committed before is visible to it. So
no event stays unsealed while anyone writes, no request waits on the chain, and ``audit verify``
proves it (L3). An event left unsealed because the database went away between the two steps is
sealed by the next writer or ``flask --app practice audit seal``; ``verify`` reports one left
over a minute.
"""

import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Identity, Index, String, bindparam, event, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from practice.clock import utcnow
from practice.extensions import db

GENESIS = "0" * 64
#: ``Session.info`` key: events recorded in this transaction, added to it when it commits.
QUEUE = "audit_queue"
#: ``Session.info`` flag: this transaction wrote events; after its COMMIT, seal any left waiting.
SEAL_AFTER_COMMIT = "audit_seal_after_commit"
#: Events sealed per sealing transaction.
BATCH = 500
#: An event still unsealed after this long is reported by :func:`verify`.
UNSEALED_FOR = timedelta(minutes=1)
log = logging.getLogger(__name__)


class AuditEvent(db.Model):
    """One audited action; once sealed, ``hash`` covers the event and the previous event's hash."""

    __table_args__ = (
        # A couple's trail: its newest events a page at a time, and who did what on it, read off
        # the index rather than every event of the couple.
        Index("ix_audit_event_couple_seq", "couple_id", "seq"),
        Index("ix_audit_event_couple_actor_action", "couple_id", "actor_id", "action"),
    )

    #: Insertion number: the order events were written in (may have gaps after a rollback).
    seq: Mapped[int] = mapped_column(Identity(), primary_key=True)
    #: Place in the chain, from 1 with no gaps; None until sealed.
    position: Mapped[int | None] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="")
    #: What happened, e.g. "couple.view", "invitation.accept", "access.denied".
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    couple_id: Mapped[uuid.UUID | None]
    #: "ok", "denied" or "failed".
    outcome: Mapped[str] = mapped_column(String(12), default="ok")
    request_id: Mapped[str] = mapped_column(String(32), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    #: Named by string: the core knows the user table, not the auth package.
    actor = relationship("User", lazy="joined")

    def digest(self) -> str:
        """Return the SHA-256 of this event's fields and the previous hash."""
        return digest_of(self)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.action}>"


def digest_of(row) -> str:
    """The SHA-256 of an event (an ORM object or a row) at its position, after ``prev_hash``."""
    fields = [
        row.position, row.at.isoformat(), str(row.actor_id or ""), row.role, row.action,
        row.object_type, row.object_id, str(row.couple_id or ""), row.outcome,
        row.request_id, row.ip, row.prev_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


class AuditHead(db.Model):
    """The chain's last position and hash; only a sealer updates it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The position of the last sealed event.
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)

    def __repr__(self) -> str:
        return f"<AuditHead {self.seq}>"


_EVENTS, _HEAD = AuditEvent.__table__, AuditHead.__table__
#: What an event is written with; ``seq`` comes from the database.
_EVENT_FIELDS = tuple(column.name for column in _EVENTS.columns if column.name != "seq")
#: The statements every audited request runs, built once per process.
_WRITE_EVENTS = insert(_EVENTS)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("b_seq"), hash=bindparam("b_hash"))
_WAITING = select(_EVENTS.c.seq).where(_EVENTS.c.position.is_(None)).exists()
#: PostgreSQL: one event written and the head moved to it, in one statement (a data-modifying WITH).
_WRITE_EVENT_MOVING_HEAD = (insert(_EVENTS).values({name: bindparam(name) for name in _EVENT_FIELDS})
                            .add_cte(_MOVE_HEAD.cte("moved_head")))
_TAKE_HEAD = select(_HEAD.c.seq, _HEAD.c.hash, _WAITING).where(_HEAD.c.id == 1)
_ANY_WAITING = select(_WAITING)
_TAKE_HEAD_NOW = _TAKE_HEAD.with_for_update(skip_locked=True, of=_HEAD)
_TAKE_HEAD_WAITING = _TAKE_HEAD.with_for_update(of=_HEAD)
#: SQLite: writing first takes the database's write lock, so what it returns is current.
_TAKE_HEAD_SQLITE = (update(_HEAD).where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq)
                     .returning(_HEAD.c.seq, _HEAD.c.hash, _WAITING))


def record(action, *, obj=None, object_type="", object_id="", couple_id=None, outcome="ok",
           actor=None) -> AuditEvent:
    """Add an audit event to the current transaction; the caller's commit writes both."""
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = str(obj.id)
    actor = actor if actor is not None else _current_actor()
    event_ = AuditEvent(
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
    # Queued, not added: an autoflush would insert it early, and on SQLite an insert takes the
    # database's write lock until the commit, so a slow page would hold up every other writer.
    session.info.setdefault(QUEUE, []).append(event_)
    return event_


@event.listens_for(Session, "before_commit")
def _add_queued(session: Session) -> None:
    """Commit the queued events with the change: sealed in the same step if the chain is free.

    The change is flushed first, so the chain is held only by the last statements before COMMIT.
    If another transaction holds the chain, the events are committed unsealed, without waiting.
    On PostgreSQL every writer looks for waiting events after its commit (:func:`_seal_after_commit`).
    """
    queued = session.info.pop(QUEUE, None)
    if not queued:
        return
    session.flush()
    conn = session.connection()
    head = _lock_head(conn)
    if conn.dialect.name == "postgresql":  # SQLite has one writer at a time: nothing is left waiting
        session.info[SEAL_AFTER_COMMIT] = True
    if head is not None:
        position, prev_hash, waiting = head
        if waiting:  # events committed while the chain was busy go first
            _, position, prev_hash = _seal_batch(conn, position, prev_hash)
        for event_ in queued:
            position += 1
            event_.position, event_.prev_hash = position, prev_hash
            event_.hash = prev_hash = event_.digest()
    # Written as rows, not through the unit of work: nothing reads these objects afterwards.
    rows = [{name: getattr(event_, name) for name in _EVENT_FIELDS} for event_ in queued]
    if head is None:
        conn.execute(_WRITE_EVENTS, rows)
    elif conn.dialect.name == "postgresql" and len(rows) == 1:
        # One round trip: the head moves in the statement that inserts the event it now ends at.
        conn.execute(_WRITE_EVENT_MOVING_HEAD, {**rows[0], "b_seq": position, "b_hash": prev_hash})
    else:
        conn.execute(_MOVE_HEAD, {"b_seq": position, "b_hash": prev_hash})
        conn.execute(_WRITE_EVENTS, rows)


def _current_actor():
    """Return the signed-in user, or None."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


@event.listens_for(Session, "after_commit")
def _seal_after_commit(session: Session) -> None:
    """This transaction wrote events: seal any left waiting, if the chain is free (never waits).

    Ours, if the chain was busy at our commit; or a writer's that met the chain held by us and
    left them to us, because we looked for waiting events before its commit.
    """
    if not session.info.pop(SEAL_AFTER_COMMIT, False):
        return
    try:
        seal_waiting(session.get_bind())
    except SQLAlchemyError:
        # Every change and its events are committed; the next commit or `audit seal` seals them.
        log.exception("Could not seal the audit chain now; it will be sealed by the next commit")


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """A transaction that ends without committing leaves nothing to add or seal."""
    if transaction.parent is None:
        session.info.pop(QUEUE, None)
        session.info.pop(SEAL_AFTER_COMMIT, None)


def seal(engine=None) -> int:
    """Give every committed unsealed event its position and hashes, in order; return how many.

    Waits for the chain's head if it is held (the ``audit seal`` and ``audit verify`` commands).
    Like every holder, it looks again after its commit (:func:`seal_waiting`).
    """
    engine = engine or db.engine
    with engine.begin() as conn:
        # After a wait the head's look at waiting events may be out of date: look again.
        position, prev_hash, _ = _lock_head(conn, wait=True)
        count, position, prev_hash = _seal_batch(conn, position, prev_hash)
        if count:
            conn.execute(_MOVE_HEAD, {"b_seq": position, "b_hash": prev_hash})
    return count + seal_waiting(engine)


def seal_waiting(engine=None) -> int:
    """Seal committed unsealed events if the chain's head is free, never waiting; return how many.

    One lock-free query when nothing waits. If the head is held, its holder looks again after
    its own commit, so the events are left to it.
    """
    engine = engine or db.engine
    total = 0
    while True:
        with engine.connect() as look:  # one round trip: no BEGIN and COMMIT around the look
            if not look.execution_options(isolation_level="AUTOCOMMIT").execute(_ANY_WAITING).scalar():
                return total
        with engine.begin() as conn:
            head = _lock_head(conn)
            if head is None:
                return total
            count, position, prev_hash = _seal_batch(conn, head[0], head[1])
            if count:
                conn.execute(_MOVE_HEAD, {"b_seq": position, "b_hash": prev_hash})
        total += count


def _seal_batch(conn, position: int, prev_hash: str) -> tuple[int, int, str]:
    """Seal up to BATCH committed unsealed events after ``position``; return how many, and the new end.

    The caller holds the chain's head and moves it to the returned position and hash.
    """
    table = AuditEvent.__table__
    rows = conn.execute(select(table).where(table.c.position.is_(None))
                        .order_by(table.c.seq).limit(BATCH)).all()
    sealed = []
    for row in rows:
        position += 1
        values = _Fields({**row._mapping, "position": position, "prev_hash": prev_hash})
        prev_hash = digest_of(values)
        sealed.append({"b_seq": row.seq, "b_position": position, "b_prev": values.prev_hash,
                       "b_hash": prev_hash})
    if sealed:
        conn.execute(
            update(table).where(table.c.seq == bindparam("b_seq"))
            .values(position=bindparam("b_position"), prev_hash=bindparam("b_prev"),
                    hash=bindparam("b_hash")),
            sealed,
        )
    return len(sealed), position, prev_hash


class _Fields:
    """A row's values as attributes, for :func:`digest_of`."""

    def __init__(self, values):
        self.__dict__.update(values)


def _lock_head(conn, wait: bool = False) -> tuple[int, str, bool] | None:
    """Lock the chain's head; return its position and hash, and whether committed events wait to be sealed.

    One statement takes the head and looks for waiting events. None if the head is held and not
    ``wait``. A transaction that waited for the head may have looked before the holder let go,
    so after a wait the answer to "waiting?" may be out of date (:func:`seal` looks again).
    """
    if conn.dialect.name == "postgresql":
        row = conn.execute(_TAKE_HEAD_WAITING if wait else _TAKE_HEAD_NOW).one_or_none()
        if row is not None:
            return tuple(row)
        if conn.execute(select(_HEAD.c.id)).first() is not None:
            return None
    else:
        row = conn.execute(_TAKE_HEAD_SQLITE).one_or_none()
        if row is not None:
            return tuple(row)
    conn.execute(insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
    return 0, GENESIS, True


def verify(now: datetime | None = None) -> list[str]:
    """Walk the sealed chain and return a description of every break; empty means intact.

    Events left unsealed for longer than ``UNSEALED_FOR`` count as a break too: nothing proves
    them until they are sealed (``flask --app practice audit seal``).
    """
    head = db.session.get(AuditHead, 1)
    last = head.seq if head is not None else 0
    problems = []
    expected_prev, expected = GENESIS, 1
    sealed = (select(AuditEvent).where(AuditEvent.position.is_not(None), AuditEvent.position <= last)
              .order_by(AuditEvent.position))
    for event_ in db.session.scalars(sealed):
        if event_.position != expected:
            problems.append(f"event {expected} is missing (next is {event_.position})")
        if event_.prev_hash != expected_prev:
            problems.append(f"event {event_.position} does not follow the event before it")
        if event_.digest() != event_.hash:
            problems.append(f"event {event_.position} was changed after it was written")
        expected_prev, expected = event_.hash, event_.position + 1
    if head is not None and (head.seq != expected - 1 or head.hash != expected_prev):
        problems.append(f"the chain ends at event {expected - 1} but should end at {head.seq}")
    stale = db.session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.position.is_(None), AuditEvent.at < (now or utcnow()) - UNSEALED_FOR))
    if stale:
        problems.append(f"{stale} event(s) written over {UNSEALED_FOR.seconds // 60} minute(s) ago "
                        "not sealed yet: run `flask --app practice audit seal`")
    return problems
