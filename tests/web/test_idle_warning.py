"""WCAG 2.2.1 and A6: the page knows when the idle timeout comes, can ask for more time, and what
was typed survives the timeout. (The browser side is tests/browser/test_page_chrome.py.)"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from webpage import csrf_token, field_value, flashes, text_of

from practice.admin.models import StaffInvitation
from practice.auth.drafts import FormDraft
from practice.couples.models import Couple
from practice.extensions import db


def warning_of(response) -> dict[str, str]:
    """The idle warning's data attributes (what the script reads), or {} if the page has none."""
    body = response.get_data(as_text=True)
    match = re.search(r'<dialog\b[^>]*id="idle-warning"[^>]*>', body)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', match.group(0))) if match else {}


def token_of(response) -> str:
    """The CSRF token the page gives its scripts."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)


def keep_alive(client, token):
    """What the warning's "Stay signed in" button sends."""
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    return client.post("/session/keep-alive", json={}, headers=headers)


@pytest.fixture
def clock():
    """A running clock the test can move on."""
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        yield traveller


def test_a_signed_in_page_tells_its_script_when_the_session_ends(client, auth, world, clock):
    auth.login(world["P1A"])

    warning = warning_of(client.get("/portal/"))

    assert 899 <= int(warning["seconds-left"]) <= 900
    assert warning["warn-seconds"] == "60"
    assert warning["keep-alive-url"] == "/session/keep-alive"
    page = client.get("/portal/").get_data(as_text=True)
    assert 'role="alertdialog"' in page and ">Stay signed in</button>" in page
    assert "js/idle-warning.js" in page


def test_no_warning_for_someone_not_signed_in(client):
    assert warning_of(client.get("/help")) == {}
    assert warning_of(client.get("/login")) == {}


def test_the_time_left_counts_from_the_last_activity_and_the_status_check_does_not_extend_it(
        client, auth, world, clock):
    auth.login(world["P1A"])
    clock.shift(timedelta(minutes=10))

    first = client.get("/session/status").get_json()["seconds_left"]
    clock.shift(timedelta(minutes=2))
    second = client.get("/session/status").get_json()["seconds_left"]

    assert 295 <= first <= 300
    assert 175 <= second <= 180, "asking how long is left is not activity"


def test_stay_signed_in_gives_the_full_timeout_again(client, auth, world, clock):
    auth.login(world["P1A"])
    token = token_of(client.get("/portal/"))
    clock.shift(timedelta(minutes=14, seconds=10))

    response = keep_alive(client, token)

    assert response.status_code == 200 and 899 <= response.get_json()["seconds_left"] <= 900
    clock.shift(timedelta(minutes=14))
    assert client.get("/portal/").status_code == 200, "still signed in 28 minutes after sign-in"


def test_stay_signed_in_needs_the_csrf_token(client, auth, world):
    auth.login(world["P1A"])

    response = client.post("/session/keep-alive", json={}, headers={"Accept": "application/json"})

    assert response.status_code == 400


def test_too_late_to_stay_the_page_posts_its_form_and_what_was_typed_is_kept(
        client, auth, make_user, clock):
    """The script's path when time runs out: status 0 (or keep-alive 401), then the form's post."""
    counselor = make_user("counselor")
    auth.login(counselor)
    page = client.get("/couples/new")
    token = token_of(page)
    clock.shift(timedelta(minutes=15, seconds=5))

    assert client.get("/session/status").get_json() == {"seconds_left": 0}
    assert keep_alive(client, token).status_code == 401
    response = client.post("/couples/new", data={
        "csrf_token": token, "partner_a.name": "Rosa Díaz", "partner_a.email": "rosa@example.com",
        "partner_b.name": "", "partner_b.email": "", "time_zone": "America/Chicago",
        "confidentiality": "no_secrets",
    })

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(FormDraft).where(FormDraft.user_id == counselor.id)) is not None
    login = text_of(client.get(response.headers["Location"]))
    assert "signed out after 15 minutes without activity" in login
    assert "What you were typing is saved" in login


def test_once_signed_out_the_session_calls_say_401(client, auth, world):
    auth.login(world["P1A"])
    token = token_of(client.get("/portal/"))
    auth.logout()

    assert client.get("/session/status").status_code == 401
    assert keep_alive(client, token).status_code == 400, "the old page's token died with its session"
    response = keep_alive(client, csrf_token(client.get("/login")))
    assert response.status_code == 401 and response.get_json()["code"] == 401


def test_a_revoked_session_cannot_be_kept_alive(client, auth, world, browser):
    """A password change elsewhere ends this browser's session; its warning cannot revive it."""
    from practice.auth import sessions

    auth.login(world["P1A"])
    token = token_of(client.get("/portal/"))
    with client.application.test_request_context():
        sessions.end_all(world["P1A"])
    db.session.commit()

    assert keep_alive(client, token).status_code == 401
    assert client.get("/portal/").status_code == 302


