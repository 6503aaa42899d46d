"""Time zones as a counselor types and reads them: cities, labels, local times."""

from datetime import UTC, datetime

import pytest
from flask import render_template_string
from sqlalchemy import select
from webpage import field_error, field_value, text_of

from practice import timezones
from practice.couples.models import Couple
from practice.extensions import db

UNKNOWN = ("No time zone found for “{}”. Type a city, like Chicago, London or São Paulo, "
           "or choose one from the list.")


def couple_form(time_zone: str) -> dict:
    """A valid add-a-couple form with this time zone typed in."""
    return {
        "partner_a.name": "Maya Chen", "partner_a.email": "maya@example.com", "partner_a.pronouns": "",
        "partner_b.name": "Jordan Rivera", "partner_b.email": "jordan@example.com",
        "partner_b.pronouns": "", "label": "", "time_zone": time_zone, "confidentiality": "no_secrets",
    }


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Chicago", "America/Chicago"),
        ("london", "Europe/London"),
        ("new york", "America/New_York"),
        ("  New_York  ", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("SAO PAULO", "America/Sao_Paulo"),
        ("America/Chicago", "America/Chicago"),
        ("america/los_angeles", "America/Los_Angeles"),
        ("Central time — Chicago (America/Chicago)", "America/Chicago"),
        ("Москва", "Europe/Moscow"),
        ("Zürich", "Europe/Zurich"),
        ("zurich", "Europe/Zurich"),
        ("Japan", "Asia/Tokyo"),
        ("Germany", "Europe/Berlin"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Kiev", "Europe/Kyiv"),
        ("US/Central", "America/Chicago"),
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Chi\x00cago", "America/Chicago"),
    ],
)
def test_what_a_person_types_becomes_one_iana_name(typed, zone):
    assert timezones.resolve(typed) == zone


@pytest.mark.parametrize(
    ("typed", "examples"),
    [
        ("Central time", "Chicago, Guatemala, Mexico City"),
        ("United States", "Adak, Anchorage, Chicago"),
        ("Россия", "Barnaul, Chita, Irkutsk"),
    ],
)
def test_a_name_that_covers_several_zones_asks_for_the_city_and_names_examples(typed, examples):
    with pytest.raises(timezones.UnknownZone) as refused:
        timezones.resolve(typed)
    assert str(refused.value) == (f"“{typed}” covers several time zones, such as {examples}. "
                                  "Type the nearest city.")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Mars/Olympus_Mons", UNKNOWN.format("Mars/Olympus_Mons")),
        ("Анна", UNKNOWN.format("Анна")),
        # An abbreviation is not a place: tzdata's EST is Panama's clock, with no summer time.
        ("EST", UNKNOWN.format("EST")),
        ("Etc/GMT+5", UNKNOWN.format("Etc/GMT+5")),
        ("", "Type a city, like Chicago, London or São Paulo, or choose one from the list."),
        ("\x00", "Type a city, like Chicago, London or São Paulo, or choose one from the list."),
        ("x" * 5000, "Type just the city, like Chicago, London or São Paulo."),
        ("x" * 60, UNKNOWN.format("x" * 39 + "…")),
    ],
    ids=["made up", "a person's name", "abbreviation", "offset zone", "blank", "NUL", "huge", "long"],
)
def test_unknown_text_gets_a_message_naming_examples(typed, message):
    with pytest.raises(timezones.UnknownZone) as refused:
        timezones.resolve(typed)
    assert str(refused.value) == message


def test_every_label_in_the_list_reads_as_words_and_leads_back_to_its_zone():
    zones = timezones.zones()
    labels = [zone.label for zone in zones]
    assert "Central time — Chicago (America/Chicago)" in labels
    assert "British time — London (Europe/London)" in labels
    assert "Brasilia time — São Paulo (America/Sao_Paulo)" in labels
    assert len(set(labels)) == len(labels) > 300
    for zone in zones:
        # CLDR's fallbacks ("Unknown Region (UTC) Time", "Kazakhstan (Almaty) Time") never show.
        assert "Unknown" not in zone.title and "(" not in zone.title
        assert zone.title.endswith(" time") or zone.title.endswith(("Universal Time", "Mean Time"))
        assert timezones.resolve(zone.label) == zone.name


