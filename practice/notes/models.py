"""Session notes and their addenda: encrypted, versioned while a draft, locked for good once signed.

A note's sections are one encrypted JSON value (``practice.crypto``, bound to the note's row), so
raw SQL shows none of the counselor's words. ``titles`` keeps the section titles the note was
written under, so a signed note always reads as it was signed even after the formats file changes.
``version`` is SQLAlchemy's version counter: a save made from an older version gets 409.

A signed note and an addendum never change: ``practice.notes.services`` refuses it, and a flush that
would change or delete one raises :class:`SignedNoteChanged` whatever code path tried it.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Integer, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from practice.auth.models import User
from practice.clock import utcnow
from practice.extensions import db

#: ``attended`` when both partners came (otherwise the id of the partner who came).
BOTH = "both"


class NoteStatus(enum.StrEnum):
    """Where a note stands: still being written, or signed and locked."""

    draft = "draft"
    signed = "signed"


class Modality(enum.StrEnum):
    """How the session was held."""

    in_person = "in_person"
    video = "video"
    phone = "phone"


class SignedNoteChanged(Exception):
    """Raised when anything tries to change or delete a signed note or an addendum."""


class SessionNote(db.Model):
    """A counselor's note of one session with a couple: a draft until signed, then locked."""

    __table_args__ = (Index("ix_session_note_couple", "couple_id", "session_on"),
                      Index("ix_session_note_author", "author_id", "session_on"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    couple_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    #: The key of its format in worksheets/note_formats.yaml (dap, soap, birp, free).
    format: Mapped[str] = mapped_column(String(20))
    session_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int | None] = mapped_column(Integer)
    #: ``both``, or the id of the one partner who came.
    attended: Mapped[str] = mapped_column(String(40), default=BOTH)
    modality: Mapped[Modality] = mapped_column(Enum(Modality, native_enum=False, length=20))
    #: ``[[key, title], ...]``: the sections as titled when the note was written.
    titles: Mapped[list] = mapped_column(JSON)
    #: ``{section key: text}`` as JSON, AES-GCM encrypted and bound to this row.
    sealed: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NoteStatus] = mapped_column(Enum(NoteStatus, native_enum=False, length=10),
                                               default=NoteStatus.draft)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None]
    #: SHA-256 of the signed content (practice.notes.signing), shown on the note and its PDF.
    content_hash: Mapped[str | None] = mapped_column(String(64))

    author: Mapped[User] = relationship(lazy="raise")
    addenda: Mapped[list["NoteAddendum"]] = relationship(
        back_populates="note", order_by="NoteAddendum.signed_at", lazy="raise", viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def signed(self) -> bool:
        """Whether the note is signed and locked."""
        return self.status == NoteStatus.signed

    def __repr__(self) -> str:
        return f"<SessionNote {self.id} {self.status}>"


class NoteAddendum(db.Model):
    """Words added to a signed note later, signed when written and never changed."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("session_note.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"))
    #: The addendum's text, AES-GCM encrypted and bound to this row.
    sealed: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    note: Mapped[SessionNote] = relationship(back_populates="addenda", lazy="raise")

    def __repr__(self) -> str:
        return f"<NoteAddendum {self.id}>"


def _was_signed(note: SessionNote) -> bool:
    """Whether the note was already signed when it was loaded (its committed status)."""
    history = inspect(note).attrs.status.history
    before = history.deleted[0] if history.deleted else note.status
    return before == NoteStatus.signed


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_signed(session: Session, flush_context, instances) -> None:
    """Refuse any flush that would change or delete a signed note or an addendum."""
    for row in session.dirty:
        if isinstance(row, SessionNote) and session.is_modified(row) and _was_signed(row):
            raise SignedNoteChanged(f"session note {row.id} is signed and cannot change")
        if isinstance(row, NoteAddendum) and session.is_modified(row):
            raise SignedNoteChanged(f"addendum {row.id} is signed and cannot change")
    for row in session.deleted:
        if isinstance(row, NoteAddendum) or (isinstance(row, SessionNote) and _was_signed(row)):
            raise SignedNoteChanged(f"{row!r} is signed and cannot be deleted")
