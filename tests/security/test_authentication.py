"""Authentication: SECURITY.md A1-A10, as a person signing in would notice them."""

import hashlib
import logging
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
import time_machine
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from practice.auth.models import LoginSession
from practice.extensions import db
from tests.conftest import PASSWORD, csrf_from, totp_code

SAME_MESSAGE = "That email and password do not match an account."


def signed_in(client) -> bool:
    """Whether this browser is signed in, asked the way the portal's scripts ask."""
    response = client.get("/api/v1/me")
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def post_login(client, email, password, **extra):
    """Post the sign-in form once, with a fresh CSRF token."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, **extra
    )


def invitation_link(app, partner) -> str:
    """Send a partner's invitation and return the path of its link."""
    from practice.couples.invitations import invite_partner

    with app.test_request_context():
        link = invite_partner(partner)
    db.session.commit()
    return urlsplit(link).path


def accept(client, path, password, confirm=None):
    """Post the invitation page's form."""
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(
        path,
        data={"password": password, "password_confirm": confirm or password, "csrf_token": token},
    )


def change_password(client, old, new):
    """Post the change-password form."""
    token = csrf_from(client.get("/change").get_data(as_text=True))
    return client.post(
        "/change",
        data={
            "password": old,
            "new_password": new,
            "new_password_confirm": new,
            "csrf_token": token,
        },
    )


# A1 ---------------------------------------------------------------------------------------------


def test_after_five_wrong_passwords_the_account_waits_even_for_the_right_one(client, make_user):
    """A1: repeated wrong passwords for one account get 429 with Retry-After."""
    user = make_user("partner")
    for _ in range(5):
        response = post_login(client, user.email, "not the right password at all")
        assert response.status_code == 200
        assert SAME_MESSAGE in response.get_data(as_text=True)
    blocked = post_login(client, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert not signed_in(client)


def test_one_address_trying_many_accounts_is_slowed_down(app_config, request):
    """A1: failures from one address across different accounts are throttled per address."""
    app_config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    client = request.getfixturevalue("client")
    for n in range(4):
        response = post_login(client, f"someone{n}@example.com", "a wrong password for them")
        assert response.status_code == 200
    blocked = post_login(client, "someone-else@example.com", "a wrong password for them")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_throttled_account_can_sign_in_again_after_the_window(client, make_user):
    """A1: the wait is temporary: after the window the right password works again."""
    user = make_user("partner")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        for _ in range(6):
            post_login(client, user.email, "not the right password at all")
        assert post_login(client, user.email, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert post_login(client, user.email, PASSWORD).status_code == 302
        assert signed_in(client)


def test_wrong_two_factor_codes_are_throttled_too(client, make_user):
    """A1: guessing two-factor codes after a right password also gets 429."""
    counselor = make_user("counselor")
    response = post_login(client, counselor.email, PASSWORD)
    assert "/tf-validate" in response.headers["Location"]
    statuses = []
    for guess in range(7):
        token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
        statuses.append(
            client.post(
                "/tf-validate", data={"code": f"{guess:06d}", "csrf_token": token}
            ).status_code
        )
    assert statuses[-1] == 429, statuses
    assert not signed_in(client)


def test_unknown_email_gets_the_same_message_in_similar_time(app_config, request):
    """A1: an unknown email looks exactly like a wrong password, message and timing."""
    # Heavier argon2id than the suite's light settings, so hashing dominates as in production.
    app_config["SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS"] = {
        "argon2__memory_cost": 16384,
        "argon2__rounds": 2,
        "argon2__parallelism": 1,
    }
    client, make_user = request.getfixturevalue("client"), request.getfixturevalue("make_user")
    users = [make_user("partner", two_factor=False) for _ in range(2)]

    def timed(email):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        started = time.perf_counter()
        response = client.post(
            "/login", data={"email": email, "password": "wrong password again", "csrf_token": token}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        assert SAME_MESSAGE in response.get_data(as_text=True)
        return elapsed

    # One try per account keeps clear of the per-account limit.
    known_time = statistics.median([timed(u.email) for u in users] + [timed(users[0].email)])
    unknown_time = statistics.median([timed(f"nobody{n}@example.com") for n in range(3)])
    assert unknown_time < known_time * 3 and known_time < unknown_time * 3, (
        known_time,
        unknown_time,
    )


# A2 ---------------------------------------------------------------------------------------------


def test_invitation_refuses_a_password_under_12_characters(app, client, make_user, make_couple):
    """A2: an 11-character password is refused with a helpful message; 12 is enough."""
    couple = make_couple(make_user("counselor"))
    path = invitation_link(app, couple.partners[0])
    short = accept(client, path, "elevenchars")
    assert short.status_code == 422
    assert "at least 12 characters" in short.get_data(as_text=True)
    assert accept(client, path, "twelve chars").status_code == 302


def test_long_password_with_spaces_and_emoji_is_kept_exactly(app, client, make_user, make_couple):
    """A2: a 128-character passphrase with spaces and emoji works, and only exactly as typed."""
    couple = make_couple(make_user("counselor"))
    partner = couple.partners[0]
    password = ("  our 🌊 quiet river  ✨ bends twice " * 6)[:128]
    assert len(password) == 128
    assert accept(client, invitation_link(app, partner), password).status_code == 302
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))}
    )
    assert not signed_in(client)
    for variant in (password.strip(), password.replace("🌊", ""), " ".join(password.split())):
        assert post_login(client, partner.email, variant).status_code == 200
    assert post_login(client, partner.email, password).status_code == 302
    assert signed_in(client)


