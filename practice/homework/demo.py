"""Habits for the demo practice: a few weeks of realistic logs, so a newcomer sees a living grid."""

import random
import uuid
from datetime import date, timedelta

from practice.extensions import db
from practice.homework import services
from practice.homework.catalogue import catalogue
from practice.homework.models import HabitChange, HabitLog, Sharing

#: Weeks of history the demo couple has.
WEEKS = 6
#: (catalogue key, for one partner (0 or 1) or both (None), chance a partner logs on a day, started weeks ago)
HABITS = [("daily_checkin", None, (0.8, 0.6), 6), ("connection_bids", None, (0.9, 0.5), 6),
          ("feeling_words", 1, (0.0, 0.35), 4), ("repair_ritual", None, (0.15, 0.1), 5)]
NOTES = ["We laughed about the burnt toast.", "Hard day, but we still sat down together.",
         "Felt heard tonight.", "Short one: both tired.", "Jordan brought me tea without asking.",
         "Talked about the weekend plan, calmly."]
FEELINGS = ["grateful", "calm", "connected", "hopeful", "worried", "frustrated", "loved", "relieved"]


def seed_habits(couple, counselor, today: date, seed: int = 7) -> None:
    """Assign a few catalogue habits to a joined couple and fill their weeks with logs."""
    chance = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    for key, whom, rates, weeks_ago in HABITS:
        habit = catalogue().get(key)
        start = today - timedelta(weeks=weeks_ago, days=today.weekday())
        assignment = services.assign_habit(couple, counselor, {
            "catalogue_key": key, "frequency": habit.frequency, "log_fields": list(habit.log),
            "partner_id": couple.partners[whom].id if whom is not None else None, "starts_on": start,
            "instructions": "Keep it light: this is practice, not a test."}, today)
        if key == "connection_bids":  # a week away, paused and resumed: it counts for nobody
            away = today - timedelta(weeks=3)
            for what, on in (("paused", away), ("resumed", away + timedelta(days=7))):
                assignment.changes.append(HabitChange(effective_on=on, by_id=counselor.id, what=what))
        for index, partner in enumerate(couple.partners):
            if whom is not None and whom != index:
                continue
            _fill_logs(assignment, partner, habit, rates[index], start, today, chance)


def _fill_logs(assignment, partner, habit, rate: float, start: date, today: date, chance) -> None:
    """Log on about ``rate`` of the days since ``start``, with a feeling or note now and then."""
    paused = services.paused_periods(assignment)
    day = start
    while day < today:
        resting = any(first <= day and (last is None or day <= last) for first, last in paused)
        if not resting and chance.random() < rate:
            entry = HabitLog(id=uuid.uuid4(), assignment_id=assignment.id, partner_id=partner.id, day=day,
                             idempotency_key=uuid.uuid4().hex)
            data = {"done": True, "count": chance.randint(2, 6) if "count" in habit.log else None,
                    "minutes": habit.frequency.minutes if "minutes" in habit.log else None,
                    "sharing": chance.choice(list(Sharing))}
            if "feeling" in habit.log and chance.random() < 0.5:
                data["feeling"] = chance.choice(FEELINGS)
            if "note" in habit.log and chance.random() < 0.3:
                data["note"] = chance.choice(NOTES)
            services.fill_log(entry, data, default_sharing=Sharing.private)
            db.session.add(entry)
        day += timedelta(days=1)
