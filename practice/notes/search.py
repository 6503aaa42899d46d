"""Searching a counselor's own notes by words: decrypted in memory, never indexed in plain text.

DESIGN.md ("Searching encrypted text"): no plain-text index of a note exists anywhere. A search
reads the counselor's notes of the couples still theirs (two statements: the notes, then their
addenda), decrypts each, and keeps those that hold every word typed. Words match whatever their
case or accents: "jose" finds "José", "OBRIEN" does not find "O'Brien" but "o'brien" does.
"""

import unicodedata
import uuid

from sqlalchemy import select

from practice.couples.models import Couple
from practice.extensions import db
from practice.notes import services
from practice.notes.models import NoteAddendum, SessionNote

#: A search shows at most this many notes, newest first.
MOST = 100
#: Characters of context either side of the first word found.
AROUND = 60


def fold(text: str) -> str:
    """Text for matching: case and accents set aside, compatibility forms unified."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search(author_id: uuid.UUID, typed: str) -> dict:
    """The author's notes holding every typed word: ``{"notes": [...], "total": n, "shown": n}``."""
    words = [fold(word) for word in typed.split() if word.strip()]
    rows = db.session.execute(
        select(SessionNote, Couple.label).join(Couple, Couple.id == SessionNote.couple_id)
        .where(SessionNote.author_id == author_id, Couple.counselor_id == author_id)
        .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc())).all()
    addenda: dict[uuid.UUID, list[str]] = {}
    for addendum in db.session.scalars(select(NoteAddendum).join(SessionNote).join(
            Couple, Couple.id == SessionNote.couple_id).where(
            SessionNote.author_id == author_id, Couple.counselor_id == author_id)):
        addenda.setdefault(addendum.note_id, []).append(services.addendum_body(addendum))
    found = []
    for note, label in rows:
        sections = services.sections_of(note)
        texts = [sections.get(key, "") for key, _ in note.titles] + addenda.get(note.id, [])
        whole = "\n".join(texts)
        folded = fold(whole)
        if all(word in folded for word in words):
            found.append({"id": note.id, "couple_id": note.couple_id, "couple_label": label,
                          "session_on": note.session_on, "signed": note.signed, "format": note.format,
                          "excerpt": excerpt(whole, folded, words[0])})
    return {"notes": found[:MOST], "total": len(found), "shown": min(len(found), MOST),
            "searched": len(rows)}


def excerpt(whole: str, folded: str, word: str) -> str:
    """A line of context around the first place ``word`` appears (folding keeps most offsets)."""
    flat = " ".join(whole.split())
    at = fold(flat).find(word) if len(fold(flat)) == len(flat) else -1
    if at < 0:
        return flat[: AROUND * 2] + ("…" if len(flat) > AROUND * 2 else "")
    start, end = max(0, at - AROUND), min(len(flat), at + len(word) + AROUND)
    if start:  # whole words at both ends
        start = flat.find(" ", start, at) + 1 or start
    if end < len(flat):
        cut = flat.rfind(" ", at + len(word), end)
        end = cut if cut > 0 else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
