"""Habits a counselor assigns a couple, the history of every change, and the partners' logs.

A log's done, count and minutes are seen by the partner who wrote it, the other partner and the
counselor. Its feeling word and note are encrypted and private to their author until shared:
``sharing`` says with whom ("private", "counselor" or "couple"), per log.
"""

import enum
import uuid
from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.auth.models import User
from practice.clock import utcnow
from practice.couples.models import Couple, Partner
from practice.extensions import db
from practice.homework.frequency import Frequency


class HabitStatus(enum.StrEnum):
    """Where an assigned habit stands."""

    active = "active"
    paused = "paused"
    ended = "ended"


class Sharing(enum.StrEnum):
    """Who may read a log's feeling word and note besides its author."""

    private = "private"
    counselor = "counselor"
    couple = "couple"


class HabitAssignment(db.Model):
    """A habit a counselor asked a couple (or one partner) to practise, and how often."""

    __table_args__ = (Index("ix_habit_assignment_couple_status", "couple_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    couple_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"))
    #: The catalogue habit's key (worksheets/habits.yaml), or None for the counselor's own habit.
    catalogue_key: Mapped[str | None] = mapped_column(String(64))
    #: The counselor's own title for a custom habit; a catalogue habit shows the catalogue's title.
    title: Mapped[str] = mapped_column(String(120), default="")
    #: The partner it is for, or None when it is for both partners.
    partner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target_min: Mapped[int | None]
    target_max: Mapped[int | None]
    #: Weeks in each window of an every_n_weeks habit.
    every_weeks: Mapped[int | None]
    #: How long one practice takes, when the habit has a length (the 10-minute check-in).
    minutes: Mapped[int | None]
    #: Which of done, count, minutes, feeling and note a log asks for, comma-separated.
    log_fields: Mapped[str] = mapped_column(String(64))
    #: In the couple's own days (their time zone).
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: The counselor's own words to the partners it is for.
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[HabitStatus] = mapped_column(Enum(HabitStatus, native_enum=False, length=16),
                                                default=HabitStatus.active)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    couple: Mapped[Couple] = relationship()
    partner: Mapped[Partner | None] = relationship()
    changes: Mapped[list["HabitChange"]] = relationship(
        back_populates="assignment", order_by="HabitChange.at", cascade="all, delete-orphan")

    @property
    def frequency(self) -> Frequency:
        """The habit's target as the shared type."""
        return Frequency(self.kind, self.target_min, self.target_max, self.every_weeks, self.minutes)

    @frequency.setter
    def frequency(self, value: Frequency) -> None:
        self.kind, self.target_min, self.target_max = value.kind, value.min, value.max
        self.every_weeks, self.minutes = value.n, value.minutes

    def __repr__(self) -> str:
        return f"<HabitAssignment {self.id}>"


class HabitChange(db.Model):
    """One change to an assigned habit, kept forever: assigned, paused, resumed, changed, ended."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("habit_assignment.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The couple's day the change takes effect on (a pause from this day, an end after it).
    effective_on: Mapped[date] = mapped_column(Date)
    by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    #: assigned, paused, resumed, target, instructions, ended
    what: Mapped[str] = mapped_column(String(16))
    #: What it became, as the counselor reads it ("3-5 a day", the new end date).
    detail: Mapped[str] = mapped_column(String(300), default="")

    assignment: Mapped[HabitAssignment] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<HabitChange {self.what} {self.assignment_id}>"


class HabitLog(db.Model):
    """A partner's entry for one habit on one of the couple's days."""

    __table_args__ = (
        Index("ix_habit_log_assignment_partner_day", "assignment_id", "partner_id", "day"),
        #: A double tap sends the same key twice; the second finds the first instead of logging again.
        UniqueConstraint("partner_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("habit_assignment.id", ondelete="CASCADE"))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    #: The couple's day it counts for (their time zone), up to 7 days back.
    day: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    count: Mapped[int] = mapped_column(default=1)
    minutes: Mapped[int | None]
    #: The feeling word's key and the note, encrypted (practice.crypto); empty when none.
    feeling_sealed: Mapped[str] = mapped_column(Text, default="")
    note_sealed: Mapped[str] = mapped_column(Text, default="")
    sharing: Mapped[Sharing] = mapped_column(Enum(Sharing, native_enum=False, length=16),
                                             default=Sharing.private)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<HabitLog {self.id}>"


#: When a new calendar feed puts habits on the calendar, in the couple's time zone.
DEFAULT_FEED_TIME = time(20, 0)


class HabitSettings(db.Model):
    """A partner's own habit settings: who sees their notes by default, and their calendar feed."""

    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"),
                                                  primary_key=True)
    default_sharing: Mapped[Sharing] = mapped_column(Enum(Sharing, native_enum=False, length=16),
                                                     default=Sharing.private)
    #: SHA-256 of the calendar feed's secret token; None while there is no feed.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: When the feed puts each habit on the partner's calendar, in the couple's time zone.
    feed_time: Mapped[time] = mapped_column(Time, default=DEFAULT_FEED_TIME)
    #: Neutral event titles ("Daily practice"), so a lock screen reveals nothing.
    discreet_titles: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<HabitSettings {self.partner_id}>"