def test_a_short_timeout_for_tests_and_kiosks_is_said_in_seconds(app_config, request):
    app_config["IDLE_TIMEOUT_MINUTES"] = 0.5
    client, auth, world = (request.getfixturevalue(name) for name in ("client", "auth", "world"))
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        auth.login(world["P1A"])
        assert 29 <= int(warning_of(client.get("/portal/"))["seconds-left"]) <= 30
        traveller.shift(timedelta(seconds=31))
        page = client.get("/portal/")
        assert "signed out after 30 seconds without activity" in text_of(client.get(page.headers["Location"]))


def draft_post(client, path, token, **fields):
    """What the warning posts when the server has said time is up: the form, marked as a draft."""
    return client.post(path, data={"csrf_token": token, "_idle_draft": "1", **fields})


def test_a_draft_post_while_another_tab_kept_the_session_sends_nothing_and_keeps_the_text(
        client, auth, make_user, outbox, clock):
    """The admin's half-typed "Invite a counselor" must not send an invitation by itself."""
    admin = make_user("admin")
    auth.login(admin)
    token = token_of(client.get("/admin/counselors"))

    response = draft_post(client, "/admin/counselors", token, name="Dr. Elena Moreno",
                          email="elena@example.com")

    assert response.status_code == 409
    assert "nothing was sent" in response.get_data(as_text=True)
    assert outbox == []
    assert db.session.scalars(select(StaffInvitation)).all() == []
    page = client.get("/admin/counselors")
    assert page.status_code == 200, "still signed in"
    assert field_value(page, "name") == "Dr. Elena Moreno"
    assert field_value(page, "email") == "elena@example.com"
    assert "Here is what you were typing before you were signed out. Check it and send." in flashes(page)


def test_a_draft_post_never_adds_a_couple_and_the_form_comes_back(client, auth, make_user, clock):
    counselor = make_user("counselor")
    auth.login(counselor)
    token = token_of(client.get("/couples/new"))

    response = draft_post(client, "/couples/new", token, **{
        "partner_a.name": "Rosa Díaz", "partner_a.email": "rosa@example.com",
        "partner_b.name": "Sam Díaz", "partner_b.email": "sam@example.com",
        "time_zone": "America/Chicago", "confidentiality": "no_secrets"})

    assert response.status_code == 409
    assert db.session.scalars(select(Couple)).all() == []
    assert field_value(client.get("/couples/new"), "partner_a.name") == "Rosa Díaz"


def test_a_draft_post_does_not_extend_the_session(client, auth, make_user, clock):
    counselor = make_user("counselor")
    auth.login(counselor)
    token = token_of(client.get("/couples/new"))
    clock.shift(timedelta(minutes=10))

    draft_post(client, "/couples/new", token, **{"partner_a.name": "Rosa Díaz"})

    assert client.get("/session/status").get_json()["seconds_left"] <= 5 * 60


def test_a_draft_post_after_the_timeout_is_kept_and_signs_out_without_adding_the_couple(
        client, auth, make_user, clock):
    counselor = make_user("counselor")
    auth.login(counselor)
    token = token_of(client.get("/couples/new"))
    clock.shift(timedelta(minutes=15, seconds=5))

    response = draft_post(client, "/couples/new", token, **{
        "partner_a.name": "Rosa Díaz", "partner_a.email": "rosa@example.com",
        "partner_b.name": "Sam Díaz", "partner_b.email": "sam@example.com",
        "time_zone": "America/Chicago", "confidentiality": "no_secrets"})

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(select(Couple)).all() == []
    assert "What you were typing is saved" in text_of(client.get(response.headers["Location"]))
    auth.login(counselor)
    assert field_value(client.get("/couples/new"), "partner_b.name") == "Sam Díaz"


def test_a_draft_post_with_nobody_signed_in_runs_no_view(client, couple_link):
    """Another tab ended the session first: the marked post still never reaches a form's view."""
    token = csrf_token(client.get(couple_link))

    response = client.post(couple_link, data={"csrf_token": token, "_idle_draft": "1",
                                              "password": "our kitchen smells of cinnamon",
                                              "password_confirm": "our kitchen smells of cinnamon"})

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(couple_link).status_code == 200, "the link still works: no account was made"


@pytest.fixture
def couple_link(make_user, make_couple, app):
    """A partner's open invitation link (the one form here that works without signing in)."""
    from practice.couples.invitations import invite_partner

    couple = make_couple(make_user("counselor"))
    with app.test_request_context():
        link = invite_partner(couple.partners[0])
    db.session.commit()
    return link.split("localhost", 1)[-1]
