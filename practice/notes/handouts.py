"""Session notes as PDFs: one note, or every signed note of a couple for a records request.

Both are built from :func:`practice.notes.reading.note_view`, the same plain data as the note's
page, and rendered through :func:`practice.pdf.render` (tagged PDF/UA, the allow-list fetcher, the
time limit). Only the author reads a note (``access.own_note``), so only the author prints one; a
partner's portal, PDFs and exports never carry a note (SECURITY.md Z2). Every page is marked
"Confidential: psychotherapy notes", and a draft "Draft — not signed".

``pdf.render`` keeps rendered PDFs in its cache keyed by an HMAC of the HTML, sealed with
``crypto.py``; a repeated download of an unchanged note is served from it, after the same checks as
a fresh one. Nothing here keeps a copy of its own.
"""

import uuid
from datetime import UTC, date, datetime

from flask import Blueprint, Flask, current_app
from flask_login import current_user

from practice import audit, pages, pdf
from practice.auth.guards import role_required
from practice.clock import utcnow
from practice.couples import access as couples_access
from practice.couples.summaries import summarise
from practice.notes import access, reading
from practice.notes.services import NOTE

bp = Blueprint("note_pdfs", __name__)

#: The practice's name on a records copy when the instance sets none.
DEFAULT_PRACTICE_NAME = "SecureBase practice"


def day_text(day: date | None) -> str:
    """A date as a records copy writes it: "3 March 2026"."""
    return f"{day.day} {day:%B %Y}" if day else ""


def time_text(moment: datetime | None) -> str:
    """A stored time in UTC, in words as the note's page writes it: "3 March 2026 at 14:05 UTC"."""
    if moment is None:
        return ""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{day_text(moment.date())} at {moment:%H:%M} UTC"


def printable(view: dict) -> dict:
    """A note_view with its dates and times in words, as the PDF prints them."""
    return {**view, "session_text": day_text(view["session_on"]), "signed_text": time_text(view["signed_at"]),
            "addenda": [{**a, "signed_text": time_text(a["signed_at"])} for a in view["addenda"]]}


def practice_name() -> str:
    """The practice's name for a records copy (``PRACTICE_NAME``), or a neutral default."""
    return current_app.config.get("PRACTICE_NAME") or DEFAULT_PRACTICE_NAME


def _common(couple) -> dict:
    """What every note PDF prints about who made it and when."""
    return {"practice": practice_name(), "counselor": couple.counselor_name, "couple_label": couple.label,
            "generated_text": time_text(utcnow())}


@bp.get("/couples/<uuid:couple_id>/notes/<uuid:note_id>.pdf")
@role_required("counselor")
def note_pdf(couple_id: uuid.UUID, note_id: uuid.UUID):
    """One note as a PDF, its addenda after it; a draft prints too, marked as not signed."""
    couple = summarise(couples_access.counselor_couple(couple_id), current_user.display_name)
    note = access.own_note(couple.id, note_id)
    view = printable(reading.note_view(note, couple, access.addenda_of([note.id])[note.id]))
    state = "" if view["signed"] else "-draft"
    answer = pdf.download("note.html", {**_common(couple), "records": False, "notes": [view]},
                          f"session-note-{view['session_on'].isoformat()}{state}.pdf")
    audit.record("note.pdf", obj=note, object_type=NOTE, couple_id=couple.id)
    pages.commit_keeping_rows()
    return answer


@bp.get("/couples/<uuid:couple_id>/notes/all.pdf")
@role_required("counselor")
def all_notes_pdf(couple_id: uuid.UUID):
    """Every signed note the caller wrote for the couple, oldest first, with addenda: a records copy."""
    couple = summarise(couples_access.counselor_couple(couple_id), current_user.display_name)
    notes = access.signed_notes(couple.id)
    addenda = access.addenda_of([note.id for note in notes])
    views = [printable(reading.note_view(note, couple, addenda[note.id])) for note in notes]
    first, last = (views[0]["session_on"], views[-1]["session_on"]) if views else (None, None)
    answer = pdf.download("note.html", {**_common(couple), "records": True, "notes": views,
                                        "first_text": day_text(first), "last_text": day_text(last),
                                        "addenda_count": sum(len(v["addenda"]) for v in views)},
                          f"session-notes-{utcnow().date().isoformat()}.pdf")
    audit.record("notes.pdf", object_type="couple", object_id=str(couple.id), couple_id=couple.id)
    pages.commit_keeping_rows()
    return answer


def init_app(app: Flask) -> None:
    """Add the note PDF downloads."""
    app.register_blueprint(bp)
