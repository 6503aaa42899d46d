# ruff: noqa: E501
# (The matrix is a wide table, one row per line; the code itself keeps to 100 columns.)
"""The access matrix: every route in ``app.url_map`` x every method x every role.

SECURITY.md ("Authorization") and DESIGN.md ("Access rules") ask for one test that walks the whole
URL map. The expected answers are the table ``MATRIX`` below, one row per rule and method. A rule
or method that is in the URL map but not in the table fails the suite: add it to the matrix.

Roles, in column order: ``anon`` (not signed in), counselor ``X`` (owns couple 1), counselor ``Y``
(owns couple 2), ``admin``, partners ``P1A`` and ``P1B`` of couple 1, and ``P2A`` of couple 2.

URL parameters come from the ``route_ids`` fixture and ``url_for_rule`` (tests/routes.py says which
object each one is): couple 1's ids, live invitation, reset and /join tokens, a spare counselor the
admin can switch on and off, a staff invitation, a never-issued /tf-setup token, real static files.

A new feature adds its rows here, one per rule and method, with the answer for every role (the
first test below names any rule or method that has none), and, if its URLs carry a parameter no
other rule has, a real object for it in tests/routes.py (``build_route_ids``; ``PER_RULE`` when
a shared name such as ``<token>`` needs its own object). A POST that needs more than a CSRF token
to get past the form gets its fields in ``POST_DATA``; a row that signs people out goes in
``SIGNS_OUT``. Rows run in table order, so a row that deletes its object (X's discard of the draft
note) sits after every row that uses it.

Cells:

- a number: that status;
- ``login``: 302 to the sign-in page (``/login``, any query);
- ``>/path``: 302 to that path (query ignored); ``>/path/*``: 302 to a path under it (a new object's).

Every POST carries a valid CSRF token for the client's own session, and only what is listed in
``POST_DATA``, so the check is about who may act, not about forms: a 422 means "allowed in, the
empty form was refused". Methods a rule does not allow (GET, POST, PUT, PATCH, DELETE) must answer
405 for every role; HEAD and OPTIONS are Werkzeug's automatic ones and are not checked.

Each person signs in once, through the real forms. The rows in ``SIGNS_OUT`` end the session
(Flask-Security signs out anyone who opens /tf-validate while signed in), so after them everyone
signs in again, the clock moved 31 s on so a staff member's TOTP code is not a replay.
"""

import os
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from practice.audit import AuditEvent
from practice.extensions import db
from tests.conftest import Auth
from tests.routes import note_ids_of, url_for_rule, worksheet_ids_of

