"""A1 and A8: the per-account lock holds however the account is named in the request.

Each guesser here comes from a new address for every try, as a botnet would, so only the
per-account limit (5 failures by default) stands between it and the account.
"""

import uuid

import pytest

from practice.extensions import db, security
from tests.conftest import PASSWORD, csrf_from, totp_code

WRONG = "not the right password at all"


def from_address(number: int) -> dict:
    """Request options that make the request come from its own address."""
    return {"environ_base": {"REMOTE_ADDR": f"203.0.113.{number}"}}


def post_login(client, email, password, number, **extra):
    """Post the sign-in form once from address ``number``, with a fresh CSRF token."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token,
                                       **extra}, **from_address(number))


def signed_in(client) -> bool:
    """Whether this browser is signed in, asked the way the portal's scripts ask."""
    return client.get("/api/v1/me").status_code == 200


def spellings(local: str) -> list[str]:
    """Five ways to type ``local@example.com`` that Flask-Security reads as that address.

    Full-width letters and the ideographic full stop become plain ones under IDNA, and the
    lookup ignores case; no two of these are equal after a plain ``lower()``.
    """
    return [f"{local}@ｅxample.com", f"{local}@example。com", f"{local}@ＥＸＡＭＰＬＥ.com",
            f"{local.upper()}@exａmple.com", f"{local}@examplｅ.ｃom"]


def test_another_spelling_of_the_address_signs_in_to_the_same_account(client, make_user):
    """Why the lock must follow the account: a full-width spelling really does sign in."""
    user = make_user("partner", email="river@example.com")
    assert post_login(client, "river@ｅxample.com", PASSWORD, 1).status_code == 302
    assert client.get("/api/v1/me").get_json()["email"] == user.email


def test_wrong_passwords_under_five_spellings_lock_the_account(client, make_user):
    user = make_user("partner", email=f"river-{uuid.uuid4().hex[:6]}@example.com")
    local = user.email.split("@")[0]
    for number, spelling in enumerate(spellings(local), start=1):
        response = post_login(client, spelling, WRONG, number)
        assert response.status_code == 200, spelling

    blocked = post_login(client, user.email, PASSWORD, 99)

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert not signed_in(client)


def test_an_unknown_address_is_counted_the_same_way_under_any_spelling(client):
    """Unknown and known accounts look alike: the sixth try at a stranger's address waits too."""
    local = f"nobody-{uuid.uuid4().hex[:6]}"
    for number, spelling in enumerate(spellings(local), start=1):
        assert post_login(client, spelling, WRONG, number).status_code == 200

    assert post_login(client, f"{local}@example.com", WRONG, 99).status_code == 429


@pytest.mark.parametrize("email", [
    "not an address", "a@b@c", "river@", "@example.com", "x" * 400 + "@example.com",
    "river@exa mple.com", "river@example.com\u200b", "ｒｉｖｅｒ@ｅｘａｍｐｌｅ.ｃｏｍ",
    "\u202eriver@example.com", "river\x00@example.com",
])
def test_a_malformed_address_gets_the_usual_answer(client, make_user, email):
    make_user("partner", email="river@example.com")
    for number in range(1, 7):
        response = post_login(client, email, WRONG, number)
        assert 200 <= response.status_code < 500, (number, response.status_code)
    # Six tries at one malformed address are still counted as one name's failures.
    assert response.status_code == 429


@pytest.mark.parametrize("email", ["", "   "])
def test_forms_sent_without_an_email_are_not_one_shared_lock(client, email):
    """Forgetting the email, in six browsers, asks each for it; nobody is told to wait."""
    for number in range(1, 7):
        response = post_login(client, email, WRONG, number)
        assert response.status_code == 200, number


@pytest.mark.parametrize("email", [5, ["river@example.com"], None, {"a": 1}, True])
def test_a_json_sign_in_whose_email_is_not_text_is_refused_not_a_server_error(client, email):
    body = {"email": email, "password": WRONG}
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", json=body, headers={"X-CSRFToken": token})
    assert 400 <= response.status_code < 500


