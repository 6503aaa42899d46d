"""The reassurance log's prompts (CONTENT.md §3): a worry that keeps returning, relief getting shorter."""

from datetime import datetime, timedelta

from practice.worksheets.reassurance import PROMPT, Logged, prompt

NOW = datetime(2026, 12, 1, 21, 0)


def test_the_same_trigger_three_times_in_a_day_asks_for_a_pause():
    entries = [Logged(NOW - timedelta(hours=h), "slow_reply", 2) for h in (1, 5, 20)]
    assert prompt(entries, NOW) == PROMPT
    assert prompt(entries[:2], NOW) is None


def test_three_times_over_more_than_a_day_or_three_triggers_is_not_a_pattern():
    spread = [Logged(NOW - timedelta(hours=h), "slow_reply", 2) for h in (1, 5, 30)]
    mixed = [Logged(NOW - timedelta(hours=h), trigger, 2)
             for h, trigger in ((1, "slow_reply"), (2, "tone_change"), (3, "plan_change"))]
    assert prompt(spread, NOW) is None and prompt(mixed, NOW) is None


def test_relief_getting_shorter_over_ten_entries_asks_too():
    older = [Logged(NOW - timedelta(days=20 - n), f"t{n}", 3) for n in range(5)]
    newer = [Logged(NOW - timedelta(days=10 - n), f"u{n}", 1) for n in range(5)]
    assert prompt(older + newer, NOW) == PROMPT
    assert prompt(newer + [Logged(e.at, e.trigger, 1) for e in older], NOW) is None
    assert prompt(older[1:] + newer, NOW) is None  # fewer than ten entries: too few to tell
