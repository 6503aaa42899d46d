"""The habits API the week page's script uses: JSON in and out, the CSRF header, idempotent logging."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from practice.extensions import db
from practice.homework import services
from practice.homework.frequency import Frequency
from practice.homework.models import HabitLog
from practice.homework.week import today_for
from tests.conftest import csrf_from


@pytest.fixture
def habit(app, world):
    """"Small bids" for both partners of couple 1."""
    couple = world["couple1"]
    with app.test_request_context():
        assigned = services.assign_habit(couple, world["X"], {
            "catalogue_key": "connection_bids", "frequency": Frequency("per_day", 3, 5),
            "log_fields": ["count", "feeling", "note"]}, today_for(couple.time_zone))
    db.session.commit()
    return assigned


def browser(new_client, user):
    """A signed-in partner's browser and the CSRF header its page's script sends."""
    client = new_client()
    client.auth.login(user)
    token = csrf_from(client.get("/portal/week").get_data(as_text=True))
    return client, {"X-CSRFToken": token}


def test_the_week_lists_the_partners_habits_in_plain_counts(world, habit, new_client):
    client, _ = browser(new_client, world["P1A"])
    week = client.get("/api/v1/week").get_json()
    [shown] = week["habits"]
    assert shown["title"] == "Small bids"
    assert shown["progress"]["today_text"] == "0 of 3-5 today"
    assert shown["other_progress"]["today"] == 0


def test_a_log_is_created_once_per_idempotency_key(world, habit, new_client):
    client, headers = browser(new_client, world["P1A"])
    body = {"count": 2, "idempotency_key": "tap-1", "note": "José's joke"}
    first = client.post(f"/api/v1/habits/{habit.id}/logs", json=body, headers=headers)
    again = client.post(f"/api/v1/habits/{habit.id}/logs", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["note"] == "José's joke" and first.get_json()["times"] == 2
    assert db.session.scalar(select(db.func.count()).select_from(HabitLog)) == 1
    assert client.get("/api/v1/week").get_json()["habits"][0]["progress"]["today_text"] == "2 of 3-5 today"


def test_a_write_without_the_csrf_header_is_refused(world, habit, new_client):
    client, _ = browser(new_client, world["P1A"])
    answer = client.post(f"/api/v1/habits/{habit.id}/logs", json={"count": 1})
    assert answer.status_code == 400
    assert answer.get_json()["code"] == 400
    assert db.session.scalar(select(db.func.count()).select_from(HabitLog)) == 0


def test_the_other_partner_reads_counts_but_not_a_private_note(world, habit, new_client):
    pat, pat_headers = browser(new_client, world["P1A"])
    bea, _ = browser(new_client, world["P1B"])
    pat.post(f"/api/v1/habits/{habit.id}/logs", headers=pat_headers,
             json={"count": 1, "note": "Only mine", "feeling": "hopeful", "sharing": "private"})
    seen = bea.get("/api/v1/week")
    assert "Only mine" not in seen.get_data(as_text=True) and "hopeful" not in seen.get_data(as_text=True)
    assert seen.get_json()["habits"][0]["other_progress"]["today"] == 1


def test_another_couples_partner_gets_404_and_nothing_is_logged(world, habit, new_client):
    pia, headers = browser(new_client, world["P2A"])
    answer = pia.post(f"/api/v1/habits/{habit.id}/logs", json={"count": 1}, headers=headers)
    assert answer.status_code == 404 and answer.is_json
    assert db.session.scalar(select(db.func.count()).select_from(HabitLog)) == 0


def test_a_log_is_changed_field_by_field_and_deleted(world, habit, new_client):
    client, headers = browser(new_client, world["P1A"])
    made = client.post(f"/api/v1/habits/{habit.id}/logs", json={"count": 1, "note": "keep me"},
                       headers=headers).get_json()
    changed = client.patch(f"/api/v1/logs/{made['id']}", json={"count": 4}, headers=headers).get_json()
    assert changed["times"] == 4 and changed["note"] == "keep me"
    assert client.delete(f"/api/v1/logs/{made['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/logs/{made['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"note": "x" * 281}, "note"), ({"feeling": "euphoric-ish"}, "feeling"), ({"count": -1}, "count"),
    ({"day": "2000-01-01"}, "day"), ({"note": "a\x00b"}, "note"),
    ({"couple_id": str(uuid.uuid4())}, "couple_id"),
])
def test_bad_input_is_422_with_the_field_named(world, habit, new_client, body, field):
    client, headers = browser(new_client, world["P1A"])
    answer = client.post(f"/api/v1/habits/{habit.id}/logs", json=body, headers=headers)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]


def test_an_entry_older_than_a_week_cannot_be_changed(world, habit, new_client):
    client, headers = browser(new_client, world["P1A"])
    nine_days_ago = today_for(world["couple1"].time_zone) - timedelta(days=9)
    old = HabitLog(id=uuid.uuid4(), assignment_id=habit.id, partner_id=world["couple1"].partners[0].id,
                   day=nine_days_ago, count=1, idempotency_key="old")
    db.session.add(old)
    db.session.commit()
    answer = client.patch(f"/api/v1/logs/{old.id}", json={"count": 2}, headers=headers)
    assert answer.status_code == 422 and "day" in answer.get_json()["errors"]


def test_two_taps_at_once_with_one_key_keep_one_log(app, world, habit, new_client):
    """The race the key lookup cannot see: the second insert loses at commit and gets the first log."""
    client, headers = browser(new_client, world["P1A"])
    first = client.post(f"/api/v1/habits/{habit.id}/logs", json={"count": 1, "idempotency_key": "same"},
                        headers=headers).get_json()
    partner_id = world["couple1"].partners[0].id
    with app.test_request_context():
        racing = HabitLog(id=uuid.uuid4(), assignment_id=habit.id, partner_id=partner_id,
                          day=today_for("America/Chicago"), count=1, idempotency_key="same")
        db.session.add(racing)
        kept, new = services.commit_log(racing)
    assert (str(kept.id), new) == (first["id"], False)
    assert db.session.scalar(select(db.func.count()).select_from(HabitLog)) == 1


def test_a_body_that_is_not_json_is_refused_not_read_as_empty(world, habit, new_client):
    client, headers = browser(new_client, world["P1A"])
    answer = client.post(f"/api/v1/habits/{habit.id}/logs", data='{"note": "lost?"}',
                         headers={**headers, "Content-Type": "text/plain"})
    assert answer.status_code == 415 and answer.is_json
    assert db.session.scalar(select(db.func.count()).select_from(HabitLog)) == 0


def test_the_week_shows_only_what_the_other_partner_shared_with_the_couple(world, habit, new_client):
    pat, headers = browser(new_client, world["P1A"])
    bea, _ = browser(new_client, world["P1B"])
    for sharing in ("private", "counselor", "couple"):
        pat.post(f"/api/v1/habits/{habit.id}/logs", json={"count": 1, "note": sharing, "sharing": sharing},
                 headers=headers)
    [shown] = bea.get("/api/v1/week").get_json()["habits"]
    assert [entry["note"] for entry in shown["theirs"]] == ["couple"]
    assert shown["other_progress"]["today"] == 3
