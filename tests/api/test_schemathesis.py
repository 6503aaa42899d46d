"""Schemathesis against /api/v1/openapi.json, through the WSGI app, signed in as a partner.

Every generated request must get an answer the document describes: no 5xx, a documented status,
the documented content type, and a body that matches the documented schema. Each request runs in
its own app context (as in production), so nothing cached in ``g`` carries from one request to the
next, including the requests schemathesis sends without the cookie to see that auth is enforced.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import Auth


class FreshAppContext:
    """The Flask app as a WSGI callable that opens a new app context per request.

    The test keeps an app context open for its own queries; without this, requests sent straight
    to the WSGI app would share its ``g`` (Flask-Login's cached user) and its database session.
    ``cookie`` is the (name, value, CSRF token) the auth provider below sends.
    """

    def __init__(self, app, cookie=None):
        self.app = app
        self.cookie = cookie

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app.wsgi_app(environ, start_response)


class SessionCookie:
    """Schemathesis auth provider: the session cookie and CSRF token, as the document's schemes say.

    Registered as auth (not sent as a plain cookie), so schemathesis knows the credentials are
    real and its ``ignored_auth`` check also sends each request without them, and with a forged
    cookie, expecting 401.
    """

    def get(self, case, context):
        return context.app.cookie

    def set(self, case, data, context):
        name, value, token = data
        case.cookies = {**(case.cookies or {}), name: value}
        case.headers = {**(case.headers or {}), "X-CSRFToken": token}


def load_api(app, world, role=None):
    """The OpenAPI document, loaded through the app, with ``role`` signed in (or no one)."""
    cookie = None
    if role is not None:
        client = app.test_client()
        Auth(client).login(world[role])
        token = Auth(client).csrf("/account")  # read first: it may add the token's secret to the session
        name = app.config["SESSION_COOKIE_NAME"]
        cookie = (name, client.get_cookie(name).value, token)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", FreshAppContext(app, cookie))


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """Schemathesis 4.32's lazy schemas read ``node._nodeid``, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def partner_api(app, world):
    return load_api(app, world, "P1A")


@pytest.fixture
def counselor_api(app, world):
    return load_api(app, world, "X")


@pytest.fixture
def stranger_api(app, world):
    return load_api(app, world)


partner_schema = schemathesis.pytest.from_fixture("partner_api")
counselor_schema = schemathesis.pytest.from_fixture("counselor_api")
stranger_schema = schemathesis.pytest.from_fixture("stranger_api")
# Each test has its own app and sign-in, so the cookie is never cached across tests.
partner_schema.auth(refresh_interval=None)(SessionCookie)
counselor_schema.auth(refresh_interval=None)(SessionCookie)

BOUNDED = settings(
    max_examples=30, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much],
)


def validate(case):
    """Call and check the answer; a write may refuse schema-valid data with its documented 422.

    A log's rules are not all in its schema: the day must be one of the last 7, the habit still
    active, the feeling one of the catalogue's words. Every other check still runs.
    """
    writes = case.method.upper() in ("POST", "PATCH", "DELETE")
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if writes else None)


@partner_schema.parametrize()
@BOUNDED
def test_api_answers_a_partner_as_documented(case):
    validate(case)


@counselor_schema.parametrize()
@BOUNDED
def test_api_answers_a_counselor_as_documented(case):
    validate(case)


@stranger_schema.parametrize()
@BOUNDED
def test_api_answers_a_stranger_as_documented(case):
    validate(case)
