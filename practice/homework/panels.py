"""What homework adds to other pages through the seams: the couple page, the portal home, a note draft."""

from datetime import timedelta

from practice.homework import adherence, week
from practice.homework.catalogue import catalogue
from practice.homework.models import HabitStatus
from practice.homework.services import habit_title


def couple_panel(couple, viewer, **kwargs) -> dict | None:
    """The counselor's habits panel: every habit's 8 weeks, this week, and a gentle balance flag."""
    return week.counselor_panel(couple)


def portal_panel(couple, viewer, **kwargs) -> dict | None:
    """The partner's habits for today, in counts, with the way to their week."""
    mine = week.partner_week(couple, viewer.partner_id)
    if not mine["habits"]:
        return None
    return {"habits": [{"title": habit["title"], "today": habit["progress"].today_text,
                        "status": habit["status"]} for habit in mine["habits"]]}


def between_sessions(couple, since, viewer, **kwargs) -> list[str]:
    """Lines saying what each partner logged since ``since``, habit by habit, in plain counts."""
    if viewer.role != "counselor":
        return []
    today = week.today_for(couple.time_zone)
    habits = week.habits_of(couple.id, tuple(HabitStatus))
    logs = week.logs_of(habits, min(since, today) - timedelta(weeks=12))
    names = {p.id: p.first_name for p in couple.partners}
    lines = []
    for habit in habits:
        if habit.ends_on and habit.ends_on < since:
            continue
        whom = [habit.partner_id] if habit.partner_id else [p.id for p in couple.partners]
        by_partner = {pid: [week.as_counted(log) for log in logs[habit.id][pid]] for pid in whom}
        for summary in adherence.summary_since(since, today, week.as_model(habit), by_partner, names):
            lines.append(f"{habit_title(habit)}: {summary.line}")
    return lines


def habit_choices(couple_id, **kwargs) -> list[tuple[str, str]]:
    """The catalogue's habits, suggested ones first, for a worksheet answer that names a habit."""
    habits = sorted(catalogue().habits, key=lambda habit: not habit.suggested)
    return [(habit.key, habit.title) for habit in habits]


def habit_review(couple_id, partner_id, since, today, **kwargs) -> list[dict]:
    """Each habit active for the partner, with what they kept since ``since``, for a monthly retro."""
    habits = [habit for habit in week.habits_of(couple_id, (HabitStatus.active,))
              if habit.partner_id in (None, partner_id)]
    logs = week.logs_of(habits, min(since, today) - timedelta(weeks=12))
    rows = []
    for habit in habits:
        counted = {partner_id: [week.as_counted(log) for log in logs[habit.id][partner_id]]}
        summary = adherence.summary_since(since, today, week.as_model(habit), counted, {partner_id: "You"})[0]
        rows.append({"habit": habit.catalogue_key or str(habit.id), "title": habit_title(habit),
                     "kept": summary.line})
    return rows
