"""Input and output: SECURITY.md I1, I7, I8, I9."""

import html
import re
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import RAISE, Schema, fields

from practice.couples.models import Couple, Partner
from practice.extensions import api, db
from practice.fields import RequiredText
from tests.conftest import couple_form, csrf_from

SCRIPT = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
QUOTE_BREAK = '"><svg onload=alert(2)>'


def add_couple(client, token, **fields_):
    """Post the add-couple form; returns the response."""
    return client.post("/couples/new", data=couple_form(token, **fields_))


def assert_shown_as_text(page, *payloads):
    """The page carries each payload escaped, never as live markup."""
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for payload in payloads:
        assert payload not in body, payload
    assert "&lt;script&gt;" in body or "&lt;img" in body or "&lt;svg" in body or "&#34;&gt;" in body


def field_error(page, name) -> str:
    """The error message shown under a form field, found by its name."""
    field_id = "f-" + name.replace(".", "-")
    match = re.search(
        rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', page.get_data(as_text=True)
    )
    return html.unescape(match.group(1)) if match else ""


# I1 ---------------------------------------------------------------------------------------------


def test_script_in_names_shows_as_text_on_every_page(app, client, auth, world, new_client):
    """I1: script in partner names, pronouns and the label is plain text everywhere; CSP is on."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = add_couple(
        client,
        token,
        **{
            "label": IMG,
            "partner_a.name": f"Eve {SCRIPT} Stone",
            "partner_a.pronouns": QUOTE_BREAK,
            "partner_b.name": f"Max {IMG} Stone",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    couple = db.session.scalar(sa.select(Couple).where(Couple.label == IMG))
    partner = couple.partners[0]
    token = auth.csrf(f"/couples/{couple.id}")
    invited = client.post(
        f"/couples/{couple.id}/partners/{partner.id}/invite", data={"csrf_token": token}
    )
    assert invited.status_code == 302
    pages = {
        "caseload": client.get("/couples/"),
        "search": client.post("/couples/", data={"q": SCRIPT, "csrf_token": auth.csrf("/couples/")},
                              follow_redirects=True),
        "couple": client.get(f"/couples/{couple.id}"),
        "edit": client.get(f"/couples/{couple.id}/edit"),
    }
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', pages["couple"].get_data(as_text=True))
    assert link, "the invitation link is shown once on the couple page"
    path = urlsplit(html.unescape(link.group(1))).path
    for name, page in pages.items():
        assert_shown_as_text(page, SCRIPT, IMG, QUOTE_BREAK)
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, name

    partner_browser = new_client()
    welcome = partner_browser.get(path)
    assert_shown_as_text(welcome, SCRIPT, IMG)
    joined = partner_browser.post(
        path,
        data={
            "password": "our own long passphrase",
            "password_confirm": "our own long passphrase",
            "csrf_token": csrf_from(welcome.get_data(as_text=True)),
        },
    )
    assert joined.status_code == 302
    assert_shown_as_text(partner_browser.get("/portal/"), SCRIPT, IMG, QUOTE_BREAK)
    api_answer = partner_browser.get("/api/v1/couple")
    assert api_answer.mimetype == "application/json"
    assert api_answer.headers["X-Content-Type-Options"] == "nosniff"
    assert [p["name"] for p in api_answer.json["partners"]][0] == f"Eve {SCRIPT} Stone"
    # The partner (whose account name holds the script) now appears in the audit trail.
    assert_shown_as_text(client.get(f"/couples/{couple.id}/audit"), SCRIPT)
    assert "Eve &lt;script&gt;" in client.get(f"/couples/{couple.id}/audit").get_data(as_text=True)


def test_script_in_a_counselor_name_shows_as_text_to_admin_and_clients(
    client, auth, world, make_couple, make_user, new_client
):
    """I1: a counselor's name with markup is text in the admin list and in the partner's portal."""
    auth.login(world["admin"])
    token = auth.csrf("/admin/counselors")
    response = client.post(
        "/admin/counselors",
        data={"name": f"Dr {SCRIPT}", "email": "drx@example.com", "csrf_token": token},
    )
    assert response.status_code == 302
    # The pending invitation, then the account the counselor makes from it, show the name as text.
    assert_shown_as_text(client.get("/admin/counselors"), SCRIPT)
    counselor = make_user("counselor", email="drx2@example.com", name=f"Dr {SCRIPT}")
    assert_shown_as_text(client.get("/admin/counselors"), SCRIPT)
    couple = make_couple(counselor, joined=True)
    partner = new_client()
    partner.auth.login(couple.partners[0].user)
    assert_shown_as_text(partner.get("/portal/"), SCRIPT)


# I7 ---------------------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_gets_a_413_page(client, auth, world):
    """I7: a form post bigger than MAX_CONTENT_LENGTH gets the friendly 413 page."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = add_couple(client, token, label="x" * (1024 * 1024 + 10))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Couple)) == 2


