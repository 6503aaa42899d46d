"""The adherence engine: plain counts per partner per week; a pause or a cut week never counts against."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from practice.homework.adherence import (
    AFTER_END,
    BALANCE_MIN_LOGGED,
    BEFORE_START,
    COUNTS_ONLY,
    FUTURE,
    IN_PROGRESS,
    LONGER_PERIOD,
    PAUSED,
    Assignment,
    Log,
    Pause,
    balance,
    describe,
    grid,
    local_today,
    logs_needed_from,
    periods,
    summary_since,
    today_progress,
    week_of,
    weekly,
)
from practice.homework.frequency import Frequency

BIDS = Frequency("per_day", min=3, max=5)
CHECKIN = Frequency("per_day", min=1, max=1, minutes=10)
FEELING_WORDS = Frequency("per_week", min=2, max=3)
FUTURE_US = Frequency("every_n_weeks", min=1, max=1, n=2)
RETRO = Frequency("per_month", min=1, max=1)
REPAIR = Frequency("as_needed")

# October 2026: Monday the 5th, 12th, 19th, 26th; November: Monday the 2nd, 9th, 16th.
MON = date(2026, 10, 5)


def day(offset: int) -> date:
    """A day counted from Monday 5 October 2026."""
    return MON + timedelta(days=offset)


def logs(*pairs) -> list[Log]:
    """Count logs from (day offset, count) pairs."""
    return [Log(day(offset), count=count) for offset, count in pairs]


def summed(weeks) -> tuple[int, int]:
    """Asked and kept over some weeks."""
    return sum(w.asked for w in weeks), sum(w.kept for w in weeks)


# Logs add up -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("log", "times"),
    [(Log(MON, done=True), 1), (Log(MON, count=0, done=True), 1), (Log(MON, count=4, done=True), 4),
     (Log(MON, count=2), 2), (Log(MON), 0), (Log(MON, count=-3), 0)],
    ids=["done", "done with count 0", "count wins over done", "count", "empty", "negative is nothing"],
)
def test_a_log_adds_its_count_or_one_for_done(log, times):
    assert log.times() == times


# per_day, range targets -------------------------------------------------------------------------

def test_a_day_is_kept_at_min_and_over_max_is_still_kept():
    habit = Assignment(BIDS, start=MON)
    week_logs = logs((0, 3), (1, 2), (1, 1), (2, 6), (3, 2)) + [Log(day(5), done=True), Log(day(6), count=3)]
    (week,) = weekly(habit, week_logs, today=day(6), weeks=1)
    # Mon 3, Tue 2+1, Wed 6 (over the 5), Sun 3 kept; Thu 2, Fri 0, Sat 1 not.
    assert (week.asked, week.kept, week.logged, week.reason) == (7, 4, 18, None)
    assert [p.kept for p in week.periods] == [1, 1, 1, 0, 0, 0, 1]


def test_today_counts_once_kept_and_is_in_progress_until_then():
    habit = Assignment(BIDS, start=MON)
    (week,) = weekly(habit, logs((0, 3), (1, 3), (2, 1)), today=day(2), weeks=1)
    assert (week.asked, week.kept) == (2, 2)
    assert week.periods[2].reason == IN_PROGRESS
    assert week.left_out == ((FUTURE, 4),)
    (week,) = weekly(habit, logs((0, 3), (1, 3), (2, 3)), today=day(2), weeks=1)
    assert (week.asked, week.kept) == (3, 3)


def test_the_first_monday_of_a_habit_has_nothing_asked_until_something_is_logged():
    (week,) = weekly(Assignment(CHECKIN, start=MON), [], today=MON, weeks=1)
    assert (week.asked, week.kept, week.reason) == (0, 0, IN_PROGRESS)


def test_per_day_partial_first_and_last_weeks_ask_only_their_own_days():
    habit = Assignment(CHECKIN, start=day(2), end=day(16))  # Wednesday 7th to Wednesday 21st
    done = [Log(day(i), done=True) for i in (2, 3, 7, 15, 16)]
    first, middle, last = weekly(habit, done, today=day(20), weeks=3)
    assert (first.asked, first.kept, first.left_out) == (5, 2, ((BEFORE_START, 2),))
    assert (middle.asked, middle.kept, middle.left_out) == (7, 1, ())
    assert (last.asked, last.kept, last.left_out) == (3, 2, ((AFTER_END, 4),))


# per_week ---------------------------------------------------------------------------------------

def test_per_week_range_kept_at_two_and_over_three_still_kept():
    habit = Assignment(FEELING_WORDS, start=MON)
    weeks = weekly(habit, logs((0, 1), (8, 1), (9, 1), (15, 4), (21, 1)), today=day(27), weeks=4)
    # The fourth week ends today (Sunday 1 November): still in progress, so not counted yet.
    assert [(w.asked, w.kept) for w in weeks] == [(1, 0), (1, 1), (1, 1), (0, 0)]
    assert weeks[3].reason == IN_PROGRESS
    weeks = weekly(habit, logs((0, 1), (8, 1), (9, 1), (15, 4), (21, 1)), today=day(28), weeks=5)
    assert [(w.asked, w.kept) for w in weeks[:4]] == [(1, 0), (1, 1), (1, 1), (1, 0)]


def test_per_week_partial_first_week_is_left_out_even_when_logged():
    habit = Assignment(FEELING_WORDS, start=day(2))
    first, second, _ = weekly(habit, logs((3, 3), (8, 1)), today=day(14), weeks=3)
    assert (first.asked, first.kept, first.logged, first.reason) == (0, 0, 3, BEFORE_START)
    assert (second.asked, second.kept, second.reason) == (1, 0, None)
    assert describe(first, FEELING_WORDS) == "Not counted: before the start; 3 logged"
    assert describe(second, FEELING_WORDS) == "1 of 2-3 in the week"


def test_per_week_partial_last_week_is_left_out():
    habit = Assignment(FEELING_WORDS, start=MON, end=day(9))
    first, last = weekly(habit, logs((1, 1)), today=day(13), weeks=2)
    assert (first.asked, first.kept) == (1, 0)
    assert (last.asked, last.reason, last.left_out) == (0, AFTER_END, ((AFTER_END, 4),))


def test_the_current_week_is_in_progress_not_unmet():
    habit = Assignment(FEELING_WORDS, start=MON)
    (week,) = weekly(habit, logs((7, 1)), today=day(8), weeks=1)
    assert (week.asked, week.kept, week.reason) == (0, 0, IN_PROGRESS)
    (week,) = weekly(habit, logs((7, 1), (8, 1)), today=day(8), weeks=1)
    assert (week.asked, week.kept, week.reason) == (1, 1, None)
    assert describe(week, FEELING_WORDS) == "Kept: 2 of 2-3 in the week"


def test_a_week_with_a_paused_day_is_left_out_and_a_paused_week_never_counts():
    habit = Assignment(FEELING_WORDS, start=MON, pauses=((day(9), day(11)), (day(14), day(20))))
    first, second, third = weekly(habit, logs((0, 2), (7, 2), (14, 2)), today=day(20), weeks=3)
    assert (first.asked, first.kept) == (1, 1)
    assert (second.asked, second.reason, second.left_out) == (0, PAUSED, ((PAUSED, 3),))
    assert (third.asked, third.reason, third.logged) == (0, PAUSED, 2)


def test_an_open_pause_leaves_out_every_day_from_its_first():
    habit = Assignment(CHECKIN, start=MON, pauses=(Pause(day(3)),))
    first, second = weekly(habit, [], today=day(10), weeks=2)
    assert (first.asked, first.left_out) == (3, ((PAUSED, 4),))
    assert (second.asked, second.reason, second.left_out) == (0, PAUSED, ((PAUSED, 7),))


# every_n_weeks ----------------------------------------------------------------------------------

def test_every_two_weeks_counts_one_window_in_the_week_it_ends():
    start = date(2026, 10, 1)  # a Thursday: windows 1-14 Oct, 15-28 Oct, 29 Oct-11 Nov
    habit = Assignment(FUTURE_US, start=start)
    done = [Log(date(2026, 10, 3), done=True), Log(date(2026, 11, 3), done=True)]
    weeks = weekly(habit, done, today=date(2026, 11, 4), weeks=6)
    assert [w.monday.day for w in weeks] == [28, 5, 12, 19, 26, 2]
    assert [(w.asked, w.kept, w.reason) for w in weeks] == [
        (0, 0, BEFORE_START), (0, 0, LONGER_PERIOD), (1, 1, None),
        (0, 0, LONGER_PERIOD), (1, 0, None), (0, 0, IN_PROGRESS),
    ]
    assert [(p.first_day, p.last_day) for p in weeks[4].periods] == [(date(2026, 10, 15), date(2026, 10, 28))]
    assert weeks[5].logged == 1
    assert describe(weeks[4], FUTURE_US) == "0 of 1 in the window; 0 logged this week"
    progress = today_progress(habit, done, date(2026, 11, 4))
    assert progress.period_text == "1 of 1 in these 2 weeks"
    assert (progress.period_first_day, progress.period_last_day) == (date(2026, 10, 29), date(2026, 11, 11))


def test_a_window_cut_by_the_end_is_left_out():
    habit = Assignment(FUTURE_US, start=date(2026, 10, 1), end=date(2026, 10, 20))
    judged = periods(habit, [], date(2026, 11, 4), date(2026, 10, 1), date(2026, 10, 31))
    assert [(p.asked, p.reason) for p in judged] == [(1, None), (0, AFTER_END), (0, AFTER_END)]


# per_month --------------------------------------------------------------------------------------

def test_a_month_shows_in_the_week_it_ends_and_a_cut_first_month_is_left_out():
    habit = Assignment(RETRO, start=date(2026, 9, 15))
    weeks = weekly(habit, [Log(date(2026, 10, 20), done=True)], today=date(2026, 11, 18), weeks=8)
    assert weeks[0].monday == date(2026, 9, 28) and weeks[-1].monday == date(2026, 11, 16)
    assert [(w.asked, w.kept, w.reason) for w in weeks] == [
        (0, 0, BEFORE_START),  # September ends on Wednesday 30th; it began on the 15th
        (0, 0, LONGER_PERIOD), (0, 0, LONGER_PERIOD), (0, 0, LONGER_PERIOD),
        (1, 1, None),  # October ends on Saturday 31st
        (0, 0, LONGER_PERIOD), (0, 0, LONGER_PERIOD),
        (0, 0, IN_PROGRESS),
    ]
    assert describe(weeks[4], RETRO) == "Kept: 1 of 1 in the month; 0 logged this week"
    assert today_progress(habit, [], date(2026, 11, 18)).period_text == "0 of 1 this month"


def test_a_month_with_no_log_is_asked_and_not_kept():
    habit = Assignment(RETRO, start=date(2026, 10, 1))
    (october,) = periods(habit, [Log(date(2026, 9, 30), done=True)], date(2026, 11, 2),
                         date(2026, 10, 1), date(2026, 10, 31))
    assert (october.asked, october.kept, october.logged) == (1, 0, 0)


# as_needed --------------------------------------------------------------------------------------

def test_as_needed_is_counts_only():
    habit = Assignment(REPAIR, start=MON)
    done = [Log(day(1), done=True), Log(day(8), done=True), Log(day(9), count=2)]
    first, second = weekly(habit, done, today=day(9), weeks=2)
    assert (first.asked, first.kept, first.logged, first.reason) == (0, 0, 1, COUNTS_ONLY)
    assert (second.asked, second.logged, second.reason) == (0, 3, COUNTS_ONLY)
    assert describe(second, REPAIR) == "3 logged"
    progress = today_progress(habit, done, day(9))
    assert (progress.today_text, progress.period_text) == ("2 today", "3 this week")
    assert periods(habit, done, day(9), MON, day(13)) == ()


# Today for the partner --------------------------------------------------------------------------

def test_today_progress_says_plain_counts():
    habit = Assignment(BIDS, start=MON)
    progress = today_progress(habit, logs((7, 3), (8, 4), (9, 1), (9, 1)), today=day(9))
    assert (progress.today_text, progress.period_text) == ("2 of 3-5 today", "2 days this week")
    assert progress.target == "3-5 a day"
    weekly_habit = Assignment(FEELING_WORDS, start=MON)
    progress = today_progress(weekly_habit, logs((7, 1)), today=day(9))
    assert (progress.today_text, progress.period_text) == ("0 today", "1 of 2-3 this week")
    assert progress.reason is None


def test_today_progress_says_why_a_paused_day_is_not_counted():
    habit = Assignment(CHECKIN, start=MON, pauses=(Pause(day(8), None),))
    progress = today_progress(habit, [Log(day(9), done=True, minutes=10)], today=day(9))
    assert (progress.reason, progress.today, progress.minutes_today) == (PAUSED, 1, 10)
    assert progress.today_text == "1 of 1 today"


def test_logs_after_today_are_not_counted_yet():
    habit = Assignment(CHECKIN, start=MON)
    (week,) = weekly(habit, [Log(day(3), done=True)], today=day(2), weeks=1)
    assert (week.asked, week.kept, week.logged) == (2, 0, 0)


# Time zones: the couple's day, DST included -----------------------------------------------------

@pytest.mark.parametrize(
    ("moment", "zone", "local"),
    [
        # Berlin springs forward on Sunday 29 March 2026 (CET +1 to CEST +2).
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 29)),
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 3, 30)),
        # Berlin falls back on Sunday 25 October 2026.
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "Europe/Berlin", date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "Europe/Berlin", date(2026, 10, 26)),
        # New York springs forward on Sunday 8 March and falls back on Sunday 1 November 2026.
        (datetime(2026, 3, 9, 3, 59, tzinfo=UTC), "America/New_York", date(2026, 3, 8)),
        (datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 9)),
        (datetime(2026, 11, 2, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 11, 1)),
        (datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "America/New_York", date(2026, 11, 2)),
    ],
)
def test_today_is_the_couples_day_across_dst(moment, zone, local):
    with time_machine.travel(moment, tick=False):
        assert local_today(datetime.now(UTC), zone) == local


def test_the_week_turns_at_local_midnight_on_a_dst_sunday():
    habit = Assignment(FEELING_WORDS, start=date(2026, 10, 19))
    sunday_evening = [Log(date(2026, 10, 25), count=2)]  # the 25-hour Sunday clocks go back
    with time_machine.travel(datetime(2026, 10, 25, 22, 30, tzinfo=UTC), tick=False):
        today = local_today(datetime.now(UTC), "Europe/Berlin")  # 23:30 in Berlin, still Sunday
        assert week_of(today) == date(2026, 10, 19)
        (week,) = weekly(habit, sunday_evening, today, weeks=1)
        assert (week.asked, week.kept) == (1, 1)
        assert today_progress(habit, sunday_evening, today).period_text == "2 of 2-3 this week"
    with time_machine.travel(datetime(2026, 10, 25, 23, 30, tzinfo=UTC), tick=False):
        today = local_today(datetime.now(UTC), "Europe/Berlin")  # 00:30 on Monday in Berlin
        assert week_of(today) == date(2026, 10, 26)
        last, this = weekly(habit, sunday_evening, today, weeks=2)
        assert (last.asked, last.kept, this.asked, this.reason) == (1, 1, 0, IN_PROGRESS)
        assert today_progress(habit, sunday_evening, today).period_text == "0 of 2-3 this week"


def test_new_york_sunday_evening_is_not_monday_in_utc():
    habit = Assignment(CHECKIN, start=date(2026, 10, 26))
    with time_machine.travel(datetime(2026, 11, 2, 3, 0, tzinfo=UTC), tick=False):
        today = local_today(datetime.now(UTC), "America/New_York")  # 22:00 Sunday 1 November, EST
        assert today == date(2026, 11, 1) and week_of(today) == date(2026, 10, 26)
        progress = today_progress(habit, [Log(today, done=True)], today)
        assert (progress.today_text, progress.period_text) == ("1 of 1 today", "1 day this week")


def test_local_today_needs_an_aware_moment():
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2026, 3, 29, 12, 0), "Europe/Berlin")


# The counselor's grid, balance, since the last session -----------------------------------------

def test_the_grid_has_eight_weeks_newest_last_and_a_row_per_partner():
    habit = Assignment(CHECKIN, start=date(2026, 10, 1))
    anna = [Log(date(2026, 10, 1) + timedelta(days=i), done=True) for i in range(0, 40, 2)]
    ben = [Log(date(2026, 11, 1), done=True)]
    shown = grid(habit, {"anna": anna, "ben": ben}, today=date(2026, 11, 18))
    assert shown.mondays[0] == date(2026, 9, 28) and shown.mondays[-1] == date(2026, 11, 16)
    assert len(shown.mondays) == 8 and (shown.target, shown.unit) == ("1 a day", "day")
    anna_row, ben_row = shown.rows
    assert anna_row.partner == "anna" and len(anna_row.weeks) == 8
    assert anna_row.weeks[0].left_out == ((BEFORE_START, 3),)
    # 1 Oct to 17 Nov is 48 days (today, 18 Nov, is in progress); Anna logged every other day to 8 Nov.
    assert (anna_row.asked, anna_row.kept, ben_row.asked, ben_row.kept) == (48, 20, 48, 1)
    assert shown.balance.carried_by == "anna"


@pytest.mark.parametrize(
    ("anna", "ben", "carried_by"),
    [(9, 3, "anna"), (8, 3, None), (3, 9, "ben"), (5, 0, None), (6, 0, "anna"), (6, 6, None)],
    ids=["three quarters", "just under", "the other partner", "too few logs", "enough logs", "even"],
)
def test_balance_flags_gently_when_one_partner_carries_most(anna, ben, carried_by):
    found = balance({"anna": logs((0, anna)), "ben": logs((1, ben))}, MON, day(6))
    assert found.carried_by == carried_by
    assert found.total == anna + ben


def test_balance_counts_only_the_stretch_asked_and_never_flags_one_partner():
    found = balance({"anna": logs((0, 9), (20, 50)), "ben": logs((1, 3))}, MON, day(6))
    assert [(s.partner, s.logged, s.share) for s in found.shares] == [
        ("anna", 9, Fraction(3, 4)), ("ben", 3, Fraction(1, 4))]
    assert balance({"anna": logs((0, 50))}, MON, day(6)).carried_by is None
    assert BALANCE_MIN_LOGGED == 6


def test_summary_since_the_last_session_in_plain_lines():
    habit = Assignment(CHECKIN, start=MON)
    anna = [Log(day(i), done=True, minutes=10) for i in (7, 8, 9, 11)] + [Log(day(14), done=True)]
    found = summary_since(day(8), day(14), habit, {"a": anna, "b": []}, names={"a": "Anna", "b": "Ben"})
    assert [s.line for s in found] == [
        "Anna: logged 4 times on 4 days, 30 minutes; kept 4 of 7 days.",
        "Ben: no logs; kept 0 of 6 days.",
    ]
    assert (found[0].logs, found[0].logged, found[0].days_logged, found[0].minutes) == (4, 4, 4, 30)


def test_summary_since_judges_a_week_begun_before_on_all_its_logs():
    habit = Assignment(FEELING_WORDS, start=MON)
    found = summary_since(day(10), day(14), habit, {"Anna": logs((7, 1), (11, 1))})
    assert [s.line for s in found] == ["Anna: logged 1 time on 1 day; kept 1 of 1 week."]
    as_needed = summary_since(day(10), day(14), Assignment(REPAIR, start=MON), {"Ben": logs((11, 2))})
    assert [s.line for s in as_needed] == ["Ben: logged 2 times on 1 day."]


# Properties ---------------------------------------------------------------------------------------

def frequencies():
    """Any target the catalogue could hold."""
    def build(kind, low, spread, n):
        if kind == "as_needed":
            return Frequency(kind)
        return Frequency(kind, min=low, max=None if spread is None else low + spread,
                         n=n if kind == "every_n_weeks" else None)
    return st.builds(build, st.sampled_from(["per_day", "per_week", "per_month", "every_n_weeks",
                                             "as_needed"]),
                     st.integers(1, 3), st.none() | st.integers(0, 2), st.integers(1, 3))


offsets = st.integers(-10, 110)
pauses = st.lists(st.tuples(offsets, st.none() | st.integers(0, 20)), max_size=2).map(
    lambda ps: tuple(Pause(day(a), None if b is None else day(a + b)) for a, b in ps))
assignments = st.builds(
    lambda frequency, start, length, ps: Assignment(frequency, day(start),
                                                    None if length is None else day(start + length), ps),
    frequencies(), st.integers(0, 40), st.none() | st.integers(0, 80), pauses)
a_log = st.builds(lambda offset, count, minutes, done: Log(day(offset), count, minutes, done),
                  offsets, st.none() | st.integers(0, 5), st.none() | st.integers(0, 30), st.booleans())
todays = offsets.map(day)
WEEKS = 18


def unmet(weeks) -> list[int]:
    """Periods asked for and not kept, week by week."""
    return [w.asked - w.kept for w in weeks]


@settings(max_examples=200, deadline=None)
@given(assignments, st.lists(a_log, max_size=25), todays)
def test_kept_never_exceeds_asked(habit, some_logs, today):
    for week in weekly(habit, some_logs, today, WEEKS):
        assert 0 <= week.kept <= week.asked
        assert (week.reason is None) == (week.asked > 0)
        if habit.frequency.kind == "as_needed":
            assert week.asked == 0
        if week.monday > today:
            assert week.asked == 0


@settings(max_examples=200, deadline=None)
@given(assignments, st.lists(a_log, max_size=25), a_log, todays)
def test_adding_a_log_never_lowers_adherence(habit, some_logs, extra, today):
    before = weekly(habit, some_logs, today, WEEKS)
    after = weekly(habit, [*some_logs, extra], today, WEEKS)
    for old, new in zip(before, after, strict=True):
        assert new.kept >= old.kept
        assert new.asked - new.kept <= old.asked - old.kept
        assert new.logged >= old.logged


@settings(max_examples=200, deadline=None)
@given(assignments, st.lists(a_log, max_size=25), todays, offsets, st.integers(0, 20))
def test_a_pause_never_counts_against_anyone(habit, some_logs, today, first, length):
    pause = Pause(day(first), day(first + length))
    paused = Assignment(habit.frequency, habit.start, habit.end, (*habit.pauses, pause))
    before = weekly(habit, some_logs, today, WEEKS)
    after = weekly(paused, some_logs, today, WEEKS)
    for old, new in zip(before, after, strict=True):
        assert new.asked - new.kept <= old.asked - old.kept
        whole_week_paused = pause.first_day <= new.monday and new.monday + timedelta(days=6) <= pause.last_day
        if whole_week_paused:
            assert new.asked == 0 and new.reason in (PAUSED, BEFORE_START, AFTER_END)
        for period in new.periods:
            if pause.first_day <= period.last_day and period.first_day <= pause.last_day:
                assert period.asked == 0


@settings(max_examples=200, deadline=None)
@given(assignments, st.lists(a_log, max_size=25), todays, st.data())
def test_results_do_not_depend_on_log_order(habit, some_logs, today, data):
    shuffled = data.draw(st.permutations(some_logs))
    assert weekly(habit, shuffled, today, WEEKS) == weekly(habit, some_logs, today, WEEKS)
    assert today_progress(habit, shuffled, today) == today_progress(habit, some_logs, today)
    since = today - timedelta(days=10)
    assert (summary_since(since, today, habit, {"a": shuffled})
            == summary_since(since, today, habit, {"a": some_logs}))


def test_describe_words_a_week_in_progress_and_a_week_inside_a_month():
    habit = Assignment(RETRO, start=date(2026, 10, 1))
    weeks = weekly(habit, [Log(date(2026, 11, 3), done=True)], today=date(2026, 11, 18), weeks=3)
    assert [describe(w, RETRO) for w in weeks] == [
        "Counted in the week its month ends; 1 logged", "Counted in the week its month ends; 0 logged",
        "In progress; 0 logged"]
    per_day = Assignment(CHECKIN, start=MON, pauses=(Pause(day(5), day(6)),))
    (week,) = weekly(per_day, [Log(day(0), done=True, minutes=10)], today=day(7), weeks=2)[:1]
    assert describe(week, CHECKIN) == "Kept 1 of 5 days; 1 logged; 10 minutes; 2 days paused"


@pytest.mark.parametrize(
    ("frequency", "needed"),
    [(CHECKIN, date(2026, 9, 28)), (FEELING_WORDS, date(2026, 9, 28)), (RETRO, date(2026, 9, 1)),
     (FUTURE_US, date(2026, 9, 17)), (REPAIR, date(2026, 9, 28))],
    ids=["per_day", "per_week", "per_month", "every_n_weeks", "as_needed"],
)
def test_logs_needed_for_a_grid_reach_back_to_the_first_period_shown(frequency, needed):
    habit = Assignment(frequency, start=date(2026, 10, 1))
    first_monday = date(2026, 9, 28)
    assert logs_needed_from(habit, first_monday) == needed


def test_a_grid_given_only_the_logs_needed_counts_as_with_all_of_them():
    habit = Assignment(RETRO, start=date(2026, 8, 1))
    every_log = [Log(date(2026, 9, 10), done=True), Log(date(2026, 10, 10), done=True)]
    today = date(2026, 11, 18)
    first = logs_needed_from(habit, week_of(today) - timedelta(weeks=7))
    assert first == date(2026, 9, 1)
    needed = [log for log in every_log if log.day >= first]
    assert weekly(habit, needed, today) == weekly(habit, every_log, today)
    assert weekly(habit, needed, today)[0].kept == 1  # September ends on Wednesday 30th, in the first week


@settings(max_examples=200, deadline=None)
@given(assignments, st.lists(a_log, max_size=25), todays)
def test_logs_before_logs_needed_from_never_change_a_grid(habit, some_logs, today):
    first = logs_needed_from(habit, week_of(today) - timedelta(weeks=WEEKS - 1))
    needed = [log for log in some_logs if log.day >= first]
    assert weekly(habit, needed, today, WEEKS) == weekly(habit, some_logs, today, WEEKS)
