"""How a habit is going, in plain counts: pure functions, no database, no Flask, no clock.

Everything here works on the couple's *local* days. The caller turns "now" into the couple's day
with :func:`local_today` (their time zone, DST included) and passes it in as ``today``; logs carry
the local day the partner logged them for. Nothing reads the clock or the database, so the same
inputs always give the same answer, whatever the order of the logs.

The rules (CONTENT.md §1 and §4.5: counts, never streaks, never "missed"):

- A habit's target is counted over *periods*: a day (``per_day``), an ISO week, Monday first
  (``per_week``), a calendar month (``per_month``) or a window of ``n`` weeks counted from the start
  date (``every_n_weeks``). A period is *kept* when the times logged in it reach ``min``; going over
  ``max`` is still kept. ``as_needed`` has no periods: it is shown as counts only.
- A period is *asked for* only when every one of its days is countable: on or after the start, on
  or before the end, not paused. A period that is cut by the start, the end or a pause is left out,
  with that reason, and never counts against anyone: so a ``per_week`` habit that starts on a
  Wednesday does not ask for that first week, while a ``per_day`` habit asks for Wednesday onwards.
- A period that is not over yet (it holds today) is *in progress*: it counts once it is kept, and
  until then it is not counted at all. Days after today are not counted yet.
- In a weekly grid a period shows in the week it ends in: a ``per_day`` day and a ``per_week`` week
  in their own week, a month in the week holding its last day, an ``every_n_weeks`` window in the
  week holding its last day. The other weeks of a month or window say "counted in the week it ends".

Times logged: several logs on one day add up; a log's ``count`` is what it adds, and a "done" log
with no count adds 1. Logs dated after ``today`` are not counted yet. A month or window shown in a
grid's first week began before it: read logs from :func:`logs_needed_from` (the grid's first Monday,
or ``since``), not from the first day shown.

Text (lines, cell descriptions) is English, built in the small ``_text`` helpers at the bottom so
gettext can wrap them in one place; data carries keys (``PAUSED``), never words.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from practice.homework.frequency import KINDS, Frequency

#: Why a day, period or week is not counted. Keys, in the order a week's reason is chosen.
IN_PROGRESS = "in_progress"
BEFORE_START = "before_start"
AFTER_END = "after_end"
PAUSED = "paused"
FUTURE = "future"
#: A week of a month or window that ends in a later week (the period shows there).
LONGER_PERIOD = "longer_period"
#: An ``as_needed`` habit: counts only, nothing asked for.
COUNTS_ONLY = "counts_only"
REASONS = {
    IN_PROGRESS: "in progress",
    BEFORE_START: "before the start",
    AFTER_END: "after the end",
    PAUSED: "paused",
    FUTURE: "still to come",
    LONGER_PERIOD: "counted in the week its period ends",
    COUNTS_ONLY: "counts only",
}
_ORDER = {reason: rank for rank, reason in enumerate(REASONS)}

#: The period each kind counts over, as a word for the grid's legend and the lines.
UNITS = {"per_day": "day", "per_week": "week", "per_month": "month", "every_n_weeks": "window",
         "as_needed": None}

#: A gentle balance flag shows when one partner logged at least this share of the couple's practice...
BALANCE_SHARE = Fraction(3, 4)
#: ...and the couple logged at least this many times together (a few logs say nothing yet).
BALANCE_MIN_LOGGED = 6

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


# Inputs ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pause:
    """A paused stretch: ``first_day`` to ``last_day``, both included; no last day means still paused."""

    first_day: date
    #: The last paused day, included. A habit paused on a Wednesday and resumed on the Saturday
    #: (Saturday counts again) is ``Pause(wednesday, friday)``.
    last_day: date | None = None

    def holds(self, day: date) -> bool:
        """Whether ``day`` is paused."""
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


@dataclass(frozen=True)
class Assignment:
    """A habit as assigned to one partner or both: its target, first and last day, and pauses."""

    frequency: Frequency
    #: The first local day the habit is asked for.
    start: date
    #: The last local day it is asked for, included; None while it runs on.
    end: date | None = None
    #: Pauses, or plain ``(first_day, last_day_or_None)`` pairs, which become :class:`Pause`.
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self):
        if self.frequency.kind not in KINDS:
            raise ValueError(f"Unknown frequency kind {self.frequency.kind!r}.")
        object.__setattr__(self, "pauses", tuple(
            p if isinstance(p, Pause) else Pause(*p) for p in self.pauses))

    def left_out(self, day: date, today: date) -> str | None:
        """Why ``day`` is not counted (a reason key), or None when it counts."""
        if day < self.start:
            return BEFORE_START
        if self.end is not None and day > self.end:
            return AFTER_END
        if any(p.holds(day) for p in self.pauses):
            return PAUSED
        if day > today:
            return FUTURE
        return None


@dataclass(frozen=True)
class Log:
    """One log by one partner: the local day it is for, count, minutes, done."""

    day: date
    count: int | None = None
    minutes: int | None = None
    done: bool = False

    def times(self) -> int:
        """How many times this log adds: its count, or 1 for a "done" with no count."""
        if self.count and self.count > 0:
            return self.count
        return 1 if self.done else 0


# Outputs -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """One period of a target (a day, week, month or window) and how it went."""

    first_day: date
    last_day: date
    #: Times logged on its days so far.
    logged: int
    #: 1 when it counts (it is over, or already kept), else 0.
    asked: int
    kept: int
    #: Why it is not counted (a reason key), None when it counts.
    reason: str | None


@dataclass(frozen=True)
class Week:
    """One partner's ISO week of one habit: periods asked for and kept, times logged, days left out."""

    monday: date
    asked: int
    kept: int
    #: Times logged on this week's days (up to today), counted or not.
    logged: int
    minutes: int
    #: Why nothing is counted this week (a reason key) when ``asked`` is 0; else None.
    reason: str | None
    #: Days of this week that are not counted, by reason: ``(("paused", 3),)``.
    left_out: tuple[tuple[str, int], ...] = ()
    #: The periods that end this week (per_day: its days; per_month: a month ending this week).
    periods: tuple[Period, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether anything is counted this week."""
        return self.asked > 0


@dataclass(frozen=True)
class Progress:
    """Today and this period for the partner's week page: plain counts and the words for them."""

    target: str
    #: Times logged today, and minutes.
    today: int
    minutes_today: int
    #: The period "this week" speaks of: the ISO week, or the month or window holding today.
    period_first_day: date
    period_last_day: date
    #: Times logged in that period so far (per_day: days kept this week so far).
    period_count: int
    #: "2 of 3-5 today", "1 today".
    today_text: str
    #: "1 of 2-3 this week", "3 days this week", "0 of 1 this month", "4 this week".
    period_text: str
    #: Why today is not counted (paused, before the start, after the end); None when it is.
    reason: str | None = None


@dataclass(frozen=True)
class Share:
    """One partner's share of a habit's logging over a stretch of days."""

    partner: Hashable
    logged: int
    #: logged / the couple's total; 0 when nobody logged.
    share: Fraction


@dataclass(frozen=True)
class Balance:
    """Who carries a shared habit's logging; ``carried_by`` is set for the gentle flag."""

    shares: tuple[Share, ...]
    total: int
    #: The partner who logged at least BALANCE_SHARE of at least BALANCE_MIN_LOGGED times, or None.
    carried_by: Hashable | None = None


@dataclass(frozen=True)
class Row:
    """One partner's weeks in the counselor's grid, oldest first, with their totals."""

    partner: Hashable
    weeks: tuple[Week, ...]
    asked: int
    kept: int
    logged: int


@dataclass(frozen=True)
class Grid:
    """A couple habit's weekly grid for the counselor: weeks oldest first, a row per partner."""

    target: str
    #: "day", "week", "month" or "window": what ``asked`` and ``kept`` count; None for as-needed.
    unit: str | None
    mondays: tuple[date, ...]
    rows: tuple[Row, ...]
    balance: Balance


@dataclass(frozen=True)
class SinceSummary:
    """What one partner did with one habit since a date: counts, and the line that says so."""

    partner: Hashable
    #: Log entries, times logged (counts added up), minutes, and days with a log.
    logs: int
    logged: int
    minutes: int
    days_logged: int
    #: Periods asked for and kept (days, weeks, months or windows; 0 and 0 for as-needed).
    asked: int
    kept: int
    line: str


# Local days --------------------------------------------------------------------------------------

def local_today(now_utc: datetime, zone: str) -> date:
    """The couple's local day at the moment ``now_utc`` (an aware datetime), in IANA zone ``zone``."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be an aware datetime (UTC).")
    return now_utc.astimezone(ZoneInfo(zone)).date()


def week_of(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += DAY


# Periods -----------------------------------------------------------------------------------------

def _min(frequency: Frequency) -> int:
    return max(frequency.min or 1, 1)


def _period_around(assignment: Assignment, day: date) -> tuple[date, date]:
    """The first and last day of the period of ``assignment``'s target that holds ``day``."""
    kind = assignment.frequency.kind
    if kind == "per_day":
        return day, day
    if kind == "per_week":
        monday = week_of(day)
        return monday, monday + timedelta(days=6)
    if kind == "per_month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - DAY
    span = 7 * max(assignment.frequency.n or 1, 1)
    window = (day - assignment.start).days // span
    first = assignment.start + timedelta(days=window * span)
    return first, first + timedelta(days=span - 1)


def _bounds(assignment: Assignment, first: date, last: date) -> Iterator[tuple[date, date]]:
    """The periods that overlap ``first``..``last``, in order; none for as-needed."""
    if assignment.frequency.kind == "as_needed":
        return
    period = _period_around(assignment, first)
    while period[0] <= last:
        yield period
        period = _period_around(assignment, period[1] + DAY)


def _tally(logs: Iterable[Log], today: date) -> tuple[dict[date, int], dict[date, int], dict[date, int]]:
    """Times, minutes and log entries per day, up to today."""
    times: dict[date, int] = defaultdict(int)
    minutes: dict[date, int] = defaultdict(int)
    entries: dict[date, int] = defaultdict(int)
    for log in logs:
        if log.day > today:
            continue
        times[log.day] += log.times()
        minutes[log.day] += max(log.minutes or 0, 0)
        entries[log.day] += 1
    return times, minutes, entries


def _first_reason(reasons: Iterable[str | None]) -> str | None:
    found = [r for r in reasons if r is not None]
    return min(found, key=_ORDER.__getitem__) if found else None


def _judge(assignment: Assignment, times: Mapping[date, int], today: date,
           first: date, last: date) -> Period:
    """How one period went: asked and kept, or why it is not counted."""
    logged = sum(times.get(day, 0) for day in _days(first, min(last, today)))
    cut = _first_reason(r for r in (assignment.left_out(d, today) for d in _days(first, last))
                        if r != FUTURE)
    if cut is not None:
        return Period(first, last, logged, 0, 0, cut)
    if first > today:
        return Period(first, last, logged, 0, 0, FUTURE)
    kept = logged >= _min(assignment.frequency)
    if last < today or kept:
        return Period(first, last, logged, 1, int(kept), None)
    return Period(first, last, logged, 0, 0, IN_PROGRESS)


def periods(assignment: Assignment, logs: Iterable[Log], today: date,
            first: date, last: date) -> tuple[Period, ...]:
    """One partner's periods of a habit that overlap ``first``..``last``, judged as of ``today``."""
    times, _, _ = _tally(logs, today)
    return tuple(_judge(assignment, times, today, a, b) for a, b in _bounds(assignment, first, last))


def logs_needed_from(assignment: Assignment, first_day: date) -> date:
    """The first day whose logs a count from ``first_day`` needs: where the period holding it begins."""
    if assignment.frequency.kind == "as_needed":
        return first_day
    return min(first_day, _period_around(assignment, first_day)[0])


# Weeks -------------------------------------------------------------------------------------------

def weekly(assignment: Assignment, logs: Iterable[Log], today: date, weeks: int = 8) -> tuple[Week, ...]:
    """One partner's last ``weeks`` ISO weeks of a habit, oldest first, ending with today's week."""
    times, minutes, _ = _tally(logs, today)
    last_monday = week_of(today)
    first_monday = last_monday - WEEK * (weeks - 1)
    ending: dict[date, list[Period]] = defaultdict(list)
    for a, b in _bounds(assignment, first_monday, last_monday + timedelta(days=6)):
        if first_monday <= b:
            ending[week_of(b)].append(_judge(assignment, times, today, a, b))
    return tuple(_week(assignment, today, monday, ending.get(monday, []), times, minutes)
                 for monday in (first_monday + WEEK * i for i in range(weeks)))


def _week(assignment: Assignment, today: date, monday: date, ended: list[Period],
          times: Mapping[date, int], minutes: Mapping[date, int]) -> Week:
    days = list(_days(monday, monday + timedelta(days=6)))
    day_reasons = [assignment.left_out(day, today) for day in days]
    left_out = Counter(r for r in day_reasons if r is not None)
    asked = sum(p.asked for p in ended)
    kept = sum(p.kept for p in ended)
    reason = None
    if not asked:
        if all(day_reasons):
            reason = _first_reason(day_reasons)
        elif assignment.frequency.kind == "as_needed":
            reason = COUNTS_ONLY
        elif ended:
            reason = _first_reason(p.reason for p in ended)
        elif monday <= today <= days[-1]:
            reason = IN_PROGRESS
        else:
            reason = LONGER_PERIOD
    return Week(
        monday=monday, asked=asked, kept=kept,
        logged=sum(times.get(day, 0) for day in days),
        minutes=sum(minutes.get(day, 0) for day in days),
        reason=reason,
        left_out=tuple(sorted(left_out.items(), key=lambda item: _ORDER[item[0]])),
        periods=tuple(ended),
    )


def grid(assignment: Assignment, logs_by_partner: Mapping[Hashable, Iterable[Log]], today: date,
         weeks: int = 8) -> Grid:
    """The counselor's grid of a couple habit: ``weeks`` weeks, newest last, a row per partner."""
    logs_by_partner = {partner: list(logs) for partner, logs in logs_by_partner.items()}
    rows = []
    for partner, logs in logs_by_partner.items():
        row = weekly(assignment, logs, today, weeks)
        rows.append(Row(partner, row, sum(w.asked for w in row), sum(w.kept for w in row),
                        sum(w.logged for w in row)))
    first_monday = week_of(today) - WEEK * (weeks - 1)
    return Grid(
        target=assignment.frequency.target(),
        unit=UNITS[assignment.frequency.kind],
        mondays=tuple(first_monday + WEEK * i for i in range(weeks)),
        rows=tuple(rows),
        balance=balance(logs_by_partner, first_monday, today),
    )


# Today -------------------------------------------------------------------------------------------

def today_progress(assignment: Assignment, logs: Iterable[Log], today: date) -> Progress:
    """Today's and this period's counts for one partner's week page: "2 of 3-5 today"."""
    logs = list(logs)
    times, minutes, _ = _tally(logs, today)
    frequency = assignment.frequency
    kind = frequency.kind
    if kind in ("per_day", "per_week", "as_needed"):
        first = week_of(today)
        last = first + timedelta(days=6)
    else:
        first, last = _period_around(assignment, today)
    so_far = sum(times.get(day, 0) for day in _days(first, today))
    count = frequency.count()
    now = times.get(today, 0)
    if kind == "per_day":
        kept_days = sum(w.kept for w in weekly(assignment, logs, today, weeks=1))
        today_text = f"{now} of {count} today"
        period_text = f"{_plural(kept_days, 'day')} this week"
        so_far = kept_days
    elif kind == "as_needed":
        today_text, period_text = f"{now} today", f"{so_far} this week"
    else:
        today_text = f"{now} today"
        period_text = f"{so_far} of {count} {_this_period(frequency)}"
    reason = assignment.left_out(today, today)
    return Progress(target=frequency.target(), today=now, minutes_today=minutes.get(today, 0),
                    period_first_day=first, period_last_day=last, period_count=so_far,
                    today_text=today_text, period_text=period_text, reason=reason)


# Balance and since -------------------------------------------------------------------------------

def balance(logs_by_partner: Mapping[Hashable, Iterable[Log]], first_day: date, last_day: date) -> Balance:
    """Each partner's share of a shared habit's logging from ``first_day`` to ``last_day``, and the flag."""
    logged = {
        partner: sum(log.times() for log in logs if first_day <= log.day <= last_day)
        for partner, logs in logs_by_partner.items()
    }
    total = sum(logged.values())
    shares = tuple(Share(partner, n, Fraction(n, total) if total else Fraction(0))
                   for partner, n in logged.items())
    carried_by = None
    if len(shares) > 1 and total >= BALANCE_MIN_LOGGED:
        top = max(shares, key=lambda s: s.share)
        if top.share >= BALANCE_SHARE:
            carried_by = top.partner
    return Balance(shares, total, carried_by)


def summary_since(since: date, today: date, assignment: Assignment,
                  logs_by_partner: Mapping[Hashable, Iterable[Log]],
                  names: Mapping[Hashable, str] | None = None) -> tuple[SinceSummary, ...]:
    """What each partner did with a habit from ``since`` to ``today`` (both included), as counts and lines."""
    summaries = []
    unit = UNITS[assignment.frequency.kind]
    for partner, logs in logs_by_partner.items():
        logs = list(logs)
        # A period that began before ``since`` is judged on all its logs; the counts are since only.
        judged = periods(assignment, logs, today, since, today)
        asked, kept = sum(p.asked for p in judged), sum(p.kept for p in judged)
        times, minutes, entries = _tally((log for log in logs if log.day >= since), today)
        logged, spent = sum(times.values()), sum(minutes.values())
        days = sum(1 for day in entries if times[day] or minutes[day])
        name = (names or {}).get(partner, str(partner))
        summaries.append(SinceSummary(
            partner=partner, logs=sum(entries.values()), logged=logged, minutes=spent, days_logged=days,
            asked=asked, kept=kept, line=_since_text(name, logged, days, spent, unit, asked, kept),
        ))
    return tuple(summaries)


# Words (English until gettext wraps them) ---------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _this_period(frequency: Frequency) -> str:
    if frequency.kind == "per_week":
        return "this week"
    if frequency.kind == "per_month":
        return "this month"
    return f"in these {max(frequency.n or 1, 1)} weeks"


def describe(week: Week, frequency: Frequency) -> str:
    """The text alternative of one grid cell: "Kept 5 of 6 days; 9 logged; 1 day paused"."""
    if week.reason == COUNTS_ONLY:
        parts = [f"{week.logged} logged"]
    elif week.reason == IN_PROGRESS:
        parts = ["In progress", f"{week.logged} logged"]
    elif week.reason == LONGER_PERIOD:
        parts = [f"Counted in the week its {UNITS[frequency.kind]} ends", f"{week.logged} logged"]
    elif not week.counted:
        parts = [f"Not counted: {REASONS[week.reason]}", f"{week.logged} logged"]
    elif frequency.kind == "per_day":
        parts = [f"Kept {week.kept} of {_plural(week.asked, 'day')}", f"{week.logged} logged"]
    else:
        period = next(p for p in week.periods if p.asked)
        kept = "Kept: " if period.kept else ""
        parts = [f"{kept}{period.logged} of {frequency.count()} in the {UNITS[frequency.kind]}"]
        if period.first_day < week.monday:
            parts.append(f"{week.logged} logged this week")
    if week.minutes:
        parts.append(f"{week.minutes} minutes")
    parts += [f"{_plural(n, 'day')} {REASONS[reason]}" for reason, n in week.left_out
              if week.counted and reason != FUTURE]
    return "; ".join(parts)


def _since_text(name: str, logged: int, days: int, minutes: int, unit: str | None,
                asked: int, kept: int) -> str:
    if not logged and not minutes:
        line = f"{name}: no logs"
    else:
        line = f"{name}: logged {_plural(logged, 'time')} on {_plural(days, 'day')}"
        if minutes:
            line += f", {minutes} minutes"
    if unit is not None and asked:
        line += f"; kept {kept} of {_plural(asked, unit)}"
    return line + "."
