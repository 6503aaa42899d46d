"""Who may read which section of a worksheet entry, and what each section says about it: pure rules.

Every page, API response and PDF of an entry is built from :func:`sections_for`, so the screen, the
JSON and the printout can never disagree about what a reader sees (SECURITY.md Z4).

The rules (CONTENT.md §2 and §4):
- a per-partner section is read by its author; by the counselor once submitted; by the other
  partner once shared, or, with ``when_both``, once that partner has submitted the same section
  and shown it to the author too, so both are revealed at the same moment;
- a joint section is read and written by both partners and read by the counselor; it opens when
  both partners have finished the section it is ``locked_until``, and is held, for both partners
  alike and with the same neutral words, while either partner's safety answer asks for care;
- a ``filled_by: other_partner`` section answers the other partner's part, so it opens once their
  part is shared with the one who answers it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from practice.worksheets.models import JOINT, Visibility

#: What a part done together says while it is closed: one sentence whatever the reason (its lock,
#: a partner's safety answer, a safety question not yet answered), so it never tells a partner why
#: (CONTENT.md §4.3). The part's own help says when it usually opens.
HELD = "This part opens when you are both ready for it. Your counselor will go through it with you."
AWAITING_SHARE = "This part opens when {partner} shares their answers with you."

#: Who reads a section now, by its visibility (CONTENT.md §2's three levels, and the fourth way).
READERS_NOW = {
    Visibility.private: "Only you. It is a private draft.",
    Visibility.counselor: "You and your counselor.",
    Visibility.couple: "You, your counselor and {partner}.",
    Visibility.when_both: "You and your counselor; {partner} once they have answered this part too.",
}
READERS_LATER = {
    Visibility.private: "Your counselor reads it once you submit it; "
                        "{partner} only if you choose to share it.",
    Visibility.counselor: "{partner} only if you choose to share it.",
    Visibility.couple: "You can stop sharing it with {partner} at any time; what they have read stays read.",
    Visibility.when_both: "You can change this until {partner} answers.",
}
JOINT_READERS = "Both of you and your counselor. Each answer shows who wrote it."
#: What the counselor's choices mean, in the partner's words, for the sharing buttons.
CHOICES = {
    Visibility.counselor: "My counselor",
    Visibility.couple: "My counselor and my partner",
    Visibility.when_both: "Show my partner once they have answered too",
}


@dataclass(frozen=True)
class Reader:
    """Who is reading: the counselor (``partner_id`` None) or one partner."""

    role: str
    partner_id: uuid.UUID | None = None

    @property
    def counselor(self) -> bool:
        """Whether the reader is the couple's counselor."""
        return self.role == "counselor"


@dataclass(frozen=True)
class Response:
    """One stored response's plain facts, before any answer is decrypted."""

    section_key: str
    slot: str
    partner_id: uuid.UUID | None
    visibility: Visibility
    finished: bool
    version: int
    updated_at: datetime
    submitted_at: datetime | None = None
    shared_at: datetime | None = None


@dataclass(frozen=True)
class Shown:
    """One response as a reader may see it: the answers are filled in only where they may."""

    response: Response | None
    answers: dict = field(default_factory=dict)
    #: Joint sections: who wrote each answer (partner id as text) and when (ISO time).
    by: dict = field(default_factory=dict)
    at: dict = field(default_factory=dict)


def submitted(response: Response | None) -> bool:
    """Whether a per-partner response has reached the counselor."""
    return response is not None and response.visibility != Visibility.private


def partner_reads(author: Response, theirs: Response | None) -> bool:
    """Whether the other partner may read ``author``'s per-partner section (``theirs`` is their own)."""
    if author.visibility == Visibility.couple:
        return True
    return (author.visibility == Visibility.when_both and theirs is not None
            and theirs.visibility in (Visibility.couple, Visibility.when_both))


def may_read(response: Response, reader: Reader, responses: dict[tuple[str, str], Response]) -> bool:
    """Whether ``reader`` may read ``response``; ``responses`` holds the entry's, by (section, slot)."""
    if response.slot == JOINT:
        return True
    if reader.counselor:
        return response.visibility != Visibility.private
    if response.partner_id == reader.partner_id:
        return True
    theirs = responses.get((response.section_key, str(reader.partner_id)))
    return partner_reads(response, theirs)


@dataclass(frozen=True)
class SectionState:
    """Whether a partner may write a section now, and if not, the words that say why."""

    open: bool
    reason: str = ""


def joint_state(section, responses, partner_ids, held: bool) -> SectionState:
    """Whether a joint section is open: not held, and its ``locked_until`` finished by both partners.

    ``held`` is true while the worksheet's safety question waits for either partner's answer or an
    answer asked for care; a held part reads exactly as a locked one.
    """
    if held or len(partner_ids) < 2:
        return SectionState(False, HELD)
    if section.locked_until and not all(
            getattr(responses.get((section.locked_until, str(pid))), "finished", False)
            for pid in partner_ids):
        return SectionState(False, HELD)
    return SectionState(True)


def answering_state(definition, responses, other_id, reader_id, other_name: str) -> SectionState:
    """Whether a ``filled_by: other_partner`` section is open: the other partner's own part is shared."""
    theirs = [r for (key, slot), r in responses.items()
              if slot == str(other_id) and _authored(definition, key)]
    mine = {key: r for (key, slot), r in responses.items() if slot == str(reader_id)}
    if theirs and all(partner_reads(r, mine.get(r.section_key)) for r in theirs):
        return SectionState(True)
    return SectionState(False, AWAITING_SHARE.format(partner=other_name))


def _authored(definition, section_key: str) -> bool:
    """Whether a section is a per-partner section written by its author (not an answer to the other)."""
    section = definition.section(section_key)
    return section is not None and section.scope == "per_partner" and section.filled_by == "author"


def readers_now(visibility: Visibility, partner: str) -> str:
    """Who reads a per-partner section at this visibility, in the author's words."""
    return READERS_NOW[visibility].format(partner=partner)


def readers_later(visibility: Visibility, partner: str) -> str:
    """Who could read it later, said before anyone writes (nobody learns it after the fact)."""
    return READERS_LATER[visibility].format(partner=partner)