def test_a_body_over_the_size_limit_gets_413_json_from_the_api(client, auth, world):
    """I7: the API answers an oversized body with 413 JSON."""
    auth.login(world["P1A"])
    token = auth.csrf("/account")
    response = client.post(
        "/api/v1/me",
        data="x" * (2 * 1024 * 1024),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code in (405, 413)
    assert response.is_json and "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field,limit", [("partner_a.name", 120), ("partner_b.pronouns", 40), ("label", 120)]
)
def test_a_field_over_its_length_is_named_in_a_422(client, auth, world, field, limit):
    """I7: one field too long: 422, the field is named and marked, what was typed is kept."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = add_couple(client, token, **{field: "y" * (limit + 1)})
    assert response.status_code == 422
    assert f"under {limit + 1} characters" in field_error(response, field)
    assert "y" * (limit + 1) in response.get_data(as_text=True)
    ok = add_couple(client, token, **{field: "y" * limit})
    assert ok.status_code == 302


# I8 ---------------------------------------------------------------------------------------------

UNICODE_NAMES = [
    "Dana \u202eevil\u202c Cohen",  # right-to-left override
    "Zo\u00eb\u200dAnn Ray",  # zero-width joiner
    "Sam 👩\u200d❤️\u200d👨 Lee",  # emoji sequence
    "Mari\u0301a Jose\u0301",  # combining acute accents (not normalised)
    "דנה Levi",  # Hebrew
]


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_unusual_unicode_in_names_round_trips_exactly(client, auth, world, new_client, name, app):
    """I8: RTL override, zero-width joiner, emoji and combining marks come back byte for byte."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = add_couple(client, token, **{"partner_a.name": name, "label": f"Label {name}"})
    assert response.status_code == 302
    partner = db.session.scalar(sa.select(Partner).where(Partner.name == name))
    assert partner is not None and partner.name == name
    assert partner.couple.label == f"Label {name}"
    for url in ("/couples/", f"/couples/{partner.couple_id}", f"/couples/{partner.couple_id}/edit"):
        assert name in client.get(url).get_data(as_text=True), url
    from practice.couples.invitations import accept_invitation, invite_partner

    with app.test_request_context():
        invite_partner(partner)
        accept_invitation(partner.invitations[0], "our own long passphrase")
    db.session.commit()
    browser = new_client()
    browser.auth.login(partner.user, password="our own long passphrase")
    names = [p["name"] for p in browser.get("/api/v1/couple").json["partners"]]
    assert names[0] == name
    assert browser.get("/api/v1/me").json["name"] == name


@pytest.mark.parametrize("bad", ["Kim\x00Fields", "Kim\x07Fields", "\x00"])
def test_nul_and_control_characters_are_refused_with_422(client, auth, world, bad):
    """I8: NUL and other control characters are refused with a 422 naming the field."""
    auth.login(world["X"])
    token = auth.csrf("/couples/new")
    response = add_couple(client, token, **{"partner_a.name": bad})
    assert response.status_code == 422
    assert field_error(response, "partner_a.name")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Couple)) == 2


def test_nul_in_a_search_or_sign_in_never_breaks_the_page(client, auth, world, new_client):
    """I8: NUL typed into search or the sign-in form gets a normal answer, not a 500."""
    stranger = new_client()
    token = csrf_from(stranger.get("/login").get_data(as_text=True))
    response = stranger.post(
        "/login",
        data={"email": "x\x00@example.com", "password": "p\x00ss word long", "csrf_token": token},
    )
    assert response.status_code in (200, 400, 422)
    auth.login(world["X"])
    searched = client.post("/couples/", data={"q": "Pat\x00", "csrf_token": auth.csrf("/couples/")},
                           follow_redirects=True)
    assert searched.status_code in (200, 400, 422)


