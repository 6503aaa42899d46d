"""The only way to load a session note: one its signed-in author wrote, of a couple they hold.

Another counselor's note, a note of a couple that is not the caller's and an id never issued all
give the same audited 404 (SECURITY.md Z3). Only the author reads a note; the admin's register
(practice/notes/views.py) reads rows' facts, never their words.
"""

import uuid

from flask_login import current_user
from sqlalchemy import select

from practice.couples.access import deny
from practice.couples.models import Couple
from practice.extensions import db
from practice.notes.models import NoteAddendum, NoteStatus, SessionNote
from practice.notes.services import NOTE


def own_note(couple_id: uuid.UUID, note_id: uuid.UUID) -> SessionNote:
    """A note of a couple the caller already holds, written by the caller, or 404."""
    note = db.session.get(SessionNote, note_id)
    if note is None or note.couple_id != couple_id or note.author_id != current_user.id:
        deny(NOTE, note_id, couple_id=couple_id)
    return note


def authored_note(note_id: uuid.UUID) -> SessionNote:
    """A note the caller wrote, of a couple still theirs, found by its id alone (the API), or 404."""
    note = db.session.execute(
        select(SessionNote).join(Couple, Couple.id == SessionNote.couple_id)
        .where(SessionNote.id == note_id, SessionNote.author_id == current_user.id,
               Couple.counselor_id == current_user.id)).scalar_one_or_none()
    if note is None:
        deny(NOTE, note_id)
    return note


def signed_notes(couple_id: uuid.UUID) -> list[SessionNote]:
    """The caller's signed notes of a couple they already hold, oldest session first (one statement)."""
    return list(db.session.scalars(
        select(SessionNote).where(SessionNote.couple_id == couple_id,
                                  SessionNote.author_id == current_user.id,
                                  SessionNote.status == NoteStatus.signed)
        .order_by(SessionNote.session_on, SessionNote.signed_at, SessionNote.id)))


def addenda_of(note_ids) -> dict[uuid.UUID, list[NoteAddendum]]:
    """The addenda of these notes, oldest first, by note id (one statement)."""
    found: dict[uuid.UUID, list[NoteAddendum]] = {note_id: [] for note_id in note_ids}
    if not found:
        return found
    for addendum in db.session.scalars(select(NoteAddendum).where(NoteAddendum.note_id.in_(list(found)))
                                       .order_by(NoteAddendum.signed_at, NoteAddendum.id)):
        found[addendum.note_id].append(addendum)
    return found