@pytest.mark.parametrize(
    ("zone", "words"),
    [
        ("America/Chicago", "Central time, Chicago"),
        ("Europe/London", "British time, London"),
        ("Pacific/Honolulu", "Hawaii time, Honolulu"),
        ("US/Central", "Central time, Chicago"),
        ("UTC", "Coordinated Universal Time"),
        ("Nowhere/Made_Up", "Nowhere/Made_Up"),
    ],
)
def test_a_stored_zone_reads_as_words(zone, words):
    assert timezones.zone_name(zone) == words


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (datetime(2026, 11, 30, 20, 5, tzinfo=UTC), "America/Chicago", "Mon 30 Nov, 2:05 pm Central time"),
        # Summer time: the same zone, an hour closer to UTC.
        (datetime(2026, 7, 1, 20, 5, tzinfo=UTC), "America/Chicago", "Wed 1 Jul, 3:05 pm Central time"),
        # SQLite gives back UTC without its zone.
        (datetime(2026, 11, 30, 9, 0), "Europe/London", "Mon 30 Nov, 9:00 am British time"),
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "Asia/Tokyo", "Tue 1 Dec, 8:30 am Japan time"),
        (datetime(2025, 12, 31, 12, 0, tzinfo=UTC), "UTC", "Wed 31 Dec 2025, 12:00 pm UTC"),
        (datetime(2026, 11, 30, 0, 15, tzinfo=UTC), "Nowhere/Made_Up", "Mon 30 Nov, 12:15 am UTC"),
    ],
)
def test_local_time_reads_in_the_couples_zone(moment, zone, shown):
    assert timezones.local_time(moment, zone, now=NOW) == shown


def test_templates_have_the_filters(app):
    with app.test_request_context():
        html = render_template_string("{{ z|zone_name }} | {{ z|zone_label }} | {{ t|local_time(z) }}",
                                      z="America/Chicago", t=datetime(2026, 11, 30, 20, 5, tzinfo=UTC))
    assert html == ("Central time, Chicago | Central time — Chicago (America/Chicago) | "
                    "Mon 30 Nov, 2:05 pm Central time")


# Through the form


def test_the_form_offers_readable_zones_as_you_type(client, counselor):
    page = client.get("/couples/new")
    body = page.get_data(as_text=True)
    assert 'list="time-zones"' in body
    assert '<option value="Central time — Chicago (America/Chicago)">' in body
    assert "Type the nearest city" in text_of(page)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("chicago", "America/Chicago"), ("São Paulo", "America/Sao_Paulo"),
     ("British time — London (Europe/London)", "Europe/London"), ("Asia/Tokyo", "Asia/Tokyo")],
)
def test_a_couple_is_saved_with_the_iana_name_of_what_was_typed(client, counselor, submit, typed, stored):
    response = submit("/couples/new", couple_form(typed))
    assert response.status_code == 302
    assert db.session.scalar(select(Couple.time_zone)) == stored


@pytest.mark.parametrize(
    "typed",
    ["<script>alert(1)</script>", "Robert'); DROP TABLE couple;--", "New\x00York\x00", "\u202eogacihC",
     "🙂" * 100, "x" * 100_000, "%00", "../../etc/passwd"],
    ids=["script", "sql", "NUL", "right-to-left override", "emoji", "huge", "encoded NUL", "path"],
)
def test_hostile_text_gets_a_message_never_an_error_page(client, counselor, submit, typed):
    page = submit("/couples/new", couple_form(typed))
    assert page.status_code in (302, 422)
    if page.status_code == 422:
        assert field_error(page, "time_zone")
        assert "<script>alert" not in page.get_data(as_text=True)


def test_a_mistake_shows_the_message_and_keeps_what_was_typed(client, counselor, submit):
    page = submit("/couples/new", couple_form("Eastern"))
    assert page.status_code == 422
    assert field_error(page, "time_zone") == (
        "“Eastern” covers several time zones, such as Cancún, Grand Turk, New York. Type the nearest city.")
    assert field_value(page, "time_zone") == "Eastern"
    assert db.session.scalar(select(Couple.id)) is None


@pytest.mark.parametrize(("typed", "zone"), [
    ("Boston", "America/New_York"), ("seattle", "America/Los_Angeles"), ("San Diego", "America/Los_Angeles"),
    ("Minneapolis", "America/Chicago"), ("Portland", "America/Los_Angeles"), ("Mumbai", "Asia/Kolkata"),
    ("Munich", "Europe/Berlin"), ("Rio de Janeiro", "America/Sao_Paulo"),
])
def test_a_city_that_names_no_zone_is_found_by_its_zone(typed, zone):
    assert timezones.resolve(typed) == zone


def test_two_towns_of_one_name_in_two_zones_ask_for_a_bigger_city():
    message = "more than one “Springfield”.*Central time and Eastern time"
    with pytest.raises(timezones.UnknownZone, match=message):
        timezones.resolve("Springfield")
