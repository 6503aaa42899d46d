"""CSRF, headers, caching: SECURITY.md C1, C2, C3."""

import re
import secrets
import uuid

import pytest
import sqlalchemy as sa

from practice.couples.models import Partner
from practice.extensions import db
from tests.conftest import couple_form, csrf_from
from tests.routes import url_for_rule

#: Tables that record that something was looked at, not a change a person made.
BOOKKEEPING = {"audit_event", "audit_head", "login_session"}


def table_state() -> dict:
    """Every row of every table a person's change would touch."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        rows = db.session.execute(sa.select(table)).all()
        state[table.name] = sorted(repr(tuple(row)) for row in rows)
    return state


def audit_count() -> int:
    """How many audit events exist."""
    return db.session.scalar(sa.text("SELECT count(*) FROM audit_event"))


def who_for(rule) -> str:
    """The person who may use a route: the counselor, the admin, a partner or a stranger."""
    if rule.rule.startswith("/couples"):
        return "X"
    if rule.rule.startswith("/admin"):
        return "admin"
    if rule.rule.startswith(("/portal", "/api")):
        return "P1A"
    if (
        rule.rule.startswith(("/invite", "/login", "/reset", "/tf-", "/mf-recovery"))
        and rule.rule != "/mf-recovery-codes"
    ):
        return ""
    return "X"


# C1 ---------------------------------------------------------------------------------------------


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    app, world, route_ids, new_client
):
    """C1: every POST route, sent by the right person but without a token: 400, nothing saved."""
    browsers = {"": new_client()}
    for name in ("X", "admin", "P1A"):
        browsers[name] = new_client()
        browsers[name].auth.login(world[name])
    before, events = table_state(), audit_count()
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 10
    for rule in posts:
        url = url_for_rule(rule, route_ids)
        browser = browsers[who_for(rule)]
        for kwargs in (
            {"data": {"password": "a long enough passphrase", "active": "0"}},
            {"json": {"password": "a long enough passphrase"}},
            {"data": {"csrf_token": "forged-" + secrets.token_hex(8)}},
        ):
            response = browser.post(url, **kwargs)
            assert response.status_code == 400, (url, kwargs, response.status_code)
            text = response.get_data(as_text=True)
            assert "expired" in text or "security token" in text, url
    assert table_state() == before
    assert audit_count() == events
    for name in ("X", "admin", "P1A"):
        assert browsers[name].get("/api/v1/me").status_code == 200


def test_a_token_from_another_browser_is_refused(client, auth, world, new_client):
    """C1: a valid token lifted from someone else's page does not work in this browser."""
    other = new_client()
    other.auth.login(world["Y"])
    stolen = other.auth.csrf("/couples/")
    auth.login(world["X"])
    couple = world["couple1"]
    response = client.post(f"/couples/{couple.id}/archive", data={"csrf_token": stolen})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(couple), couple.id).status == "active"



def test_a_reused_page_token_still_works_and_signing_out_changes_it(client, auth, world):
    """C1: pages of one sign-in may carry one signed token (practice.csrf_tokens); it is accepted,
    and after signing out and in again the old one is refused."""
    auth.login(world["P1A"])
    first = auth.csrf("/account")
    assert auth.csrf("/account") == first
    assert client.post("/logout", data={"csrf_token": first}).status_code in (302, 303)
    assert client.get("/api/v1/me").status_code == 401
    auth.login(world["P1A"])
    assert auth.csrf("/account") != first
    assert client.post("/logout", data={"csrf_token": first}).status_code == 400
    assert client.get("/api/v1/me").status_code == 200


def test_get_requests_change_nothing(app, world, route_ids, new_client):
    """C1: opening every page (GET) as each role leaves every table as it was."""
    browsers = {}
    for name in ("X", "admin", "P1A", "Y"):
        browsers[name] = new_client()
        browsers[name].auth.login(world[name])
    before = table_state()
    gets = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    for rule in gets:
        url = url_for_rule(rule, route_ids)
        for name, browser in browsers.items():
            response = browser.get(url)
            response.close()
            assert response.status_code < 500, (name, url, response.status_code)
    stranger = new_client()
    for rule in gets:
        response = stranger.get(url_for_rule(rule, route_ids))
        response.close()
        assert response.status_code < 500
    assert table_state() == before
    assert db.session.get(Partner, uuid.UUID(route_ids["invited_partner_id"])).user_id is None


def test_signing_out_needs_a_post_with_a_token(client, auth, world):
    """C1: a link or image pointing at /logout does not sign anyone out."""
    auth.login(world["P1A"])
    assert client.get("/logout").status_code in (302, 405)
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    auth.logout()
    assert client.get("/api/v1/me").status_code == 401


# C2 ---------------------------------------------------------------------------------------------


def assert_security_headers(response, label):
    """The headers every response must carry."""
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", label
    assert directives.get("object-src") == "object-src 'none'", label
    assert directives.get("base-uri") == "base-uri 'none'", label
    assert "unsafe-inline" not in directives.get("script-src", "script-src"), label
    assert response.headers.get("X-Content-Type-Options") == "nosniff", label
    assert response.headers.get("Referrer-Policy") in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ), label


