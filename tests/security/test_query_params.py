"""I9 for addresses: no query string, however odd, gets a server error from any GET route.

Every GET route in ``app.url_map`` is opened (URL parameters filled with real objects by
tests/routes.py, as in the access matrix) by four people: anonymous, counselor X, partner P1A and
the admin. One test gives every parameter a view reads each of a fixed list of odd values; a
property-based one lets Hypothesis combine parameters, names nobody reads, and values that are
huge, negative, non-numeric, NUL, very long, unicode or addresses of other sites. The answer may be
anything a person can act on (a page, a redirect, a 4xx), never a 5xx.
"""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import Auth
from tests.routes import url_for_rule

ROLES = ("anon", "X", "P1A", "admin")

#: Query parameters each view reads, by endpoint (grep ``request.args`` and Flask-Security's forms).
READS = {
    "couples.caseload": ("page", "status", "q"),
    "couples.audit_trail": ("who", "action", "codes", "page"),
    "security.login": ("email",),
    "security.mf_recovery_codes": ("show_codes",),
}

#: Read on every request: ``next`` by practice.auth.next_page (on Flask-Security's pages) and the
#: sign-in forms, ``auth_token`` by Flask-Security's token authentication.
EVERY_ROUTE = ("next", "auth_token")

#: Tried on every parameter a view reads on every run, not only when Hypothesis happens to draw them.
ODD = ("461168601842738792", "9" * 5000, "-461168601842738792", "0", "abc", "1\x00", "a" * 10_000,
       "\u202e١٢👩‍❤️‍👨", "https://elsewhere.example/", "//elsewhere.example")

#: Names no view reads; some are url_for's own arguments or a route's parameter names.
STRANGE_NAMES = ("endpoint", "_method", "_scheme", "_external", "_anchor", "token", "couple_id",
                 "filename", "values", "page[]", "per_page", "id", "code", "", "\x00", "ｐａｇｅ")

#: Opening /tf-validate signs anyone out (Flask-Security); it is probed anonymously only.
SIGNS_OUT_ON_GET = {"security.two_factor_token_validation"}

HUGE = st.one_of(
    st.sampled_from(["461168601842738792", str(2**63), str(2**64), "9" * 40, "9" * 5000,
                     "1e309", "inf", "NaN", "0x7fffffffffffffff"]),
    st.integers(min_value=2**31).map(str),
)
NEGATIVE = st.one_of(st.integers(max_value=-1).map(str), st.sampled_from(["-0", "-" + "9" * 30]))
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
NUL = st.sampled_from(["\x00", "1\x00", "\x00archived", "archived\x00", "%00"])
LONG = st.integers(min_value=1_000, max_value=20_000).map(lambda n: "a" * n)
UNICODE = st.sampled_from(["\u202earchived", "\u200b1", "１２", "١٢", "²", "é", "e\u0301",
                           "👩‍❤️‍👨", "𝟘", "\ufeff", "İ", "ß"])
ELSEWHERE = st.sampled_from(["https://elsewhere.example/", "//elsewhere.example", "javascript:alert(1)",
                             "/\\elsewhere.example", "\\\\elsewhere.example", "http:/x", "/ok", "/"])
PLAIN = st.sampled_from(["1", "2", "archived", "active", "true", ""])
VALUES = st.one_of(HUGE, NEGATIVE, TEXT, NUL, LONG, UNICODE, ELSEWHERE, PLAIN)

#: Broken percent-escapes and separators, appended raw to some query strings.
RAW_TAILS = st.sampled_from(["", "", "", "%", "%zz", "%ff%fe", "&&", "=", "==&=", ";page=2", "page"])


def get_routes(app, route_ids) -> dict[str, tuple[str, str]]:
    """Every GET rule as {rule: (endpoint, path to open)}."""
    return {rule.rule: (rule.endpoint, url_for_rule(rule, route_ids))
            for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def query_string(pairs, tail: str = "") -> str:
    """The pairs percent-encoded as a browser would send them, then ``tail`` as it is."""
    encoded = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
    return encoded + ("&" + tail if encoded and tail else tail)


def read_by(endpoint: str) -> tuple[str, ...]:
    """The query parameters this endpoint's view reads."""
    names = READS.get(endpoint, ())
    if endpoint.startswith("security."):
        names = ("next", *names)
    # Token authentication reads auth_token the same way for every route: one route stands for all.
    return names + ("auth_token",) if endpoint == "main.account" else names


@pytest.fixture
def probing(app, world, route_ids):
    """Every GET route as {rule: (endpoint, path)}, and a browser per person, signed in."""
    routes = get_routes(app, route_ids)
    clients = {}
    for number, role in enumerate(ROLES, start=1):
        clients[role] = app.test_client()
        clients[role].environ_base["REMOTE_ADDR"] = f"10.0.1.{number}"
        if role != "anon":
            Auth(clients[role]).login(world[role])
    yield routes, clients
    for role in ROLES[1:]:
        # The probes ran as these people only if they are still signed in.
        assert clients[role].get("/api/v1/me").status_code == 200, f"{role} was signed out"


def routes_for(role: str, routes) -> list[str]:
    """The rules this person is sent to (opening /tf-validate would sign them out)."""
    return sorted(rule for rule, (endpoint, _) in routes.items()
                  if role == "anon" or endpoint not in SIGNS_OUT_ON_GET)


def test_odd_values_of_what_each_view_reads_get_no_server_error(probing):
    routes, clients = probing
    errors = []
    for role in ROLES:
        for rule in routes_for(role, routes):
            endpoint, path = routes[rule]
            for name in read_by(endpoint):
                for value in ODD:
                    query = query_string([(name, value)])
                    response = clients[role].get(path, query_string=query, buffered=True)
                    if response.status_code >= 500:
                        errors.append(f"{role} GET {path}?{query[:120]} -> {response.status_code}")
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)


def test_no_query_string_gets_a_server_error(probing):
    routes, clients = probing

    @st.composite
    def probes(draw):
        role = draw(st.sampled_from(ROLES))
        rule = draw(st.sampled_from(routes_for(role, routes)))
        names = st.one_of(st.sampled_from(read_by(routes[rule][0]) + EVERY_ROUTE),
                          st.sampled_from(STRANGE_NAMES), st.text(max_size=12))
        pairs = draw(st.lists(st.tuples(names, VALUES), min_size=1, max_size=4))
        return role, rule, pairs, draw(RAW_TAILS)

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(probe=probes())
    # Probes that found bugs, kept so every run tries them.
    @example(probe=("anon", "/login", [("next", "https://elsewhere.example/"), ("endpoint", "x")], ""))
    @example(probe=("anon", "/reset/<token>", [("next", "//elsewhere.example"), ("token", "1")], ""))
    @example(probe=("X", "/verify", [("next", "http:/x"), ("_scheme", "x"), ("_external", "")], ""))
    @example(probe=("X", "/couples/", [("page", "-461168601842738792"), ("status", "\x00")], "%ff"))
    def no_server_error(probe):
        role, rule, pairs, tail = probe
        path = routes[rule][1]
        query = query_string(pairs, tail)
        response = clients[role].get(path, query_string=query, buffered=True)
        assert response.status_code < 500, f"{role} GET {path}?{query[:300]} -> {response.status_code}"

    no_server_error()