ROLES = ("anon", "X", "Y", "admin", "P1A", "P1B", "P2A")
STAFF = {"X", "Y", "admin"}
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# fmt: off
MATRIX = """
rule                                                 method  anon    X          Y          admin              P1A        P1B        P2A
/                                                    GET     login   >/couples/ >/couples/ >/admin/counselors >/portal/  >/portal/  >/portal/
/help                                                GET     200     200        200        200                200        200        200
/account                                             GET     login   200        200        200                200        200        200
/account/discreet                                    POST    login   422        422        422                422        422        422
/session/status                                      GET     401     200        200        200                200        200        200
/session/keep-alive                                  POST    401     200        200        200                200        200        200
/static/<path:filename>                              GET     200     200        200        200                200        200        200
/fs-static/<path:filename>                           GET     200     200        200        200                200        200        200
/calendar/<token>.ics                                GET     200     200        200        200                200        200        200

/login                                               GET     200     >/         >/         >/                 >/         >/         >/
/login                                               POST    200     >/         >/         >/                 >/         >/         >/
/reset                                               GET     200     200        200        200                200        200        200
/reset                                               POST    200     200        200        200                200        200        200
/reset/<token>                                       GET     200     200        200        200                200        200        200
/reset/<token>                                       POST    200     200        200        200                200        200        200
/change                                              GET     login   200        200        200                200        200        200
/change                                              POST    login   200        200        200                200        200        200
/verify                                              GET     login   200        200        200                200        200        200
/verify                                              POST    login   200        200        200                200        200        200
/tf-setup                                            GET     login   200        200        200                200        200        200
/tf-setup                                            POST    login   200        200        200                200        200        200
/tf-setup/<token>                                    POST    login   >/tf-setup >/tf-setup >/tf-setup          >/tf-setup >/tf-setup >/tf-setup
/tf-select                                           GET     login   login      login      login              login      login      login
/tf-select                                           POST    login   login      login      login              login      login      login
/tf-rescue                                           GET     login   >/         >/         >/                 >/         >/         >/
/tf-rescue                                           POST    login   >/         >/         >/                 >/         >/         >/
/mf-recovery                                         GET     login   >/         >/         >/                 >/         >/         >/
/mf-recovery                                         POST    login   >/         >/         >/                 >/         >/         >/
/mf-recovery-codes                                   GET     login   200        200        200                200        200        200
/mf-recovery-codes                                   POST    login   200        200        200                200        200        200

/couples/                                            GET     login   200        200        403                403        403        403
/couples/                                            POST    login   >/couples/ >/couples/ 403                403        403        403
/couples/new                                         GET     login   200        200        403                403        403        403
/couples/new                                         POST    login   422        422        403                403        403        403
/couples/<uuid:couple_id>                            GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/edit                       GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/edit                       POST    login   422        404        403                403        403        403
/couples/<uuid:couple_id>/audit                      GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/partners/<uuid:partner_id>/invite  POST  login  >/couples/{couple_id}  404  403  403  403  403
/couples/<uuid:couple_id>/partners/<uuid:partner_id>/revoke  POST  login  >/couples/{couple_id}  404  403  403  403  403
/couples/<uuid:couple_id>/archive                    GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/archive                    POST    login   >/couples/ 404        403                403        403        403
/couples/<uuid:couple_id>/restore                    POST    login   >/couples/{couple_id}  404  403      403        403        403

/couples/<uuid:couple_id>/habits/new                 GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/habits/new                 POST    login   422        404        403                403        403        403
/couples/<uuid:couple_id>/habits/<uuid:habit_id>     GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/habits/planner.pdf         GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/habits/<uuid:habit_id>     POST    login   422        404        403                403        403        403
/couples/<uuid:couple_id>/habits/<uuid:habit_id>/pause   POST  login  >/couples/{couple_id}/habits/{habit_id}  404  403  403  403  403
/couples/<uuid:couple_id>/habits/<uuid:habit_id>/resume  POST  login  >/couples/{couple_id}/habits/{habit_id}  404  403  403  403  403

/admin/counselors                                    GET     login   403        403        200                403        403        403
/admin/counselors                                    POST    login   403        403        422                403        403        403
/admin/counselors/<uuid:user_id>/active              POST    login   403        403        >/admin/counselors 403        403        403
/admin/staff/<uuid:user_id>/two-factor               GET     login   403        403        200                403        403        403
/admin/staff/<uuid:user_id>/two-factor               POST    login   403        403        >/admin/counselors 403        403        403
/admin/invitations/<uuid:invitation_id>/resend       POST    login   403        403        >/admin/counselors 403        403        403
/admin/invitations/<uuid:invitation_id>/revoke       POST    login   403        403        >/admin/counselors 403        403        403

/invite/<token>                                      GET     200     409        409        409                409        409        409
/invite/<token>                                      POST    422     409        409        409                409        409        409
/join/<token>                                        GET     200     409        409        409                409        409        409
/join/<token>                                        POST    422     409        409        409                409        409        409

/portal/                                             GET     login   403        403        403                200        200        200
/portal/week                                         GET     login   403        403        403                200        200        200
/portal/planner.pdf                                  GET     login   403        403        403                200        200        200
/portal/log-sheet.pdf                                GET     login   403        403        403                200        200        200
/portal/habits/<uuid:habit_id>/log                   GET     login   403        403        403                200        200        404
/portal/habits/<uuid:habit_id>/log                   POST    login   403        403        403                >/portal/week  >/portal/week  404
/portal/logs/<uuid:log_id>                           GET     login   403        403        403                200        404        404
/portal/logs/<uuid:log_id>                           POST    login   403        403        403                >/portal/week  404  404
/portal/logs/<uuid:log_id>/delete                    POST    login   403        403        403                >/portal/week  404  404
/portal/habits/settings                              GET     login   403        403        403                200        200        200
/portal/habits/settings                              POST    login   403        403        403                422        422        422
/portal/habits/calendar                              POST    login   403        403        403                422        422        422
/couples/<uuid:couple_id>/habits/<uuid:habit_id>/end     POST  login  >/couples/{couple_id}/habits/{habit_id}  404  403  403  403  403

/couples/<uuid:couple_id>/worksheets/new             GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/worksheets/new             POST    login   200        404        403                403        403        403
/couples/<uuid:couple_id>/worksheets/preview/<key>   GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/worksheets/entries/<uuid:entry_id>      GET   login  200  404  403  403  403  403
/couples/<uuid:couple_id>/worksheets/entries/<uuid:entry_id>.pdf  GET   login  200  404  403  403  403  403
/couples/<uuid:couple_id>/worksheets/entries/<uuid:entry_id>/comments  POST  login  422  404  403  403  403  403
/couples/<uuid:couple_id>/worksheets/entries/<uuid:entry_id>/reviewed  POST  login  >/couples/{couple_id}/worksheets/entries/{entry_id}  404  403  403  403  403
/couples/<uuid:couple_id>/worksheets/safety/<uuid:check_id>/acknowledge  POST  login  422  404  403  403  403  403
/worksheets/<key>/blank.pdf                          GET     login   200        200        403                200        200        200
/portal/worksheets                                   GET     login   403        403        403                200        200        200
/portal/worksheets/viewed                            GET     login   403        403        403                200        200        200
/portal/worksheets/<uuid:entry_id>                   GET     login   403        403        403                200        200        404
/portal/worksheets/<uuid:entry_id>                   POST    login   403        403        403                >/portal/worksheets/{entry_id}  >/portal/worksheets/{entry_id}  404
/portal/worksheets/<uuid:entry_id>.pdf               GET     login   403        403        403                200        200        404
/portal/worksheets/<uuid:entry_id>/safety            POST    login   403        403        403                422        422        404
/portal/worksheets/<uuid:entry_id>/responses/<uuid:response_id>/share  POST  login  403  403  403  >/portal/worksheets/{entry_id}  404  404
/portal/worksheets/assignments/<uuid:assignment_id>/entries  POST  login  403  403  403  >/portal/worksheets/*  >/portal/worksheets/*  404
/couples/<uuid:couple_id>/worksheets/<uuid:assignment_id>/close  POST  login  >/couples/{couple_id}  404  403  403  403  403

/api/v1/openapi.json                                 GET     200     200        200        200                200        200        200
/api/v1/me                                           GET     401     200        200        200                200        200        200
/api/v1/couple                                       GET     401     403        403        403                200        200        200
/api/v1/week                                         GET     401     403        403        403                200        200        200
/api/v1/habits/<uuid:habit_id>/logs                  POST    401     403        403        403                415        415        415
/api/v1/logs/<uuid:log_id>                           PATCH   401     403        403        403                415        415        415
/api/v1/logs/<uuid:log_id>                           DELETE  401     403        403        403                204        404        404
/api/v1/worksheets/entries/<uuid:entry_id>           GET     401     403        403        403                200        200        404
/api/v1/worksheets/entries/<uuid:entry_id>/sections/<section_key>          PUT   401  403  403  403  415  415  404
/api/v1/worksheets/entries/<uuid:entry_id>/sections/<section_key>/sharing  PUT   401  403  403  403  415  415  404
/api/v1/worksheets/entries/<uuid:entry_id>/submit    POST    401     403        403        403                415        415        404

/couples/<uuid:couple_id>/notes                      GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/notes/new                  GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/notes/new                  POST    login   422        404        403                403        403        403
/couples/<uuid:couple_id>/notes/<uuid:note_id>       GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/notes/<uuid:note_id>       POST    login   422        404        403                403        403        403
/couples/<uuid:couple_id>/notes/<uuid:note_id>/addenda  GET   login  >/couples/{couple_id}/notes/{note_id}  404  403  403  403  403
/couples/<uuid:couple_id>/notes/<uuid:note_id>/discard  GET   login  >/couples/{couple_id}/notes/{note_id}  404  403  403  403  403
/couples/<uuid:couple_id>/notes/<uuid:note_id>/addenda  POST  login  >/couples/{couple_id}/notes/{note_id}  404  403  403  403  403
/couples/<uuid:couple_id>/notes/<uuid:note_id>.pdf   GET     login   200        404        403                403        403        403
/couples/<uuid:couple_id>/notes/all.pdf              GET     login   200        404        403                403        403        403
/notes/                                              GET     login   200        200        403                403        403        403
/notes/                                              POST    login   >/notes/   >/notes/   403                403        403        403
/admin/notes                                         GET     login   403        403        200                403        403        403
/api/v1/notes/<uuid:note_id>                         GET     401     200        404        403                403        403        403
/api/v1/notes/<uuid:note_id>                         PUT     401     415        404        403                403        403        403
/api/v1/notes/<uuid:note_id>/summary                 GET     401     200        404        403                403        403        403

/couples/<uuid:couple_id>/notes/<uuid:note_id>/discard  POST  login  >/couples/{couple_id}/notes  404  403  403  403  403

/tf-validate                                         GET     login   login      login      login              login      login      login
/tf-validate                                         POST    login   login      login      login              login      login      login
/logout                                              POST    >/login >/login    >/login    >/login            >/login    >/login    >/login
"""
# fmt: on

