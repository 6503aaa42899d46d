"""A6/D2: what a counselor was typing when the idle timeout struck comes back after sign-in."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from practice.auth.drafts import FormDraft
from practice.extensions import db


def test_typing_survives_the_idle_timeout(client, auth, make_user):
    counselor = make_user("counselor")
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        auth.login(counselor)
        token = auth.csrf("/couples/new")
        clock.shift(timedelta(minutes=16))
        response = client.post("/couples/new", data={
            "csrf_token": token, "partner_a.name": "Rosa Díaz", "partner_a.email": "rosa@example.com",
            "partner_b.name": "Jun Park", "partner_b.email": "", "time_zone": "America/Chicago",
            "confidentiality": "no_secrets",
        })
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        stored = db.session.scalar(select(FormDraft))
        assert "Rosa" not in stored.body, "the draft is stored encrypted"
        clock.shift(timedelta(seconds=31))  # a fresh TOTP window for the second sign-in
        auth.login(counselor)
        page = client.get("/couples/new").get_data(as_text=True)
    assert 'value="Rosa Díaz"' in page and 'value="Jun Park"' in page
    assert "before you were signed out" in page
    again = client.get("/couples/new").get_data(as_text=True)
    assert "Rosa Díaz" not in again, "a draft is restored once"