def test_no_composition_rules_a_plain_lowercase_sentence_is_fine(
    app, client, make_user, make_couple
):
    """A2: no rules about digits, capitals or symbols."""
    couple = make_couple(make_user("counselor"))
    assert (
        accept(
            client, invitation_link(app, couple.partners[0]), "we walk the dog after dinner"
        ).status_code
        == 302
    )


def common_password() -> str:
    """A password from zxcvbn's bundled list that is long enough to pass the length rule."""
    return next(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= 12)


def test_common_passwords_are_refused_when_joining(app, client, make_user, make_couple):
    """A2: a password from the bundled common-password list is refused on the invitation page."""
    couple = make_couple(make_user("counselor"))
    path = invitation_link(app, couple.partners[0])
    response = accept(client, path, common_password())
    assert response.status_code == 422
    assert "commonly used" in response.get_data(as_text=True)
    assert couple.partners[0].user_id is None


def test_change_password_applies_the_same_rules(client, auth, make_user):
    """A2: /change refuses short and common passwords and keeps the old one working."""
    user = make_user("partner")
    auth.login(user)
    short = change_password(client, PASSWORD, "too short")
    assert short.status_code == 200 and "at least 12 characters" in short.get_data(as_text=True)
    common = change_password(client, PASSWORD, common_password())
    assert common.status_code == 200 and "commonly used" in common.get_data(as_text=True)
    new = "  a new 🌱 sentence I remember  "
    assert change_password(client, PASSWORD, new).status_code == 302
    auth.logout()
    assert post_login(client, user.email, PASSWORD).status_code == 200
    assert post_login(client, user.email, new.strip()).status_code == 200
    assert post_login(client, user.email, new).status_code == 302


# A3 ---------------------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(app, make_user):
    """A3: the stored hash is argon2id, and argon2 is the configured default."""
    from practice.config import DEFAULTS

    user = make_user("partner")
    stored = db.session.execute(
        sa.text('SELECT password FROM "user" WHERE email = :e'), {"e": user.email}
    ).scalar()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert DEFAULTS["SECURITY_PASSWORD_HASH"] == "argon2"
    assert "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS" not in DEFAULTS


def test_passwords_never_reach_the_logs(app, client, auth, make_user, make_couple, caplog):
    """A3: signing in (right and wrong), joining and changing a password log no password."""
    caplog.set_level(logging.DEBUG)
    wrong = "my wrong secret passphrase"
    joined = "my chosen joining passphrase"
    changed = "my changed secret passphrase"
    counselor = make_user("counselor")
    couple = make_couple(counselor)
    accept(client, invitation_link(app, couple.partners[0]), joined)
    auth.logout()
    post_login(client, couple.partners[0].email, wrong)
    auth.login(counselor)
    change_password(client, PASSWORD, changed)
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in (PASSWORD, wrong, joined, changed):
        assert secret not in text


# A4 ---------------------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_cookie_and_the_old_one_stays_signed_out(
    client, auth, make_user, new_client
):
    """A4: the cookie changes at sign-in; the pre-sign-in cookie is not signed in."""
    user = make_user("partner")
    client.get("/login")
    before = client.get_cookie("securebase_session").value
    auth.login(user)
    after = client.get_cookie("securebase_session").value
    assert after != before
    assert signed_in(client)
    attacker = new_client()
    attacker.set_cookie("securebase_session", before)
    assert not signed_in(attacker)


