"""The reassurance log's reflective prompts (CONTENT.md §3): gentle, for its author, never a label.

Two patterns, each read from the author's own entries: the same trigger three or more times in a
day, and relief that has been getting shorter (the median of the last five entries below the
median of the five before, the relief choices ranked in the order the worksheet lists them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

PROMPT = "This worry keeps returning. Try a soothing step first, or save it for your session?"
#: The same trigger this many times within ``WINDOW`` asks for a pause.
REPEATS = 3
WINDOW = timedelta(hours=24)
#: Entries compared for relief: the last ``RUN`` against the ``RUN`` before them.
RUN = 5


@dataclass(frozen=True)
class Logged:
    """One reassurance log entry's facts the prompts read: when, its trigger, and its relief's rank."""

    at: datetime
    trigger: str | None
    relief: int | None


def prompt(entries: Sequence[Logged], now: datetime) -> str | None:
    """The prompt to show the author now, or None when neither pattern holds."""
    recent = [e.trigger for e in entries if e.trigger and now - WINDOW <= e.at <= now]
    if any(recent.count(trigger) >= REPEATS for trigger in set(recent)):
        return PROMPT
    ranked = [e.relief for e in sorted(entries, key=lambda e: e.at) if e.relief is not None]
    if len(ranked) >= 2 * RUN and median(ranked[-RUN:]) < median(ranked[-2 * RUN:-RUN]):
        return PROMPT
    return None
