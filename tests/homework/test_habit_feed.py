"""The calendar feed: a private link per partner, neutral titles by default, never a note (Z4, A7)."""

import re

import pytest
from icalendar import Calendar

from practice.extensions import db
from practice.homework import services
from practice.homework.frequency import Frequency
from practice.homework.week import today_for
from tests.conftest import csrf_from
from tests.web.webpage import text_of


def give(app, couple, counselor, title, frequency, partner=None):
    """Assign a custom habit to the couple (or one partner)."""
    with app.test_request_context():
        habit = services.assign_habit(couple, counselor, {
            "title": title, "frequency": frequency, "log_fields": ["done", "note", "feeling"],
            "partner_id": partner.id if partner else None}, today_for(couple.time_zone))
    db.session.commit()
    return habit


@pytest.fixture
def habits(app, world):
    """Couple 1: a daily walk for both, a fortnightly plan for both, repair as needed, a journal for Bea."""
    couple, x = world["couple1"], world["X"]
    return {
        "walk": give(app, couple, x, "Evening walk", Frequency("per_day", 1, 1, minutes=20)),
        "plan": give(app, couple, x, "Plan together", Frequency("every_n_weeks", 1, 1, n=2)),
        "repair": give(app, couple, x, "Repair", Frequency("as_needed")),
        "journal": give(app, couple, x, "Journal alone", Frequency("per_week", 2, 3), couple.partners[1]),
    }


def feed_link(client) -> str:
    """Make the partner's calendar link on the settings page and read it off the page."""
    page = client.get("/portal/habits/settings").get_data(as_text=True)
    client.post("/portal/habits/calendar", data={"csrf_token": csrf_from(page), "action": "start"})
    shown = client.get("/portal/habits/settings").get_data(as_text=True)
    return re.search(r'id="feed-link"[^>]*value="([^"]+)"', shown)[1].replace("http://localhost", "")


def events(client, link) -> dict:
    """The feed's events by summary, and its raw text."""
    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = Calendar.from_ical(answer.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, answer.get_data(as_text=True)


def test_the_feed_names_habits_neutrally_and_holds_no_note(world, habits, new_client):
    pat = new_client()
    pat.auth.login(world["P1A"])
    with pat.application.test_request_context():
        services.log_habit(habits["walk"], world["couple1"].partners[0].id,
                           {"note": "Secret garden talk", "feeling": "hopeful"}, today_for("America/Chicago"))
    db.session.commit()
    found, raw = events(pat, feed_link(pat))
    assert set(found) == {"Daily practice", "Practice"}  # the walk and the fortnightly plan
    assert "Evening walk" not in raw and "Secret garden" not in raw and "hopeful" not in raw
    assert "Journal alone" not in raw and "Repair" not in raw  # Bea's alone; as-needed has no rhythm
    assert found["Daily practice"]["rrule"]["FREQ"] == ["DAILY"]
    assert found["Practice"]["rrule"]["INTERVAL"] == [2]


def test_with_discreet_titles_off_the_habits_are_named(world, habits, new_client):
    bea = new_client()
    bea.auth.login(world["P1B"])
    link = feed_link(bea)
    token = csrf_from(bea.get("/portal/habits/settings").get_data(as_text=True))
    bea.post("/portal/habits/calendar", data={"csrf_token": token, "action": "options", "at": "07:00"})
    found, _ = events(bea, link)
    assert set(found) == {"Evening walk", "Plan together", "Journal alone"}
    assert found["Evening walk"]["dtstart"].dt.hour == 7


def test_a_new_link_or_turning_it_off_ends_the_old_one(world, habits, new_client):
    pat = new_client()
    pat.auth.login(world["P1A"])
    first = feed_link(pat)
    second = feed_link(pat)
    assert pat.get(first).status_code == 404 and pat.get(second).status_code == 200
    token = csrf_from(pat.get("/portal/habits/settings").get_data(as_text=True))
    pat.post("/portal/habits/calendar", data={"csrf_token": token, "action": "stop"})
    assert pat.get(second).status_code == 404
    assert "Make my calendar link" in text_of(pat.get("/portal/habits/settings"))


def test_the_link_dies_with_the_accounts_other_access(app, world, habits, new_client):
    from practice.auth import sessions

    pat = new_client()
    pat.auth.login(world["P1A"])
    link = feed_link(pat)
    with app.test_request_context():
        sessions.end_all(world["P1A"])  # as a password change, reset or deactivation does
    db.session.commit()
    assert new_client().get(link).status_code == 404


def test_an_unknown_token_is_the_same_404_as_a_stopped_one(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
