"""Habits as plain data for pages: the partner's week, the counselor's panel and a habit's page.

Each function reads a fixed number of statements, whatever a couple's history: the couple's
habits with their changes (one statement), then their logs from the first day shown (one more).
Counts come from ``practice.homework.adherence``; a log's feeling and note are opened only for
those who may read them (their author, and whom it was shared with).
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from practice import seams
from practice.clock import utcnow
from practice.extensions import db
from practice.homework import adherence
from practice.homework.catalogue import catalogue
from practice.homework.models import HabitAssignment, HabitLog, HabitStatus, Sharing
from practice.homework.services import (
    EDITABLE_DAYS,
    habit_title,
    opened,
    paused_periods,
    visible_private_fields,
)

#: Weeks in the counselor's grid.
GRID_WEEKS = 8
#: Who may read a log's feeling and note, as the partner chooses it.
SHARING_CHOICES = (
    (Sharing.private.value, "Only me"),
    (Sharing.counselor.value, "Me and my counselor"),
    (Sharing.couple.value, "Me, my counselor and my partner"),
)

_HABITS = (select(HabitAssignment).where(HabitAssignment.couple_id == bindparam("couple_id"),
                                         HabitAssignment.status.in_(bindparam("statuses", expanding=True)))
           .options(joinedload(HabitAssignment.changes)).order_by(HabitAssignment.created_at))
#: Logs as plain rows (the columns a page or a count needs): weeks of them per couple, so no ORM objects.
_LOGS = (select(HabitLog.id, HabitLog.assignment_id, HabitLog.partner_id, HabitLog.day, HabitLog.done,
                HabitLog.count, HabitLog.minutes, HabitLog.feeling_sealed, HabitLog.note_sealed,
                HabitLog.sharing)
         .where(HabitLog.assignment_id.in_(bindparam("habit_ids", expanding=True)),
                HabitLog.day >= bindparam("since"))
         .order_by(HabitLog.day.desc(), HabitLog.created_at.desc()))


@dataclass(frozen=True)
class LogEntry:
    """One log as a page shows it; feeling and note are empty unless the viewer may read them."""

    id: uuid.UUID
    day: date
    times: int
    minutes: int | None
    feeling: str
    note: str
    sharing: str
    editable: bool


def today_for(time_zone: str) -> date:
    """The couple's day now, in their time zone."""
    return adherence.local_today(utcnow(), time_zone)


def ended_by_date(habit: HabitAssignment, today: date) -> bool:
    """Whether a habit's end date has passed: it is over, whatever its status still says."""
    return habit.ends_on is not None and habit.ends_on < today


def as_model(habit: HabitAssignment) -> adherence.Assignment:
    """A habit as the adherence engine takes it."""
    return adherence.Assignment(habit.frequency, habit.starts_on, habit.ends_on, tuple(paused_periods(habit)))


def as_counted(log: HabitLog) -> adherence.Log:
    """A log as the adherence engine counts it."""
    return adherence.Log(log.day, log.count, log.minutes, log.done)


def habits_of(couple_id, statuses) -> list[HabitAssignment]:
    """The couple's habits in these states, their history loaded."""
    found = db.session.execute(_HABITS, {"couple_id": couple_id, "statuses": list(statuses)})
    return list(found.unique().scalars())


def logs_of(habits: list[HabitAssignment], since: date) -> dict:
    """Logs of these habits from ``since`` on (plain rows, newest first), by habit id then partner id."""
    found: dict = defaultdict(lambda: defaultdict(list))
    if habits:
        for log in db.session.execute(_LOGS, {"habit_ids": [h.id for h in habits], "since": since}):
            found[log.assignment_id][log.partner_id].append(log)
    return found


def entry_fields(log: HabitLog, viewer_role: str, viewer_partner_id, today: date) -> dict:
    """A log's fields for this viewer: its feeling and note only if they may read them."""
    private = visible_private_fields(log.sharing, log.partner_id, viewer_role, viewer_partner_id)
    feeling = opened(log, "feeling") if private else ""
    word = catalogue().feeling(feeling) if feeling else None
    recent = log.day > today - timedelta(days=EDITABLE_DAYS)
    return {"id": log.id, "day": log.day, "times": as_counted(log).times(), "minutes": log.minutes,
            "feeling": word.text if word else feeling, "note": opened(log, "note") if private else "",
            "sharing": log.sharing.value, "editable": log.partner_id == viewer_partner_id and recent}