def test_next_pointing_at_another_site_is_not_followed(client, make_user):
    """A4: ?next=https://elsewhere.example never sends the person to another site."""
    user = make_user("partner")
    for target in (
        "https://elsewhere.example/",
        "//elsewhere.example/",
        "/\\elsewhere.example",
        "https:elsewhere.example",
    ):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        location = response.headers.get("Location", "")
        assert "elsewhere.example" not in urlsplit(location).netloc, (target, location)
        assert not location.startswith(("//", "/\\", "https:", "http:")), (target, location)
        if response.status_code == 302:
            client.post(
                "/logout",
                data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))},
            )


def test_next_on_this_site_is_followed(client, make_user):
    """A4: a local ?next still brings the person back where they were going."""
    user = make_user("partner")
    token = csrf_from(client.get("/login?next=/account").get_data(as_text=True))
    response = client.post(
        "/login?next=/account",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account"


# A5 ---------------------------------------------------------------------------------------------


def test_a_cookie_saved_before_sign_out_is_refused_after_it(client, auth, make_user, new_client):
    """A5: replaying the cookie from before sign-out does not sign anyone in."""
    for role in ("partner", "counselor"):
        user = make_user(role)
        auth.login(user)
        saved = client.get_cookie("securebase_session").value
        assert signed_in(client)
        auth.logout()
        assert not signed_in(client)
        replay = new_client()
        replay.set_cookie("securebase_session", saved)
        assert not signed_in(replay)
        page = replay.get("/portal/" if role == "partner" else "/couples/")
        assert page.status_code == 302 and "/login" in page.headers["Location"]


# A6 ---------------------------------------------------------------------------------------------


def test_idle_for_15_minutes_asks_to_sign_in_again(client, auth, world):
    """A6: 14 idle minutes are fine; after 15 the next page asks to sign in, the API says 401."""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["P1A"])
        clock.shift(timedelta(minutes=14))
        assert client.get("/portal/").status_code == 200
        clock.shift(timedelta(minutes=14))
        assert client.get("/portal/").status_code == 200
        clock.shift(timedelta(minutes=15, seconds=30))
        page = client.get("/portal/")
        assert page.status_code == 302
        assert urlsplit(page.headers["Location"]).path == "/login"
        login = client.get(page.headers["Location"]).get_data(as_text=True)
        assert "signed out after 15 minutes" in login
        assert client.get("/api/v1/me").status_code == 401


def test_idle_timeout_is_configurable(app_config, request):
    """A6: IDLE_TIMEOUT_MINUTES changes the idle limit."""
    app_config["IDLE_TIMEOUT_MINUTES"] = 5
    client, auth, world = (request.getfixturevalue(name) for name in ("client", "auth", "world"))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["P1A"])
        clock.shift(timedelta(minutes=6))
        response = client.get("/api/v1/couple")
        assert response.status_code == 401
        assert response.is_json and "Pat One" not in response.get_data(as_text=True)


def test_idle_timeout_answers_api_calls_with_401_json(client, auth, world):
    """A6: a script's call after the idle limit gets 401 JSON, not a page or a redirect."""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["X"])
        clock.shift(timedelta(minutes=16))
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json["code"] == 401
    assert not signed_in(client)


def test_an_active_session_still_ends_at_the_absolute_lifetime(client, auth, world):
    """A6: a session used every 10 minutes ends at 12 hours all the same."""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["P1A"])
        for _ in range(71):
            clock.shift(timedelta(minutes=10))
            assert client.get("/portal/").status_code == 200
        clock.shift(timedelta(minutes=11))
        page = client.get("/portal/")
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert "session has ended" in client.get(page.headers["Location"]).get_data(as_text=True)


# A7 ---------------------------------------------------------------------------------------------


def test_changing_password_signs_out_other_browsers_but_not_this_one(
    client, auth, world, new_client
):
    """A7: after a password change the phone is signed out; the laptop that changed it is not."""
    phone = new_client()
    phone.auth.login(world["P1A"])
    auth.login(world["P1A"])
    assert signed_in(phone)
    assert change_password(client, PASSWORD, "a brand new river sentence").status_code == 302
    assert not signed_in(phone)
    assert signed_in(client)


