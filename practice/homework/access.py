"""The only way to load a habit or a log: under a couple the signed-in user may already reach.

A habit of another couple, a habit meant for the other partner, and someone else's log all give
404, as for an id that does not exist, and the miss is audited (``practice.couples.access.deny``).
"""

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from practice.couples.access import deny
from practice.extensions import db
from practice.homework.models import HabitAssignment, HabitLog

#: A habit with its history, for the pages that show or change it.
_HABIT = (select(HabitAssignment).where(HabitAssignment.id == bindparam("habit_id"))
          .options(selectinload(HabitAssignment.changes)))


def couple_habit(couple_id: uuid.UUID, habit_id: uuid.UUID) -> HabitAssignment:
    """A habit of a couple the caller already holds (the counselor's), its history loaded, or 404."""
    habit = db.session.execute(_HABIT, {"habit_id": habit_id}).scalar_one_or_none()
    if habit is None or habit.couple_id != couple_id:
        deny("habit", habit_id, couple_id=couple_id)
    return habit


def partner_habit(partner, habit_id: uuid.UUID) -> HabitAssignment:
    """A habit of the partner's couple meant for them (for both, or for them alone), or 404."""
    habit = db.session.execute(_HABIT, {"habit_id": habit_id}).scalar_one_or_none()
    if habit is None or habit.couple_id != partner.couple_id or habit.partner_id not in (None, partner.id):
        deny("habit", habit_id, couple_id=partner.couple_id)
    return habit


def own_log(partner, log_id: uuid.UUID) -> HabitLog:
    """One of the partner's own logs, or 404 (the other partner's logs are theirs alone to change)."""
    log = db.session.get(HabitLog, log_id)
    if log is None or log.partner_id != partner.id:
        deny("habit_log", log_id, couple_id=partner.couple_id)
    return log