def _entry(log: HabitLog, viewer_role: str, viewer_partner_id, today: date) -> LogEntry:
    """A log as a page shows it to this viewer."""
    return LogEntry(**entry_fields(log, viewer_role, viewer_partner_id, today))


def describe(habit: HabitAssignment) -> dict:
    """What a habit is, for any page: title, target, who it is for, the catalogue's words."""
    found = catalogue().get(habit.catalogue_key) if habit.catalogue_key else None
    return {"id": str(habit.id), "title": habit_title(habit), "target": habit.frequency.target(),
            "kind": habit.kind, "target_min": habit.target_min, "target_max": habit.target_max,
            "minutes": habit.minutes, "status": habit.status.value, "partner_id": habit.partner_id,
            "looks_like": found.looks_like if found else "", "why": found.why if found else "",
            "instructions": habit.instructions, "log_fields": tuple(habit.log_fields.split(",")),
            "starts_on": habit.starts_on, "ends_on": habit.ends_on}


def partner_week(couple, partner_id: uuid.UUID) -> dict:
    """The partner's habits this week: today's and this week's counts, their logs, the other's counts."""
    today = today_for(couple.time_zone)
    habits = [h for h in habits_of(couple.id, (HabitStatus.active, HabitStatus.paused))
              if h.partner_id in (None, partner_id) and not ended_by_date(h, today)]
    # This week, the last 7 days (editable entries), and a month or window that holds today.
    first = min(adherence.week_of(today), today - timedelta(days=EDITABLE_DAYS - 1))
    since = min((adherence.logs_needed_from(as_model(h), first) for h in habits), default=first)
    logs = logs_of(habits, since)
    other = next((p for p in couple.partners if p.id != partner_id), None)
    shown = []
    for habit in habits:
        model = as_model(habit)
        mine = logs[habit.id][partner_id]
        theirs = logs[habit.id][other.id] if other and habit.partner_id is None else []
        progress = adherence.today_progress(model, [as_counted(log) for log in mine], today)
        shown.append({
            **describe(habit),
            "starts_later": habit.starts_on > today,
            "progress": progress,
            "other_progress": adherence.today_progress(model, [as_counted(log) for log in theirs], today)
            if other and habit.partner_id is None else None,
            "mine": [_entry(log, "partner", partner_id, today) for log in mine
                     if log.day > today - timedelta(days=EDITABLE_DAYS)],
            # Only what the other partner shared with the couple: their counts are in other_progress.
            "theirs": [_entry(log, "partner", partner_id, today) for log in theirs
                       if log.day >= adherence.week_of(today) and log.sharing is Sharing.couple],
        })
    return {"today": today, "habits": shown, "days": days_back(today),
            "other_name": other.first_name if other else ""}


def days_back(today: date) -> list[tuple[str, str]]:
    """The days a partner may log for, newest first, as (value, words) choices."""
    words = {0: "Today", 1: "Yesterday"}
    return [((today - timedelta(days=n)).isoformat(),
             words.get(n) or (today - timedelta(days=n)).strftime("%A %-d %B"))
            for n in range(EDITABLE_DAYS)]


def counselor_panel(couple, **kwargs) -> dict:
    """The couple page's habits panel: each habit's 8-week grid, this week, and a balance flag."""
    today = today_for(couple.time_zone)
    first_monday = adherence.week_of(today) - timedelta(weeks=GRID_WEEKS - 1)
    habits = [h for h in habits_of(couple.id, tuple(HabitStatus))
              if h.status is not HabitStatus.ended or (h.ends_on and h.ends_on >= first_monday)]
    over = {h.id for h in habits if ended_by_date(h, today)}
    # A month or a window that ends in the grid's first week began before it: read its logs too.
    logs = logs_of(habits, min((adherence.logs_needed_from(as_model(h), first_monday) for h in habits),
                               default=first_monday))
    names = {p.id: p.first_name for p in couple.partners}
    # "Since the last session": the notes feature says when that was; the grid's weeks bound it.
    since = max(seams.last_session(couple, today), first_monday)
    shown = []
    for habit in habits:
        model = as_model(habit)
        whom = [habit.partner_id] if habit.partner_id else [p.id for p in couple.partners]
        by_partner = {pid: [as_counted(log) for log in logs[habit.id][pid]] for pid in whom}
        grid = adherence.grid(model, by_partner, today, weeks=GRID_WEEKS)
        carried = grid.balance.carried_by if habit.partner_id is None else None
        shown.append({
            **describe(habit),
            **({"status": HabitStatus.ended.value} if habit.id in over else {}),
            "for_whom": names.get(habit.partner_id, "") if habit.partner_id else "Both partners",
            "grid": grid, "names": names,
            "week_words": tuple(tuple(adherence.describe(w, habit.frequency) for w in row.weeks)
                                for row in grid.rows),
            "this_week": [(names[pid], adherence.today_progress(model, by_partner[pid], today).period_text)
                          for pid in whom],
            "carried_by": names.get(carried) if carried else "",
            "since": [line.line for line in adherence.summary_since(since, today, model, by_partner, names)],
        })
    return {"couple_id": str(couple.id), "archived": couple.archived, "habits": shown, "today": today,
            "since": since}