def test_deactivated_counselor_is_signed_out_everywhere(client, auth, world, new_client):
    """A7: an admin deactivates a counselor: their open sessions end and sign-in is refused."""
    desk, laptop = new_client(), new_client()
    with time_machine.travel(datetime.now(UTC) - timedelta(seconds=60), tick=True):
        desk.auth.login(world["X"])  # an earlier TOTP time step: each code works once
    laptop.auth.login(world["X"])
    auth.login(world["admin"])
    token = csrf_from(client.get("/admin/counselors").get_data(as_text=True))
    response = client.post(
        f"/admin/counselors/{world['X'].id}/active", data={"active": "0", "csrf_token": token}
    )
    assert response.status_code == 302
    assert not signed_in(desk) and not signed_in(laptop)
    assert desk.get("/couples/").status_code == 302
    assert post_login(desk, "x@example.com", PASSWORD).status_code != 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == world["X"].id)
        )
        == 0
    )


def test_archiving_a_couple_signs_both_partners_out(client, auth, world, new_client):
    """A7: when the counselor archives a couple, both partners' portal sessions end."""
    a, b = new_client(), new_client()
    a.auth.login(world["P1A"])
    b.auth.login(world["P1B"])
    auth.login(world["X"])
    couple = world["couple1"]
    token = csrf_from(client.get(f"/couples/{couple.id}").get_data(as_text=True))
    assert (
        client.post(f"/couples/{couple.id}/archive", data={"csrf_token": token}).status_code == 302
    )
    for partner in (a, b):
        assert not signed_in(partner)
        assert partner.get("/api/v1/couple").status_code == 401
    other_couple = new_client()
    other_couple.auth.login(world["P2A"])
    assert signed_in(other_couple)


# A8 ---------------------------------------------------------------------------------------------


