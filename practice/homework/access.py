"""The only way to load a habit or a log: under a couple the signed-in user may already reach.

A habit of another couple, a habit meant for the other partner, and someone else's log all give
404, as for an id that does not exist, and the miss is audited (``practice.couples.access.deny``).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from practice.couples import access as couples_access
from practice.couples.access import deny
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.extensions import db
from practice.homework.models import HabitAssignment, HabitLog, HabitSettings, Sharing

#: A habit with its history, for the pages that show or change it.
_HABIT = (select(HabitAssignment).where(HabitAssignment.id == bindparam("habit_id"))
          .options(joinedload(HabitAssignment.changes)))


def couple_habit(couple_id: uuid.UUID, habit_id: uuid.UUID) -> HabitAssignment:
    """A habit of a couple the caller already holds (the counselor's), its history loaded, or 404."""
    habit = db.session.execute(_HABIT, {"habit_id": habit_id}).unique().scalar_one_or_none()
    if habit is None or habit.couple_id != couple_id:
        deny("habit", habit_id, couple_id=couple_id)
    return habit


def partner_habit(partner, habit_id: uuid.UUID) -> HabitAssignment:
    """A habit of the partner's couple meant for them (for both, or for them alone), or 404."""
    habit = db.session.get(HabitAssignment, habit_id)
    if habit is None or habit.couple_id != partner.couple_id or habit.partner_id not in (None, partner.id):
        deny("habit", habit_id, couple_id=partner.couple_id)
    return habit


@dataclass(frozen=True)
class LoggingTo:
    """What logging a habit needs, read in one statement: the habit, whose log, and their couple."""

    habit: HabitAssignment
    partner_id: uuid.UUID
    couple_id: uuid.UUID
    time_zone: str
    #: The partner's default for who reads a log's feeling and note (private until they choose).
    default_sharing: Sharing


#: The habit, the signed-in partner's record in its couple, and their settings, in one statement.
_LOGGING_TO = (
    select(HabitAssignment, Partner.id, Couple.id, Couple.time_zone, HabitSettings.default_sharing)
    .join(Couple, Couple.id == HabitAssignment.couple_id)
    .join(Partner, (Partner.couple_id == Couple.id) & (Partner.user_id == bindparam("user_id")))
    .outerjoin(HabitSettings, HabitSettings.partner_id == Partner.id)
    .where(HabitAssignment.id == bindparam("habit_id"), Couple.status == CoupleStatus.active,
           or_(HabitAssignment.partner_id.is_(None), HabitAssignment.partner_id == Partner.id))
)


def habit_to_log(user_id: uuid.UUID, habit_id: uuid.UUID) -> LoggingTo:
    """A habit the signed-in partner may log (their active couple's, meant for them), or 404."""
    found = db.session.execute(_LOGGING_TO, {"user_id": user_id, "habit_id": habit_id}).one_or_none()
    if found is None:
        deny("habit", habit_id)
    habit, partner_id, couple_id, time_zone, sharing = found
    return LoggingTo(habit, partner_id, couple_id, time_zone, sharing or Sharing.private)


def own_log(partner, log_id: uuid.UUID) -> HabitLog:
    """One of the partner's own logs, or 404 (the other partner's logs are theirs alone to change)."""
    log = db.session.get(HabitLog, log_id)
    if log is None or log.partner_id != partner.id:
        deny("habit_log", log_id, couple_id=partner.couple_id)
    return log


#: The signed-in partner and their couple as plain data, or 404 when their couple is closed.
own_couple = couples_access.own_partner_and_couple
