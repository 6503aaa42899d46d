"""The JSON API under /api/v1: who sees what, the error shape, and the OpenAPI document."""

import json

import pytest
from werkzeug.exceptions import UnprocessableEntity

from practice import errors
from practice.couples import services
from practice.extensions import db
from tests.conftest import Auth

STAFF = ("X", "Y", "admin")
PARTNERS = ("P1A", "P1B", "P2A")
ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture
def signed_in(app, world):
    """A browser signed in as one of the cast: ``signed_in("P1A")``."""

    def open_as(role):
        client = app.test_client()
        Auth(client).login(world[role])
        return client

    return open_as


@pytest.fixture
def spec(client):
    """The OpenAPI document, as anyone may fetch it."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def assert_api_error(response, status):
    """An API error: JSON, the given status, and exactly the documented keys."""
    assert response.status_code == status
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) <= ERROR_KEYS and {"code", "status", "message"} <= set(body), body
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert response.headers["Cache-Control"] == "no-store"
    return body


# /api/v1/me


@pytest.mark.parametrize("role", STAFF + PARTNERS)
def test_me_is_the_signed_in_person_only(signed_in, world, role):
    user = world[role]
    response = signed_in(role).get("/api/v1/me")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "name": user.display_name, "email": user.email, "role": user.role,
        "two_factor": role in STAFF,
    }


def test_me_signed_out_is_401_json_not_a_redirect(client):
    response = client.get("/api/v1/me")
    assert_api_error(response, 401)
    assert "Location" not in response.headers


def test_me_after_sign_out_is_401(signed_in):
    client = signed_in("P1A")
    Auth(client).logout()
    assert_api_error(client.get("/api/v1/me"), 401)


# /api/v1/couple


def couple_ids_and_names(couple) -> set[str]:
    """Strings that identify a couple: its id, its partners' ids, names and emails."""
    found = {str(couple.id)}
    for partner in couple.partners:
        found |= {str(partner.id), partner.name, partner.email}
    return found


@pytest.mark.parametrize(("role", "own", "other"), [
    ("P1A", "couple1", "couple2"), ("P1B", "couple1", "couple2"), ("P2A", "couple2", "couple1"),
])
def test_partner_sees_own_couple_summary_and_never_the_other(signed_in, world, role, own, other):
    couple, stranger = world[own], world[other]
    response = signed_in(role).get("/api/v1/couple")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == str(couple.id)
    # The label is the counselor's name for the couple in their caseload, not the partners'.
    assert "label" not in body
    assert body["counselor"] == couple.counselor.display_name
    assert body["time_zone"] == couple.time_zone
    assert body["confidentiality"] == couple.confidentiality.value
    assert [(p["id"], p["name"], p["is_me"], p["joined"]) for p in body["partners"]] == [
        (str(p.id), p.name, p.user_id == world[role].id, True) for p in couple.partners
    ]
    raw = response.get_data(as_text=True)
    leaked = {s for s in couple_ids_and_names(stranger) if s in raw}
    assert not leaked, f"{role} sees {other}'s {leaked}"


def test_couple_summary_holds_only_the_documented_fields(signed_in, spec):
    """Z2: nothing beyond the schema, so no emails, notes or answers can slip into it."""
    body = signed_in("P1A").get("/api/v1/couple").get_json()
    schemas = spec["components"]["schemas"]
    assert set(body) == set(schemas["CoupleSummary"]["properties"])
    for partner in body["partners"]:
        assert set(partner) == set(schemas["PartnerSummary"]["properties"])
    assert "note" not in json.dumps(body).lower()


@pytest.mark.parametrize("role", STAFF)
def test_staff_get_403_on_couple(signed_in, role):
    assert_api_error(signed_in(role).get("/api/v1/couple"), 403)


def test_couple_signed_out_is_401(client):
    assert_api_error(client.get("/api/v1/couple"), 401)


def test_archived_couple_is_404_for_its_partner(app, signed_in, world):
    with app.test_request_context():
        services.archive_couple(world["couple1"])
        db.session.commit()
    body = assert_api_error(signed_in("P1A").get("/api/v1/couple"), 404)
    assert str(world["couple1"].id) not in json.dumps(body)
    assert signed_in("P2A").get("/api/v1/couple").status_code == 200


# The error shape