def to_second_step(client, user, number=1):
    """Pass the password step; the browser is now asked for its second factor."""
    response = post_login(client, user.email, PASSWORD, number)
    assert "/tf-validate" in response.headers["Location"]


def test_naming_other_accounts_in_the_code_form_does_not_reset_the_count(client, make_user):
    """A8: the code form's account is the one that passed the password, whatever email is posted."""
    counselor = make_user("counselor")
    to_second_step(client, counselor)
    for guess in range(5):
        token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
        response = client.post("/tf-validate", data={
            "code": f"{guess:06d}", "csrf_token": token, "email": f"decoy-{guess}@example.com",
        }, **from_address(guess + 10))
        assert response.status_code == 200

    token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
    blocked = client.post("/tf-validate", data={
        "code": totp_code(counselor), "csrf_token": token, "email": "decoy-last@example.com",
    }, **from_address(99))

    assert blocked.status_code == 429
    assert not signed_in(client)


def test_naming_other_accounts_in_the_recovery_form_does_not_reset_the_count(client, make_user):
    """A8: the same holds for recovery codes."""
    counselor = make_user("counselor")
    codes = security.mf_recovery_codes_util.create_recovery_codes(counselor)
    db.session.commit()
    to_second_step(client, counselor)
    for guess in range(5):
        token = csrf_from(client.get("/mf-recovery").get_data(as_text=True))
        response = client.post("/mf-recovery", data={
            "code": f"wrong-{guess}", "csrf_token": token, "email": f"decoy-{guess}@example.com",
        }, **from_address(guess + 10))
        assert response.status_code == 200

    token = csrf_from(client.get("/mf-recovery").get_data(as_text=True))
    blocked = client.post("/mf-recovery", data={
        "code": codes[0], "csrf_token": token, "email": "decoy-last@example.com",
    }, **from_address(99))

    assert blocked.status_code == 429
    assert not signed_in(client)


def test_a_json_code_naming_another_account_is_counted_against_this_one(client, make_user):
    """A8: a JSON body carrying an email is held to the same account as the form."""
    counselor = make_user("counselor")
    to_second_step(client, counselor)
    token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
    statuses = [client.post("/tf-validate", json={"code": f"{guess:06d}", "email": f"d{guess}@example.com"},
                            headers={"X-CSRFToken": token}, **from_address(guess + 10)).status_code
                for guess in range(6)]
    assert statuses[-1] == 429, statuses


def test_naming_another_account_when_confirming_the_password_does_not_reset_the_count(
    client, auth, make_user
):
    """A8: re-entering the password before a sensitive change is counted for the signed-in person."""
    partner = make_user("partner")
    auth.login(partner)
    for number in range(1, 6):
        token = csrf_from(client.get("/verify").get_data(as_text=True))
        response = client.post("/verify", data={
            "password": WRONG, "csrf_token": token, "email": f"decoy-{number}@example.com",
        }, **from_address(number))
        assert response.status_code == 200

    token = csrf_from(client.get("/verify").get_data(as_text=True))
    blocked = client.post("/verify", data={"password": PASSWORD, "csrf_token": token},
                          **from_address(99))

    assert blocked.status_code == 429


def test_an_account_made_with_a_wide_letter_in_its_address_can_sign_in(app, client, auth):
    """The address is stored the way sign-in looks it up, so the new account can sign in."""
    from practice.auth.services import create_user

    user = create_user("Wide@ｅxample.com", "Wide Letter", PASSWORD, "partner")
    db.session.commit()
    assert user.email == "wide@example.com"
    auth.login(user)


def test_a_json_body_that_is_not_an_object_gets_400_not_500(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for body in ("[1]", "5", '"text"', "null"):
        response = client.post("/login", data=body, content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert response.status_code == 400, body
        assert response.is_json and "JSON object" in response.get_json()["message"]
