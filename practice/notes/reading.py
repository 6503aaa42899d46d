"""A session note as plain data, for its page, the API and its PDF: read by its author alone.

``note_view`` decrypts the note and its addenda, checks each against the hash it was signed with,
and names the session's details in the counselor's words. Nothing here is an ORM row, so a
template cannot reach past what it was given.
"""

from practice.notes import formats, services
from practice.notes.models import BOTH, Modality, SessionNote
from practice.notes.schemas import MODALITIES


def attended_text(note: SessionNote, couple) -> str:
    """Who came, in words: "Both partners" or the one partner's name."""
    if note.attended == BOTH:
        return "Both partners"
    partner = next((p for p in couple.partners if str(p.id) == note.attended), None)
    return f"{partner.name} alone" if partner else "One partner"


def note_view(note: SessionNote, couple, addenda=(), *, history: bool = False) -> dict:
    """One note as plain data: details, sections (with prompts while a draft), signature, addenda."""
    words = services.sections_of(note)
    current = formats.formats().get(note.format)
    sections = []
    for key, title in note.titles:
        section = current.section(key) if current else None
        sections.append({"key": key, "title": title, "text": words.get(key, ""),
                         "prompt": section.prompt if section and not note.signed else ""})
    shown = []
    for addendum in addenda:
        body = services.addendum_body(addendum)
        shown.append({"id": addendum.id, "body": body, "signed_at": addendum.signed_at,
                      "content_hash": addendum.content_hash,
                      "intact": services.addendum_intact(addendum, body)})
    return {
        "id": note.id, "couple_id": note.couple_id, "couple_label": couple.label,
        "format": note.format, "format_title": current.title if current else note.format.upper(),
        "session_on": note.session_on, "minutes": note.minutes, "attended": note.attended,
        "attended_text": attended_text(note, couple), "modality": note.modality.value,
        "modality_text": MODALITIES[Modality(note.modality)], "sections": sections,
        "status": note.status.value, "signed": note.signed, "signed_at": note.signed_at,
        "content_hash": note.content_hash or "", "intact": services.intact(note, words),
        "version": note.version, "created_at": note.created_at, "updated_at": note.updated_at,
        "author_name": couple.counselor_name, "addenda": shown,
        "history": services.history(note) if history else [],
    }


def preview(note: SessionNote, limit: int = 140) -> str:
    """The start of a note's words, for a list or a search result."""
    words = services.sections_of(note)
    text = " ".join(" ".join(words.get(key, "").split()) for key, _ in note.titles).strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