def test_unknown_api_path_is_404_json(signed_in):
    assert_api_error(signed_in("P1A").get("/api/v1/couples/1"), 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_wrong_method_is_405_json_with_allow(signed_in, method):
    client = signed_in("P1A")
    for path in ("/api/v1/me", "/api/v1/couple"):
        response = client.open(path, method=method, json={})
        assert_api_error(response, 405)
        assert "GET" in response.headers["Allow"]


def test_field_errors_come_under_errors(app):
    """A 422 from argument parsing (flask-smorest's ``messages``) lists fields under ``errors``."""
    error = UnprocessableEntity()
    error.data = {"messages": {"json": {"label": ["Missing data for required field."]}}}
    with app.test_request_context("/api/v1/me"):
        body, status, _ = errors.handle_http(error)
    assert status == 422
    assert body.get_json() == {
        "code": 422, "status": errors.TITLES[422][0], "message": "Some fields are not valid.",
        "errors": {"label": ["Missing data for required field."]},
    }


def test_error_bodies_match_the_documented_schema(signed_in, client, spec):
    """Each documented error status of each operation answers with the schema it names."""
    import jsonschema_rs

    resolved = {"components": spec["components"]}

    def validator(ref):
        return jsonschema_rs.Draft4Validator({**resolved, "$ref": ref})

    samples = {
        ("/api/v1/me", "401"): client.get("/api/v1/me"),
        ("/api/v1/couple", "401"): client.get("/api/v1/couple"),
        ("/api/v1/couple", "403"): signed_in("X").get("/api/v1/couple"),
    }
    for (path, status), response in samples.items():
        documented = spec["paths"][path]["get"]["responses"][status]
        ref = documented["content"]["application/json"]["schema"]["$ref"]
        assert str(response.status_code) == status
        errors_found = [e.message for e in validator(ref).iter_errors(response.get_json())]
        assert not errors_found, f"{path} {status}: {errors_found}"


# The OpenAPI document


def test_openapi_document_is_valid_openapi_3(spec):
    definitions = pytest.importorskip("schemathesis.specs.openapi.definitions")
    assert spec["openapi"].startswith("3.0")
    problems = [e.message for e in definitions.OPENAPI_30_VALIDATOR.iter_errors(spec)]
    assert not problems


def resolve(spec, node):
    """Follow a local $ref."""
    while "$ref" in node:
        _, *parts = node["$ref"].split("/")
        node = spec
        for part in parts:
            node = node[part]
    return node


def test_openapi_document_lists_every_path_with_its_responses(spec):
    partner_only = {"401": "ApiError", "403": "ApiError", "404": "ApiError"}  # or counselor only
    writes = {**partner_only, "400": "ApiError", "422": "ApiError"}
    expected = {
        ("/api/v1/me", "get"): {"200": "Me", "401": "ApiError"},
        ("/api/v1/couple", "get"): {"200": "CoupleSummary", **partner_only},
        ("/api/v1/week", "get"): {"200": "Week", **partner_only},
        ("/api/v1/habits/{habit_id}/logs", "post"): {"201": "LogOut", "200": "LogOut", **writes},
        ("/api/v1/logs/{log_id}", "patch"): {"200": "LogOut", **writes},
        ("/api/v1/logs/{log_id}", "delete"): writes,
        ("/api/v1/worksheets/entries/{entry_id}", "get"): {"200": "Entry", **partner_only},
        ("/api/v1/worksheets/entries/{entry_id}/sections/{section_key}", "put"):
            {"200": "Saved", "409": "Conflict", **writes},
        ("/api/v1/worksheets/entries/{entry_id}/sections/{section_key}/sharing", "put"):
            {"200": "Mine", **writes},
        ("/api/v1/worksheets/entries/{entry_id}/submit", "post"): {"200": "Entry", **writes},
        ("/api/v1/notes/{note_id}", "get"): {"200": "Note", **partner_only},
        ("/api/v1/notes/{note_id}", "put"): {"200": "NoteSaved", "409": "NoteConflict", **writes},
        ("/api/v1/notes/{note_id}/summary", "get"): {"200": "NoteSummary", **partner_only},
    }
    assert {(path, method) for path, operations in spec["paths"].items() for method in operations
            if method != "parameters"} == set(expected)
    for (path, method), responses in expected.items():
        documented = spec["paths"][path][method]["responses"]
        for status, schema_name in responses.items():
            content = resolve(spec, documented[status])["content"]["application/json"]
            assert content["schema"] == {"$ref": f"#/components/schemas/{schema_name}"}
            assert schema_name in spec["components"]["schemas"]
        default = resolve(spec, documented["default"])["content"]["application/json"]["schema"]
        assert set(resolve(spec, default)["properties"]) == ERROR_KEYS


def test_openapi_document_says_every_operation_needs_the_session_cookie(app, spec):
    scheme = spec["components"]["securitySchemes"]["session"]
    assert scheme == {**scheme, "type": "apiKey", "in": "cookie",
                      "name": app.config["SESSION_COOKIE_NAME"]}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "get":
                assert operation["security"] == [{"session": []}], f"{method} {path}"
            elif method != "parameters":  # a write also needs the page's CSRF token
                assert operation["security"] == [{"session": [], "csrf": []}], f"{method} {path}"


def test_documented_enums_hold_every_value(spec):
    from practice.couples.models import Confidentiality

    schemas = spec["components"]["schemas"]
    assert set(schemas["Me"]["properties"]["role"]["enum"]) == {"admin", "counselor", "partner"}
    assert set(schemas["CoupleSummary"]["properties"]["confidentiality"]["enum"]) == \
        {c.value for c in Confidentiality}


def test_documented_me_fields_are_the_ones_sent(signed_in, spec):
    me = spec["components"]["schemas"]["Me"]
    body = signed_in("P1A").get("/api/v1/me").get_json()
    assert set(body) == set(me["properties"]) == set(me["required"])


def test_openapi_json_is_the_same_for_everyone(client, signed_in):
    anonymous = client.get("/api/v1/openapi.json").get_data()
    assert signed_in("P1A").get("/api/v1/openapi.json").get_data() == anonymous