def habit_page(couple, habit: HabitAssignment) -> dict:
    """A habit for the counselor: what it is, its history, and 8 weeks of logs as shared with them."""
    today = today_for(couple.time_zone)
    first_monday = adherence.week_of(today) - timedelta(weeks=GRID_WEEKS - 1)
    logs = logs_of([habit], adherence.logs_needed_from(as_model(habit), first_monday))[habit.id]
    names = {p.id: p.first_name for p in couple.partners}
    whom = [habit.partner_id] if habit.partner_id else [p.id for p in couple.partners]
    return {
        "habit": {**describe(habit), "for_whom": names.get(habit.partner_id, "Both partners")},
        "changes": [{"at": change.at, "what": change.what, "detail": change.detail,
                     "effective_on": change.effective_on} for change in habit.changes],
        "logs": [(names[pid], [_entry(log, "counselor", None, today) for log in logs[pid]
                               if log.day >= first_monday]) for pid in whom],
        "today": today,
    }


def feed_for(token_digest: str):
    """The partner whose live feed has this token hash, their couple and the habits for the feed.

    None for an unknown or stopped token, and when the couple is archived or the partner's
    account is switched off: the link then tells nothing, as for a token never issued.
    """
    from practice.couples.models import Couple, CoupleStatus, Partner
    from practice.homework.models import HabitSettings

    found = db.session.execute(
        select(HabitSettings, Partner, Couple).join(Partner, Partner.id == HabitSettings.partner_id)
        .join(Couple, Couple.id == Partner.couple_id)
        .where(HabitSettings.feed_token_hash == token_digest)).one_or_none()
    if found is None:
        return None
    settings, partner, couple = found
    if couple.status is not CoupleStatus.active or partner.user is None or not partner.user.active:
        return None
    habits = [{"id": h.id, "title": habit_title(h), "kind": h.kind, "n": h.every_weeks, "minutes": h.minutes,
               "starts_on": h.starts_on, "ends_on": h.ends_on}
              for h in habits_of(couple.id, (HabitStatus.active,))
              if h.partner_id in (None, partner.id) and not ended_by_date(h, today_for(couple.time_zone))]
    return settings, partner, couple, habits


#: The most tick boxes a day's cell of the printed log sheet holds.
MOST_BOXES = 5


def planner(couple, reader_partner_id=None) -> list[dict]:
    """The habits a handout shows its reader: a partner's own, or (None) every one for the counselor."""
    if reader_partner_id is None:
        habits = counselor_panel(couple)["habits"]
        return [{**h, "for_whom": h["for_whom"] if h["partner_id"] else "both partners"}
                for h in habits if h["status"] != HabitStatus.ended.value]
    # A partner's copy needs no logs: what each habit asks, not how it went.
    mine = [h for h in habits_of(couple.id, (HabitStatus.active, HabitStatus.paused))
            if h.partner_id in (None, reader_partner_id)]
    return [{**describe(h), "for_whom": "you" if h.partner_id else "both of you", "grid": None} for h in mine]


def boxes(habit: dict) -> int:
    """Tick boxes for one day of a habit on the printed log sheet: enough for its daily target."""
    kind, target = habit["kind"], habit.get("target_max") or habit.get("target_min") or 1
    return min(MOST_BOXES, target) if kind == "per_day" else 1
