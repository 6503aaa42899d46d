"""Worksheets a counselor assigns, each filling of one, every section's answers, comments and safety checks.

Answers, comments and acknowledgement notes are encrypted (practice.crypto), bound to their row.
A per-partner section's ``visibility`` is the one word for where it stands (CONTENT.md §2):
``private`` (a draft, its author only), ``counselor`` (submitted), ``couple`` (shared with the
partner too) or ``when_both`` (submitted, and shown to the partner once they have answered too).
A joint section is read by both partners and the counselor; each answer in it says who wrote it.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.clock import utcnow
from practice.couples.models import Couple
from practice.extensions import db

#: The ``slot`` of a joint section's one response (a per-partner response's slot is its partner's id).
JOINT = "joint"


class Visibility(enum.StrEnum):
    """Who besides its author may read a per-partner section."""

    private = "private"
    counselor = "counselor"
    couple = "couple"
    when_both = "when_both"


class WorksheetDefinition(db.Model):
    """One version of a worksheet definition as it was assigned, kept so old answers always load."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    #: SHA-256 of the definition's canonical JSON: an edited file without a new version is a new row.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WorksheetDefinition {self.key} v{self.version}>"


class WorksheetAssignment(db.Model):
    """A worksheet a counselor gave a couple: once, with a due date, or open for many entries."""

    __table_args__ = (Index("ix_worksheet_assignment_couple", "couple_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    couple_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"))
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("worksheet_definition.id"))
    #: The worksheet's key, kept beside the definition for lists that need no definition.
    key: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date | None] = mapped_column(Date)
    #: The counselor's own words to the couple, shown above the worksheet.
    note: Mapped[str] = mapped_column(Text, default="")
    #: Open for many entries (the reassurance log) rather than filled once.
    repeatable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the counselor takes it back; its entries stay readable.
    closed_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship()
    definition: Mapped[WorksheetDefinition] = relationship(lazy="joined")
    entries: Mapped[list["WorksheetEntry"]] = relationship(
        back_populates="assignment", order_by="WorksheetEntry.started_at", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<WorksheetAssignment {self.key} {self.id}>"


class WorksheetEntry(db.Model):
    """One filling of an assignment: the only one of a worksheet given once, or one of a log's many."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("worksheet_assignment.id", ondelete="CASCADE"), index=True)
    #: The partner a repeatable per-partner entry belongs to (a reassurance log entry); None when shared.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))

    assignment: Mapped[WorksheetAssignment] = relationship(back_populates="entries")
    responses: Mapped[list["WorksheetResponse"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan")
    #: Read with the entry in one statement by practice.worksheets.access (a page never lazy-loads them).
    checks: Mapped[list["SafetyCheck"]] = relationship(order_by="SafetyCheck.answered_at", viewonly=True)
    comments: Mapped[list["WorksheetComment"]] = relationship(order_by="WorksheetComment.created_at",
                                                              viewonly=True)

    def __repr__(self) -> str:
        return f"<WorksheetEntry {self.id}>"


class WorksheetResponse(db.Model):
    """One section's answers in an entry: a partner's own, or the couple's for a joint section."""

    __table_args__ = (UniqueConstraint("entry_id", "section_key", "slot"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("worksheet_entry.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    #: The author's partner id as text, or ``JOINT``: one response per section and author.
    slot: Mapped[str] = mapped_column(String(36))
    #: The author of a per-partner section; None for a joint one.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    #: ``{"answers": {...}, "by": {field: partner id}, "at": {field: iso time}}``, encrypted.
    sealed: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=16),
                                                   default=Visibility.private)
    #: Every required answer that is shown is given (what ``locked_until`` waits for).
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Counts saves: a save made from an older version is refused with the current text (409).
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    shared_at: Mapped[datetime | None]

    entry: Mapped[WorksheetEntry] = relationship(back_populates="responses")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<WorksheetResponse {self.section_key} {self.slot}>"


class WorksheetComment(db.Model):
    """The counselor's words back on an entry, to the couple or to one partner; encrypted."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("worksheet_entry.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    #: The partner it is for, or None for both.
    to_partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WorksheetComment {self.id}>"


class SafetyCheck(db.Model):
    """A partner's private answer to the safety question before a worksheet; never shown to the other.

    ``concern`` is the flag the counselor sees until they acknowledge it with a note (CONTENT.md §4.3).
    """

    __table_args__ = (UniqueConstraint("entry_id", "partner_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("worksheet_entry.id", ondelete="CASCADE"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    couple_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    concern: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    #: The counselor's acknowledgement note, encrypted.
    note_sealed: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<SafetyCheck {self.id}>"