#: Rows that end sessions: X's archive signs couple 1's partners out; /tf-validate and /logout sign
#: out whoever opens them. These rows run right to left (the counselor who archives acts after the
#: partners have been checked), and after them everyone signs in again.
SIGNS_OUT = {("/couples/<uuid:couple_id>/archive", "POST"), ("/tf-validate", "GET"),
             ("/tf-validate", "POST"), ("/logout", "POST")}

#: Form fields a POST sends besides the CSRF token ("active=1" keeps the spare counselor active).
POST_DATA = {"/admin/counselors/<uuid:user_id>/active": {"active": "1"}}


@pytest.fixture
def app_config(app_config):
    """Keep this module's SQLite file on tmpfs if there is one: a thousand requests that commit."""
    path = None
    if app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:") and os.path.isdir("/dev/shm"):
        path = f"/dev/shm/securebase-matrix-{uuid.uuid4().hex}.sqlite"
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    yield app_config
    for suffix in ("", "-wal", "-shm", "-journal"):
        if path and os.path.exists(path + suffix):
            os.remove(path + suffix)


def parse_matrix(text: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """The table as {(rule, method): expected cell per role}."""
    rows = {}
    lines = [line for line in text.strip().splitlines() if line.strip()]
    for line in lines[1:]:
        rule, method, *cells = line.split()
        assert len(cells) == len(ROLES), f"{rule} {method}: {len(cells)} cells, {len(ROLES)} roles"
        assert (rule, method) not in rows, f"{rule} {method} is in the matrix twice"
        rows[(rule, method)] = tuple(cells)
    return rows


EXPECTED = parse_matrix(MATRIX)


def routed_methods(app) -> dict[str, set[str]]:
    """Each rule in the URL map with the methods it answers (HEAD and OPTIONS left out)."""
    rules: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return rules


def test_every_route_and_method_is_in_the_matrix(app):
    routed = routed_methods(app)
    missing = sorted(f"{method} {rule}" for rule, methods in routed.items() for method in methods
                     if (rule, method) not in EXPECTED)
    assert not missing, "Not in the access matrix (tests/test_access_matrix.py); add it to the " \
        "access matrix with the expected status for every role: " + ", ".join(missing)
    stale = sorted(f"{method} {rule}" for rule, method in EXPECTED
                   if method not in routed.get(rule, set()))
    assert not stale, "In the access matrix but not in app.url_map: " + ", ".join(stale)
    assert not SIGNS_OUT - EXPECTED.keys()
    assert not POST_DATA.keys() - routed.keys()


class Cast:
    """Everyone in the matrix, each with one browser, signed in through the real forms."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients, self.tokens = {}, {}
        self.new_browsers()

    def new_browsers(self):
        """A fresh browser (empty cookie jar) for every role."""
        for number, role in enumerate(ROLES, start=1):
            client = self.app.test_client()
            # Its own address, so the per-address sign-in limits count each browser separately.
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
            self.clients[role] = client

    def sign_in_all(self):
        """Open fresh browsers and sign every role in; keep each one's CSRF token."""
        self.new_browsers()
        for role, client in self.clients.items():
            auth = Auth(client)
            if role != "anon":
                auth.login(self.world[role])
            self.tokens[role] = auth.csrf("/login" if role == "anon" else "/account")

    def request(self, role: str, method: str, url: str, data: dict | None = None):
        """One request by one role; a POST carries the role's CSRF token."""
        client = self.clients[role]
        if method == "GET":
            return client.get(url, buffered=True)
        return client.open(url, method=method, buffered=True,
                           data={**(data or {}), "csrf_token": self.tokens[role]})


def observed_cell(response, expected: str, params: dict[str, str]) -> str:
    """The response written the way the matrix writes it, matching ``expected`` when it can."""
    status = response.status_code
    if status in (301, 302, 303):
        path = urlsplit(response.headers["Location"]).path
        if path == "/login" and expected == "login":
            return "login"
        if expected.startswith(">") and path == expected[1:].format(**params):
            return expected
        if expected.endswith("*") and path.startswith(expected[1:-1].format(**params)):
            return expected  # a new object's page, e.g. the entry a POST just made
        return "login" if path == "/login" else ">" + path
    return str(status)


def check_api_error_shape(response, where: str) -> list[str]:
    """An /api error must be JSON: code, status, message (and optional errors)."""
    if not response.is_json:
        return [f"{where}: {response.status_code} is not JSON ({response.content_type})"]
    body = response.get_json()
    problems = []
    if body.get("code") != response.status_code:
        problems.append(f"{where}: body code {body.get('code')!r} != {response.status_code}")
    if not isinstance(body.get("status"), str) or not isinstance(body.get("message"), str):
        problems.append(f"{where}: error body lacks status/message: {body}")
    if set(body) - {"code", "status", "message", "errors"}:
        problems.append(f"{where}: unexpected keys in error body: {sorted(body)}")
    return problems


@pytest.fixture
def matrix(app, world, route_ids):
    """The URL parameters and a signed-in browser per role, on a running clock."""
    cast = Cast(app, world)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        cast.sign_in_all()
        yield route_ids, cast, clock


def test_access_matrix(app, matrix):
    params, cast, clock = matrix
    routed = routed_methods(app)
    wrong: list[str] = []
    for (rule, method), cells in EXPECTED.items():
        if rule not in routed:
            continue  # reported by test_every_route_and_method_is_in_the_matrix
        url = url_for_rule(rule, params)
        observed = dict.fromkeys(ROLES, "")
        for role in reversed(ROLES) if (rule, method) in SIGNS_OUT else ROLES:
            expected = cells[ROLES.index(role)]
            response = cast.request(role, method, url, POST_DATA.get(rule))
            observed[role] = observed_cell(response, expected, params)
            if rule.startswith("/api/") and response.status_code >= 400:
                wrong += check_api_error_shape(response, f"{role} {method} {rule}")
        if tuple(observed.values()) != cells:
            wrong.append(f"{method} {rule}\n    expected {' '.join(cells)}\n    observed "
                         f"{' '.join(observed.values())}")
        if (rule, method) in SIGNS_OUT:
            clock.shift(timedelta(seconds=31))  # a new TOTP time step for the staff's next sign-in
            cast.sign_in_all()
    columns = " ".join(ROLES)
    assert not wrong, f"Access matrix mismatches (columns: {columns}):\n" + "\n".join(wrong)


def test_methods_a_rule_does_not_answer_are_405_for_everyone(app, matrix):
    params, cast, _ = matrix
    wrong: list[str] = []
    for rule, methods in sorted(routed_methods(app).items()):
        url = url_for_rule(rule, params)
        for method in ALL_METHODS:
            if method in methods:
                continue
            for role in ROLES:
                response = cast.request(role, method, url)
                if response.status_code != 405:
                    wrong.append(f"{method} {rule} as {role}: {response.status_code}, expected 405")
                elif rule.startswith("/api/"):
                    wrong += check_api_error_shape(response, f"{role} {method} {rule}")
    assert not wrong, "\n".join(wrong)


def habit_of(app, couple, counselor):
    """A habit of ``couple`` for both partners, committed."""
    from practice.homework import services
    from practice.homework.frequency import Frequency

    with app.test_request_context():
        habit = services.assign_habit(couple, counselor, {
            "title": "Evening walk", "frequency": Frequency("per_week", 2, 3), "log_fields": ["done"]},
            datetime.now(UTC).date())
    db.session.commit()
    return habit


def test_someone_elses_object_is_the_same_404_as_a_missing_one(app, world):
    """Z1/Z3/Z7: a miss for someone else's id is byte-for-byte the page for an id never issued."""
    couple1, couple2 = world["couple1"], world["couple2"]
    nobody = str(uuid.uuid4())
    habit1, habit2 = (habit_of(app, couple, world[counselor]) for couple, counselor in
                      ((couple1, "X"), (couple2, "Y")))
    sheets1 = {**worksheet_ids_of(app, couple1), **note_ids_of(app, couple1, world["X"])}
    sheets2 = {**worksheet_ids_of(app, couple2), **note_ids_of(app, couple2, world["Y"])}
    worksheet_params = ("entry_id", "assignment_id", "check_id", "note_id")
    # (who asks, rule, method, someone else's ids, ids that do not exist)
    cases = []
    for rule, method in EXPECTED:
        if "<uuid:couple_id>" not in rule:
            continue
        mine_ids = {"couple_id": str(couple1.id), "partner_id": str(couple1.partners[0].id),
                    "habit_id": str(habit1.id), **sheets1}
        missing_ids = {**sheets1, "couple_id": nobody, "partner_id": nobody, "habit_id": nobody,
                       **dict.fromkeys(worksheet_params, nobody)}
        cases.append(("Y", rule, method, mine_ids, missing_ids))  # Y asks for X's couple
        if "<uuid:habit_id>" in rule:
            # X asks for a habit of Y's couple under X's own couple.
            theirs = {"couple_id": str(couple1.id), "habit_id": str(habit2.id)}
            cases.append(("X", rule, method, theirs, {**theirs, "habit_id": nobody}))
        for name in worksheet_params:
            if f"<uuid:{name}>" in rule:
                # X asks for couple 2's worksheet, entry or safety answer under X's own couple.
                theirs = {**sheets1, "couple_id": str(couple1.id), name: sheets2[name]}
                cases.append(("X", rule, method, theirs, {**theirs, name: nobody}))
        if "<uuid:partner_id>" in rule:
            # X asks for a partner of Y's couple under X's own couple.
            theirs = {"couple_id": str(couple1.id), "partner_id": str(couple2.partners[0].id)}
            cases.append(("X", rule, method, theirs, {**theirs, "partner_id": nobody}))
    not_a_counselor = {"user_id": str(world["P1A"].id)}
    cases.append(("admin", "/admin/counselors/<uuid:user_id>/active", "POST", not_a_counselor,
                  {"user_id": nobody}))
    assert len(cases) >= 10

    cast = Cast(app, world)
    for role in ("X", "Y", "admin"):
        Auth(cast.clients[role]).login(world[role])
        cast.tokens[role] = Auth(cast.clients[role]).csrf("/account")
    # Frozen clock: the footer's sign-out form carries a CSRF token signed with the time.
    with time_machine.travel(datetime.now(UTC), tick=False):
        for role, rule, method, theirs, missing in cases:
            data = POST_DATA.get(rule)
            other = cast.request(role, method, url_for_rule(rule, theirs), data)
            absent = cast.request(role, method, url_for_rule(rule, missing), data)
            where = f"{role} {method} {rule}"
            assert other.status_code == absent.status_code == 404, where
            denied = db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "access.denied", AuditEvent.actor_id == world[role].id,
                AuditEvent.object_id.in_(theirs.values()))).all()
            # Couple data goes through access.py, which audits the miss (the admin's lookup doesn't).
            assert denied or role == "admin", f"{where}: the refused lookup was not audited"
            assert other.get_data() == absent.get_data(), f"{where}: the two 404 pages differ"
            drop = {"X-Request-ID", "Set-Cookie"}
            headers = [[h for h in r.headers if h[0] not in drop] for r in (other, absent)]
            assert headers[0] == headers[1], f"{where}: the two 404s' headers differ"
