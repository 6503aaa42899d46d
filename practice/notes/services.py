"""What a counselor does with session notes: start one, save the draft, sign it, add to it, find it.

A note's sections are sealed with ``practice.crypto`` as one JSON value bound to the note's row; an
addendum's words are sealed bound to the addendum's row. Every change is one audit event, filed
under the couple, and a note's history is read back from those events.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from flask import g
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from practice import audit, crypto, seams
from practice.audit import AuditEvent
from practice.clock import utcnow
from practice.extensions import db
from practice.notes import signing
from practice.notes.formats import NoteFormat
from practice.notes.models import NoteAddendum, NoteStatus, SessionNote

#: How a note and an addendum are named in audit events.
NOTE = "session_note"
ADDENDUM = "note_addendum"
#: What a note's history shows, from its audit events.
HISTORY = {"note.start": "Started", "note.save": "Draft saved", "note.sign": "Signed",
           "note.addendum": "Addendum signed"}


class NoteLocked(Exception):
    """The note is signed: nothing about it can change any more."""


class StaleNote(Exception):
    """A save was made from an older version of the draft than the one stored."""

    def __init__(self, note: SessionNote):
        self.note = note  # read it only after a rollback: the failed flush may have left it unusable
        super().__init__("the draft was saved from a newer version")


class NotConfirmed(Exception):
    """The password or code given to sign was not the author's."""


class NothingToSign(Exception):
    """Every section of the note is empty."""


# -- sealing ------------------------------------------------------------------------------------


def note_context(note: SessionNote) -> str:
    """What a note's sealed sections are bound to: its own row (as :func:`unseal_sections` rebuilds it)."""
    return f"{NOTE}:{note.id}:sections"


def addendum_context(addendum: NoteAddendum) -> str:
    """What an addendum's sealed words are bound to: its own row."""
    return f"{ADDENDUM}:{addendum.id}:body"


def sections_of(note: SessionNote) -> dict[str, str]:
    """A note's words by section key (decrypted; raises ``crypto.DecryptionError`` if tampered)."""
    return unseal_sections(note.id, note.sealed)


def unseal_sections(note_id: uuid.UUID, sealed: str) -> dict[str, str]:
    """The words sealed in a note's row, from its id and stored value (a search reads columns, not rows)."""
    return json.loads(crypto.decrypt(sealed, f"{NOTE}:{note_id}:sections")) if sealed else {}


def _seal(note: SessionNote, sections: dict[str, str]) -> None:
    """Encrypt a note's words into its row."""
    note.sealed = crypto.encrypt(json.dumps(sections, ensure_ascii=False, sort_keys=True), note_context(note))


def addendum_body(addendum: NoteAddendum) -> str:
    """An addendum's words (decrypted)."""
    return unseal_addendum(addendum.id, addendum.sealed)


def unseal_addendum(addendum_id: uuid.UUID, sealed: str) -> str:
    """The words sealed in an addendum's row, from its id and stored value."""
    return crypto.decrypt(sealed, f"{ADDENDUM}:{addendum_id}:body")


# -- writing ------------------------------------------------------------------------------------


def start(couple_id: uuid.UUID, author, note_format: NoteFormat, details: dict) -> SessionNote:
    """Begin a draft note of a session in ``note_format``, its sections empty."""
    note = SessionNote(id=uuid.uuid4(), couple_id=couple_id, author_id=author.id, format=note_format.key,
                       titles=[[s.key, s.title] for s in note_format.sections], **details)
    _seal(note, {})
    db.session.add(note)
    audit.record("note.start", obj=note, object_type=NOTE, couple_id=couple_id)
    return note


