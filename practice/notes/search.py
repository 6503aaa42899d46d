"""Searching a counselor's own notes by words: decrypted in memory, never indexed in plain text.

DESIGN.md ("Searching encrypted text"): no plain-text index of a note exists anywhere. A search
reads the counselor's notes of the couples still theirs (two statements: the notes, then their
addenda), decrypts each, and keeps those that hold every word typed. Words match whatever their
case or accents: "jose" finds "José", "OBRIEN" does not find "O'Brien" but "o'brien" does.
"""

import re
import unicodedata
import uuid

from sqlalchemy import select

from practice.couples.models import Couple
from practice.extensions import db
from practice.notes import services
from practice.notes.models import NoteAddendum, NoteStatus, SessionNote

#: A search shows at most this many notes, newest first.
MOST = 100
#: Characters of context either side of the first word found.
AROUND = 60


#: Combining marks (accents, diacritics) of the Latin, Greek and Cyrillic scripts, set aside when matching.
MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Text for matching: case and accents set aside, compatibility forms unified."""
    return _unaccented(text.casefold())


def _unaccented(lowered: str) -> str:
    """Casefolded text with its compatibility forms unified and its accents set aside."""
    return MARKS.sub("", unicodedata.normalize("NFKD", lowered))


def _holds(whole: str, words: list[str]) -> bool:
    """Whether ``whole`` holds every folded word; the full fold only when a cheaper look cannot tell."""
    lowered = whole.casefold()
    if all(word in lowered for word in words):
        return True
    if lowered.isascii():  # nothing to unify or set aside: the look above was the whole answer
        return False
    return all(word in _unaccented(lowered) for word in words)


def search(author_id: uuid.UUID, typed: str) -> dict:
    """The author's notes holding every typed word: ``{"notes": [...], "total": n, "shown": n}``."""
    words = [fold(word) for word in typed.split() if word.strip()]
    # Columns, not rows: a search reads every note of the caseload, and building objects costs most.
    rows = db.session.execute(
        select(SessionNote.id, SessionNote.couple_id, SessionNote.session_on, SessionNote.status,
               SessionNote.format, SessionNote.sealed, Couple.label)
        .join(Couple, Couple.id == SessionNote.couple_id)
        .where(SessionNote.author_id == author_id, Couple.counselor_id == author_id)
        .order_by(SessionNote.session_on.desc(), SessionNote.created_at.desc())).all()
    addenda: dict[uuid.UUID, list[str]] = {}
    for addendum_id, note_id, sealed in db.session.execute(
            select(NoteAddendum.id, NoteAddendum.note_id, NoteAddendum.sealed).join(SessionNote)
            .join(Couple, Couple.id == SessionNote.couple_id)
            .where(SessionNote.author_id == author_id, Couple.counselor_id == author_id)):
        addenda.setdefault(note_id, []).append(services.unseal_addendum(addendum_id, sealed))
    found = []
    for row in rows:
        whole = "\n".join([*services.unseal_sections(row.id, row.sealed).values(), *addenda.get(row.id, [])])
        if _holds(whole, words):
            found.append({"id": row.id, "couple_id": row.couple_id, "couple_label": row.label,
                          "session_on": row.session_on, "signed": row.status == NoteStatus.signed,
                          "format": row.format, "excerpt": excerpt(whole, words[0])})
    return {"notes": found[:MOST], "total": len(found), "shown": min(len(found), MOST),
            "searched": len(rows)}


def excerpt(whole: str, word: str) -> str:
    """A line of context around the first place ``word`` appears (folding keeps most offsets)."""
    flat = " ".join(whole.split())
    folded = fold(flat)
    at = folded.find(word) if len(folded) == len(flat) else -1
    if at < 0:
        return flat[: AROUND * 2] + ("…" if len(flat) > AROUND * 2 else "")
    start, end = max(0, at - AROUND), min(len(flat), at + len(word) + AROUND)
    if start:  # whole words at both ends
        start = flat.find(" ", start, at) + 1 or start
    if end < len(flat):
        cut = flat.rfind(" ", at + len(word), end)
        end = cut if cut > 0 else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
