"""A9 and A6: the session cookie is signed again when it changes or every few minutes, and the
sign-in still ends at its idle and absolute limits (practice.auth.cookie)."""

from datetime import UTC, datetime, timedelta

import time_machine

from practice.auth.cookie import RESIGN_AFTER_SECONDS

COOKIE = "securebase_session"


def session_cookie_set(response) -> bool:
    """Whether the response sets the session cookie."""
    return any(header.startswith(COOKIE + "=") for header in response.headers.getlist("Set-Cookie"))


def test_an_unchanged_session_is_not_signed_again_on_every_page(client, auth, world):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        auth.login(world["P1A"])
        client.get("/portal/")
        clock.shift(timedelta(seconds=RESIGN_AFTER_SECONDS - 30))

        assert not session_cookie_set(client.get("/portal/"))


def test_the_cookie_is_signed_again_after_a_few_minutes_so_its_expiry_follows_activity(
    client, auth, world
):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        auth.login(world["P1A"])
        clock.shift(timedelta(seconds=RESIGN_AFTER_SECONDS + 1))
        page = client.get("/portal/")

        assert page.status_code == 200
        assert session_cookie_set(page)
        assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Lax" in page.headers["Set-Cookie"]
        assert not session_cookie_set(client.get("/portal/"))


def test_a_changed_session_is_signed_at_once(client, auth, world):
    auth.login(world["P1A"])
    page = auth.logout()

    assert page.status_code == 302
    assert session_cookie_set(page)


def test_a_tampered_cookie_is_an_empty_session(client, auth, world):
    auth.login(world["P1A"])
    cookie = client.get_cookie(COOKIE)
    client.set_cookie(COOKIE, cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"))

    page = client.get("/portal/")

    assert page.status_code == 302 and "/login" in page.headers["Location"]