def test_counselor_password_alone_does_not_open_the_caseload(client, world):
    """A8: after the password, a counselor must still pass the TOTP step."""
    response = post_login(client, "x@example.com", PASSWORD)
    assert response.status_code == 302 and "/tf-validate" in response.headers["Location"]
    assert client.get("/couples/").status_code == 302
    assert not signed_in(client)
    token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
    wrong = client.post("/tf-validate", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 200
    assert not signed_in(client)


def test_a_two_factor_code_cannot_be_used_twice(client, auth, world, new_client):
    """A8: the same TOTP code is refused the second time, even in another browser."""
    counselor = world["X"]
    with time_machine.travel(datetime.now(UTC), tick=False):
        code = totp_code(counselor)
        for browser, expect_ok in ((client, True), (new_client(), False)):
            response = post_login(browser, counselor.email, PASSWORD)
            assert "/tf-validate" in response.headers["Location"]
            token = csrf_from(browser.get("/tf-validate").get_data(as_text=True))
            response = browser.post("/tf-validate", data={"code": code, "csrf_token": token})
            assert (response.status_code == 302) is expect_ok
            assert signed_in(browser) is expect_ok


def test_recovery_codes_work_once_and_are_stored_hashed(client, auth, world, new_client):
    """A8: a recovery code signs in once; the database holds no code in plain text."""
    counselor = world["X"]
    auth.login(counselor)
    token = csrf_from(client.get("/mf-recovery-codes").get_data(as_text=True))
    page = client.post("/mf-recovery-codes", data={"generate_new_codes": "y", "csrf_token": token})
    codes = re.findall(r'<li class="fs-div">([^<]+)</li>', page.get_data(as_text=True))
    assert len(codes) == 8
    db.session.expire_all()
    dump = "\n".join(str(row) for row in db.session.execute(sa.text('SELECT * FROM "user"')))
    dump += "\n".join(str(row) for row in db.session.execute(sa.text("SELECT * FROM audit_event")))
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
    auth.logout()

    def use(browser, code):
        response = post_login(browser, counselor.email, PASSWORD)
        assert "/tf-validate" in response.headers["Location"]
        token = csrf_from(browser.get("/mf-recovery").get_data(as_text=True))
        return browser.post("/mf-recovery", data={"code": code, "csrf_token": token})

    assert use(client, codes[0]).status_code == 302
    assert signed_in(client)
    again = new_client()
    assert use(again, codes[0]).status_code == 200
    assert not signed_in(again)
    assert use(new_client(), codes[1]).status_code == 302


def test_changing_two_factor_needs_a_fresh_sign_in(client, auth, world):
    """A8: the two-factor setup page asks for the password again after 10 minutes."""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        auth.login(world["X"])
        assert client.get("/tf-setup").status_code == 200
        clock.shift(timedelta(minutes=11))
        response = client.get("/tf-setup")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/verify"
        response = client.get("/mf-recovery-codes")
        assert response.status_code == 302


# A9 ---------------------------------------------------------------------------------------------


def cookie_headers(response, name):
    """The Set-Cookie headers for one cookie name."""
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    """A9: scripts cannot read the session cookie and other sites' posts do not carry it."""
    user = make_user("partner")
    response = post_login(client, user.email, PASSWORD)
    [header] = cookie_headers(response, "securebase_session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def browser_referer(page, url):
    """The Referer a browser sends when posting a form on ``page``, as its policy allows."""
    policy = page.headers.get("Referrer-Policy", "strict-origin-when-cross-origin")
    return {} if policy == "no-referrer" else {"Referer": url}


def test_cookies_are_secure_under_https(app_config, request):
    """A9: over HTTPS, signing in works and the session and remember cookies are Secure."""
    app_config["SESSION_COOKIE_SECURE"] = True
    client = request.getfixturevalue("client")
    user = request.getfixturevalue("make_user")("partner")
    page = client.get("/login", base_url="https://localhost")
    response = client.post(
        "/login",
        base_url="https://localhost",
        headers=browser_referer(page, "https://localhost/login"),
        data={
            "email": user.email,
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    names = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert "securebase_session" in names
    for name in ("securebase_session", "remember_token"):
        for header in cookie_headers(response, name):
            assert "Secure" in header and "HttpOnly" in header, header
            assert "SameSite=Lax" in header, header


def test_remember_me_lasts_far_less_than_a_year(app):
    """A9: a remember-me cookie, if used, expires in days, not a year."""
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(days=1)


# A10 --------------------------------------------------------------------------------------------


def test_an_invitation_link_works_only_once(app, client, auth, make_user, make_couple, new_client):
    """A10: after a partner joins, the same link shows 'no longer works', even signed out."""
    couple = make_couple(make_user("counselor"))
    path = invitation_link(app, couple.partners[0])
    assert accept(client, path, "our own long passphrase").status_code == 302
    stranger = new_client()
    response = stranger.get(path)
    assert response.status_code == 404
    token = csrf_from(stranger.get("/login").get_data(as_text=True))
    post = stranger.post(
        path,
        data={
            "password": "someone else's passphrase",
            "password_confirm": "someone else's passphrase",
            "csrf_token": token,
        },
    )
    assert post.status_code == 404
    assert not signed_in(stranger)


def test_an_invitation_expires_after_72_hours(app, client, make_user, make_couple):
    """A10: a link opened after 72 hours no longer works; a new one does."""
    couple = make_couple(make_user("counselor"))
    partner = couple.partners[0]
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as clock:
        path = invitation_link(app, partner)
        clock.shift(timedelta(hours=71))
        assert client.get(path).status_code == 200
        clock.shift(timedelta(hours=1, minutes=1))
        assert client.get(path).status_code == 404
        token = csrf_from(client.get("/login").get_data(as_text=True))
        assert (
            client.post(
                path,
                data={
                    "password": "our own long passphrase",
                    "password_confirm": "our own long passphrase",
                    "csrf_token": token,
                },
            ).status_code
            == 404
        )
        fresh = invitation_link(app, partner)
        assert accept(client, fresh, "our own long passphrase").status_code == 302


def test_a_new_invitation_makes_the_old_link_stop_working(app, client, make_user, make_couple):
    """A10: sending again revokes the earlier link."""
    couple = make_couple(make_user("counselor"))
    old = invitation_link(app, couple.partners[0])
    new = invitation_link(app, couple.partners[0])
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_only_a_sha256_of_the_invitation_token_is_stored(app, make_user, make_couple):
    """A10: the database holds the token's SHA-256, never the token itself."""
    couple = make_couple(make_user("counselor"))
    path = invitation_link(app, couple.partners[0])
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 32
    rows = db.session.execute(sa.text("SELECT * FROM invitation")).all()
    dump = "\n".join(str(tuple(row)) for row in rows)
    dump += "\n".join(
        str(tuple(r)) for r in db.session.execute(sa.text("SELECT * FROM audit_event"))
    )
    assert token not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump


def test_a_sign_in_link_to_another_site_opens_the_plain_sign_in_page(client, make_user):
    """A4: a phishing-style link /login?next=https://elsewhere loses its destination, and the
    person who signs in from that page lands on their own home page."""
    user = make_user("partner")
    opened = client.get("/login", query_string={"next": "https://elsewhere.example/"})
    assert opened.status_code == 302 and opened.headers["Location"] == "/login"
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "elsewhere" not in page
    response = client.post("/login", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page),
    })
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
