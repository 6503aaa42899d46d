"""A partner's private calendar feed: each habit meant for them as a recurring event.

The feed holds when and what only: never a note, a feeling or a count. With discreet titles (the
default) every event is named by its rhythm alone ("Daily practice"), so a phone's lock screen
reveals nothing. As-needed habits have no rhythm and are left out; paused and ended ones too.
"""

import hashlib
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

#: The recurrence of each kind, and its discreet title.
RHYTHM = {"per_day": ("DAILY", "Daily practice"), "per_week": ("WEEKLY", "Weekly practice"),
          "per_month": ("MONTHLY", "Monthly practice"), "every_n_weeks": ("WEEKLY", "Practice")}
#: How long an event lasts on the calendar when the habit has no length of its own.
DEFAULT_MINUTES = 10


def new_token() -> tuple[str, str]:
    """A feed token for the link and the hash kept in the database."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 of a feed token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def build(habits: list[dict], zone: str, at: time, discreet: bool) -> bytes:
    """The feed as iCalendar bytes: one recurring event per habit with a rhythm."""
    calendar = Calendar()
    calendar.add("prodid", "-//SecureBase//Habits//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Practice" if discreet else "SecureBase habits")
    tz = ZoneInfo(zone)
    for habit in habits:
        if habit["kind"] not in RHYTHM:
            continue
        frequency, neutral = RHYTHM[habit["kind"]]
        # Anchored on the first day, so a weekly habit keeps its weekday and a window its phase.
        start = datetime.combine(habit["starts_on"], at, tzinfo=tz)
        event = Event()
        event.add("uid", f"{habit['id']}@securebase")
        event.add("summary", neutral if discreet else habit["title"])
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=habit.get("minutes") or DEFAULT_MINUTES))
        event.add("dtstamp", datetime.now(tz))
        rule = {"freq": frequency}
        if habit["kind"] == "every_n_weeks":
            rule["interval"] = habit["n"]
        if habit["ends_on"]:  # RFC 5545: with a zoned start, UNTIL is in UTC
            rule["until"] = datetime.combine(habit["ends_on"], time(23, 59), tzinfo=tz).astimezone(UTC)
        event.add("rrule", vRecur(rule))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