# I9 ---------------------------------------------------------------------------------------------


class EchoSchema(Schema):
    """A body shaped like the portal API's future inputs."""

    class Meta:
        unknown = RAISE

    name = RequiredText(label="a name", max_length=20)
    count = fields.Integer(required=True)


@pytest.fixture
def echo_api(app):
    """A test-only JSON endpoint, so the API's handling of bad bodies can be exercised."""
    blp = ApiBlueprint(
        f"test_echo_{uuid.uuid4().hex[:6]}", __name__, url_prefix="/api/v1/test-echo"
    )

    @blp.route("")
    class Echo(MethodView):
        @blp.arguments(EchoSchema)
        @blp.response(200, EchoSchema)
        def post(self, data):
            return data

    api.register_blueprint(blp)
    return "/api/v1/test-echo"


def api_token(client):
    """A CSRF token this client can send in X-CSRFToken."""
    return csrf_from(client.get("/login").get_data(as_text=True))


def assert_clean_json_error(response, *codes):
    """A JSON error with a message and no trace of Python."""
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True))
    assert response.is_json
    body = response.get_data(as_text=True)
    for leak in ("Traceback", 'File "', "werkzeug", "sqlalchemy", "marshmallow."):
        assert leak not in body
    assert response.json["message"]
    return response.json


def test_malformed_json_gets_a_400_json_error(client, echo_api):
    """I9: a body that is not JSON gets a clear 400 JSON error."""
    token = api_token(client)
    for body in ('{"name": ', "{'name': 'single quotes'}", "\x00\xff", "[1, 2"):
        response = client.post(
            echo_api, data=body, content_type="application/json", headers={"X-CSRFToken": token}
        )
        assert_clean_json_error(response, 400, 422)


def test_wrong_content_type_is_refused_with_field_messages(client, echo_api):
    """I9: form-encoded or text bodies to a JSON endpoint are refused, not guessed at."""
    token = api_token(client)
    for kwargs in (
        {"data": '{"name": "Kim", "count": 1}', "content_type": "text/plain"},
        {"data": {"name": "Kim", "count": "1"}},
    ):
        response = client.post(echo_api, headers={"X-CSRFToken": token}, **kwargs)
        body = assert_clean_json_error(response, 400, 415, 422)
        if response.status_code == 422:
            assert {"name", "count"} <= set(body["errors"])


def test_unknown_and_invalid_fields_get_per_field_messages(client, echo_api):
    """I9: unknown fields, wrong types, too long and NUL each get their own message."""
    token = api_token(client)
    response = client.post(
        echo_api,
        json={"name": "x" * 21, "count": "many", "couple_id": "c2", "role": "admin"},
        headers={"X-CSRFToken": token},
    )
    body = assert_clean_json_error(response, 422)
    assert {"name", "count", "couple_id", "role"} <= set(body["errors"])
    response = client.post(
        echo_api, json={"name": "Kim\x00", "count": 1}, headers={"X-CSRFToken": token}
    )
    assert set(assert_clean_json_error(response, 422)["errors"]) == {"name"}
    response = client.post(
        echo_api, json=[{"name": "Kim", "count": 1}], headers={"X-CSRFToken": token}
    )
    assert_clean_json_error(response, 400, 422)
    ok = client.post(echo_api, json={"name": "Kim", "count": 1}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json == {"name": "Kim", "count": 1}


def test_real_api_endpoints_answer_bad_bodies_and_methods_in_json(client, auth, world):
    """I9: /api/v1/me and /api/v1/couple answer odd requests in JSON, never a traceback."""
    auth.login(world["P1A"])
    token = auth.csrf("/account")
    for url in ("/api/v1/me", "/api/v1/couple"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(
                url,
                method=method,
                data='{"name": ',
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            assert_clean_json_error(response, 400, 405, 422)
        response = client.get(url, data='{"name": ', content_type="application/json")
        assert response.status_code == 200 and response.is_json
    assert_clean_json_error(client.get("/api/v1/nothing-here"), 404)