@pytest.fixture
def broken_app(app):
    """The app with test-only routes that fail, to see the 500 answers."""

    def boom():
        raise RuntimeError("secret detail that must not reach the browser")

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.add_url_rule("/api/v1/test-boom", "test_api_boom", boom)
    return app


def every_kind_of_response(client, auth, world):
    """One response of each kind: page, JSON, redirect, errors, static file."""
    responses = {
        "login page": client.get("/login"),
        "redirect": client.get("/"),
        "404 page": client.get("/no-such-page"),
        "404 json": client.get("/api/v1/no-such-thing"),
        "401 json": client.get("/api/v1/me"),
        "static": client.get("/static/css/app.css", buffered=True),
        "csrf 400": client.post("/login", data={"email": "a@example.com"}),
        "500 page": client.get("/test-boom"),
        "500 json": client.get("/api/v1/test-boom"),
        "openapi": client.get("/api/v1/openapi.json"),
    }
    auth.login(world["P1A"])
    responses.update(
        {
            "portal page": client.get("/portal/"),
            "json": client.get("/api/v1/couple"),
            "405 json": client.delete(
                "/api/v1/couple", headers={"X-CSRFToken": auth.csrf("/account")}
            ),
            "403 page": client.get("/couples/"),
            "413 page": client.post("/login", data={"x": "y" * (1024 * 1024 + 1)}),
        }
    )
    return responses


def test_every_kind_of_response_carries_the_security_headers(broken_app, client, auth, world):
    """C2: pages, JSON, redirects, 4xx, 500s and static files all carry CSP, nosniff, referrer."""
    responses = every_kind_of_response(client, auth, world)
    expected = {
        "404 page": 404,
        "404 json": 404,
        "401 json": 401,
        "500 page": 500,
        "500 json": 500,
        "405 json": 405,
        "403 page": 403,
        "413 page": 413,
        "csrf 400": 400,
        "redirect": 302,
    }
    for label, response in responses.items():
        assert response.status_code == expected.get(label, 200), (label, response.status_code)
        assert_security_headers(response, label)
        assert "Strict-Transport-Security" not in response.headers, label


def test_the_500_page_is_calm_and_hides_the_error(broken_app, client):
    """C2: a server error shows the friendly page or JSON, never the exception."""
    page = client.get("/test-boom")
    text = page.get_data(as_text=True)
    assert "Something went wrong on our side" in text
    assert "secret detail" not in text and "Traceback" not in text
    answer = client.get("/api/v1/test-boom")
    assert answer.json["code"] == 500
    assert "secret detail" not in answer.get_data(as_text=True)


def test_rate_limited_answers_carry_the_headers_too(client, make_user):
    """C2: a 429 is a response like any other."""
    user = make_user("partner")
    for _ in range(6):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            data={"email": user.email, "password": "wrong one entirely", "csrf_token": token},
        )
    assert response.status_code == 429
    assert_security_headers(response, "429")


def test_hsts_is_sent_under_https(broken_app, client, world):
    """C2: over HTTPS every response carries HSTS of at least a year."""
    for path in ("/login", "/no-such-page", "/api/v1/me", "/test-boom", "/static/css/app.css"):
        response = client.get(path, base_url="https://localhost", buffered=True)
        hsts = response.headers.get("Strict-Transport-Security", "")
        age = re.search(r"max-age=(\d+)", hsts)
        assert age and int(age.group(1)) >= 31536000, path
        assert_security_headers(response, path)


# C3 ---------------------------------------------------------------------------------------------


def test_pages_with_client_data_are_never_cached(app, client, auth, world, route_ids, new_client):
    """C3: every page and API answer that can hold client data sends Cache-Control: no-store."""
    couple = world["couple1"]
    auth.login(world["X"])
    for url in (
        "/couples/",
        f"/couples/{couple.id}",
        f"/couples/{couple.id}/edit",
        f"/couples/{couple.id}/audit",
        "/account",
        "/no-such-page",
    ):
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url
    searched = client.post("/couples/", data={"q": "Pat", "csrf_token": auth.csrf("/couples/")},
                           follow_redirects=True)
    assert "no-store" in searched.headers.get("Cache-Control", "")
    partner = new_client()
    partner.auth.login(world["P1A"])
    for url in ("/portal/", "/api/v1/couple", "/api/v1/me"):
        assert "no-store" in partner.get(url).headers.get("Cache-Control", ""), url
    invitation = new_client().get(url_for_rule("/invite/<token>", route_ids))
    assert invitation.status_code == 200
    assert "no-store" in invitation.headers["Cache-Control"]


def test_links_and_redirects_carry_no_client_names_or_emails(client, auth, world):
    """C3: after adding a couple, and on its pages, URLs hold ids, never names or emails."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = client.post(
        "/couples/new",
        data=couple_form(token, **{"partner_a.name": "Quinn Private", "partner_b.name": "Rae Private"}),
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    page = client.get(location)
    urls = [location] + re.findall(r'(?:href|action)="([^"]*)"', page.get_data(as_text=True))
    for url in urls:
        for secret in ("Quinn", "Rae", "quinn-", "rae-", "Private"):
            assert secret not in url, url
