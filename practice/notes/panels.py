"""The session notes panel on the counselor's couple page: the latest notes and any draft to sign."""

from sqlalchemy import select

from practice.extensions import db
from practice.notes import formats
from practice.notes.models import NoteStatus, SessionNote

#: Notes the panel lists; the rest are on the couple's notes page.
SHOWN = 5


def couple_panel(couple, viewer, **kwargs) -> dict:
    """The viewer's latest notes of the couple (facts only, no words) and how many drafts wait."""
    notes = db.session.execute(
        select(SessionNote.id, SessionNote.session_on, SessionNote.format, SessionNote.status)
        .where(SessionNote.couple_id == couple.id, SessionNote.author_id == viewer.user_id)
        .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc())).all()
    known = formats.formats()
    rows = [{"id": note.id, "session_on": note.session_on, "signed": note.status == NoteStatus.signed,
             "format_title": known[note.format].title if note.format in known else note.format.upper()}
            for note in notes]
    return {"couple_id": couple.id, "archived": couple.archived, "notes": rows[:SHOWN], "total": len(rows),
            "drafts": sum(not row["signed"] for row in rows)}