def _locked_for_writing(note: SessionNote) -> SessionNote:
    """The note's row again, locked until the transaction ends (on PostgreSQL), with what is stored now."""
    return db.session.execute(
        select(SessionNote).where(SessionNote.id == note.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()


def save_draft(note: SessionNote, version: int, details: dict | None = None,
               sections: dict[str, str] | None = None) -> bool:
    """Save a draft's details and words, made from ``version``; return whether anything changed.

    Raises :class:`NoteLocked` for a signed note and :class:`StaleNote` when the stored draft is
    newer than ``version`` (an older save never overwrites a newer one).
    """
    note = _locked_for_writing(note)
    if note.signed:
        raise NoteLocked(str(note.id))
    if version != note.version:
        raise StaleNote(note)
    stored = sections_of(note)
    keys = [key for key, _ in note.titles]
    words = {key: (sections or {}).get(key, stored.get(key, "")) for key in keys}
    changed = words != {key: stored.get(key, "") for key in keys}
    for name, value in (details or {}).items():
        if getattr(note, name) != value:
            setattr(note, name, value)
            changed = True
    if changed:
        _seal(note, words)
        note.updated_at = utcnow()
        audit.record("note.save", obj=note, object_type=NOTE, couple_id=note.couple_id)
        _flush_or_stale(note)
    return changed


def _flush_or_stale(note: SessionNote) -> None:
    """Write the note; a save that lost the race to another (SQLite takes no row lock) is stale."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StaleNote(note) from error


def sign(note: SessionNote, author, secret: str) -> None:
    """Sign a draft with the author's password or a code: its time and content hash are kept; it locks."""
    note = _locked_for_writing(note)
    if note.signed:
        raise NoteLocked(str(note.id))
    sections = sections_of(note)
    if not any(text.strip() for text in sections.values()):
        raise NothingToSign()  # before the code is checked, so a good code is not spent for nothing
    if not signing.confirm_identity(author, secret):
        audit.record("note.sign.refused", obj=note, object_type=NOTE, couple_id=note.couple_id,
                     outcome="denied")
        raise NotConfirmed()
    note.signed_at = utcnow().replace(microsecond=0)
    note.content_hash = signing.note_hash(note, sections, note.signed_at)
    note.status = NoteStatus.signed
    audit.record("note.sign", obj=note, object_type=NOTE, couple_id=note.couple_id)
    _flush_or_stale(note)


def add_addendum(note: SessionNote, author, body: str, secret: str) -> NoteAddendum:
    """Add signed words to a signed note (the author's password or a code signs them)."""
    if not note.signed:
        raise NoteLocked("a draft is changed, not added to")
    if not signing.confirm_identity(author, secret):
        audit.record("note.addendum.refused", obj=note, object_type=NOTE, couple_id=note.couple_id,
                     outcome="denied")
        raise NotConfirmed()
    # To the microsecond: addenda are listed in the order they were signed.
    addendum = NoteAddendum(id=uuid.uuid4(), note_id=note.id, author_id=author.id, signed_at=utcnow())
    addendum.sealed = crypto.encrypt(body, addendum_context(addendum))
    addendum.content_hash = signing.addendum_hash(addendum, body)
    db.session.add(addendum)
    audit.record("note.addendum", obj=note, object_type=NOTE, couple_id=note.couple_id)
    return addendum


def discard(note: SessionNote) -> None:
    """Delete a draft the counselor no longer wants (a signed note is never deleted)."""
    note = _locked_for_writing(note)
    if note.signed:
        raise NoteLocked(str(note.id))
    audit.record("note.discard", obj=note, object_type=NOTE, couple_id=note.couple_id)
    db.session.delete(note)


# -- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of a note's history: what happened, when first and last, how many times."""

    what: str
    first: datetime
    last: datetime
    times: int = 1


def history(note: SessionNote) -> list[Step]:
    """A note's history from its audit events, oldest first; a run of draft saves is one line."""
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.at).where(
            AuditEvent.couple_id == note.couple_id, AuditEvent.object_type == NOTE,
            AuditEvent.object_id == str(note.id), AuditEvent.action.in_(HISTORY),
            AuditEvent.outcome == "ok").order_by(AuditEvent.seq)).all()
    steps: list[Step] = []
    for action, at in rows:
        what = HISTORY[action]
        if steps and steps[-1].what == what == HISTORY["note.save"]:
            steps[-1] = Step(what, steps[-1].first, at, steps[-1].times + 1)
        else:
            steps.append(Step(what, at, at))
    return steps


def intact(note: SessionNote, sections: dict[str, str]) -> bool:
    """Whether a signed note's words still match the hash it was signed with."""
    return not note.signed or signing.note_hash(note, sections, note.signed_at) == note.content_hash


def addendum_intact(addendum: NoteAddendum, body: str) -> bool:
    """Whether an addendum's words still match the hash it was signed with."""
    return signing.addendum_hash(addendum, body) == addendum.content_hash


def facts_of(couple_id: uuid.UUID) -> list:
    """Every note of a couple as facts only (id, date, format, state, author), newest first.

    Read once per request: the couple page's panel and the ``last session`` provider (which the
    habits panel asks) share the one statement.
    """
    cache = g.setdefault("note_facts", {})
    if couple_id not in cache:
        cache[couple_id] = db.session.execute(
            select(SessionNote.id, SessionNote.session_on, SessionNote.format, SessionNote.status,
                   SessionNote.author_id).where(SessionNote.couple_id == couple_id)
            .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc())).all()
    return cache[couple_id]


def last_signed_session(couple, **kwargs) -> date | None:
    """The ``last session`` seam: the day of the couple's latest signed note, if any."""
    return next((row.session_on for row in facts_of(couple.id) if row.status == NoteStatus.signed), None)


def between_sessions(note: SessionNote, couple, viewer) -> str:
    """What happened since the last signed note before this one, as text to insert into the draft."""
    since = db.session.scalar(select(SessionNote.session_on).where(
        SessionNote.couple_id == note.couple_id, SessionNote.status == NoteStatus.signed,
        SessionNote.id != note.id, SessionNote.session_on <= note.session_on)
        .order_by(SessionNote.session_on.desc()).limit(1)) or note.session_on - seams.DEFAULT_SINCE
    lines = seams.between_sessions(couple, since, viewer)
    heading = f"Between sessions (since {since:%-d %B %Y}):"
    if not lines:
        return f"{heading} nothing was logged or submitted."
    return "\n".join([heading, *(f"- {line}" for line in lines)])
