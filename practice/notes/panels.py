"""The session notes panel on the counselor's couple page: the latest notes and any draft to sign."""

from practice.notes import formats, services
from practice.notes.models import NoteStatus

#: Notes the panel lists; the rest are on the couple's notes page.
SHOWN = 5


def couple_panel(couple, viewer, **kwargs) -> dict:
    """The viewer's latest notes of the couple (facts only, no words) and how many drafts wait."""
    notes = [row for row in services.facts_of(couple.id) if row.author_id == viewer.user_id]
    known = formats.formats()
    rows = [{"id": note.id, "session_on": note.session_on, "signed": note.status == NoteStatus.signed,
             "format_title": known[note.format].title if note.format in known else note.format.upper()}
            for note in notes]
    return {"couple_id": couple.id, "archived": couple.archived, "notes": rows[:SHOWN], "total": len(rows),
            "drafts": sum(not row["signed"] for row in rows)}
