"""The practice owner adds counselor accounts, deactivates and reactivates them."""

import re

import pytest
from sqlalchemy import select
from webpage import csrf_token, field_error, field_value, flashes, text_of

from practice.audit import AuditEvent
from practice.auth.models import User
from practice.extensions import db

NEW_PASSWORD = "willow branches by the pond"


@pytest.fixture
def admin(make_user, auth):
    """The practice owner, signed in on the default client."""
    user = make_user("admin", email="owner@example.com", name="Priya Natarajan")
    auth.login(user)
    return user


def add_counselor(submit, **form):
    """Fill in "Add a counselor" and press the button."""
    data = {"name": "Dr. Elena Moreno", "email": "elena@example.com", "password": NEW_PASSWORD}
    data.update(form)
    return submit("/admin/counselors", data)


def counselor_row(page, name: str) -> str:
    """The text of the counselor table row that starts with ``name``."""
    for row in re.findall(r"<tr>.*?</tr>", page.get_data(as_text=True), flags=re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        if text.startswith(name):
            return text
    raise AssertionError(f"no row for {name}")


def sign_in_with_password(browser_client, email, password):
    """Submit the sign-in form; return the response."""
    token = csrf_token(browser_client.get("/login"))
    return browser_client.post("/login", data={"email": email, "password": password,
                                               "csrf_token": token})


def test_no_counselors_yet(client, admin):
    page = client.get("/admin/counselors")
    assert page.status_code == 200
    assert "No counselors yet" in text_of(page)


def test_admin_adds_a_counselor_who_then_sets_up_two_factor(client, admin, submit, browser):
    response = add_counselor(submit)

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert ("Account created for Dr. Elena Moreno. They will set up two-factor sign-in the first "
            "time they sign in.") in flashes(page)
    row = counselor_row(page, "Dr. Elena Moreno")
    assert "elena@example.com" in row and "At first sign-in" in row and "Active" in row

    first_sign_in = sign_in_with_password(browser(), "elena@example.com", NEW_PASSWORD)
    assert first_sign_in.status_code == 302
    assert "/tf-setup" in first_sign_in.headers["Location"]


def test_the_email_is_stored_lower_case(client, admin, submit):
    add_counselor(submit, email="  Elena.Moreno@Example.COM ")
    assert "elena.moreno@example.com" in counselor_row(client.get("/admin/counselors"), "Dr. Elena")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the counselor's name."),
        ({"name": "Elena\x00"}, "name", "Remove the invisible control character from this text."),
        ({"name": "Dr. Elena\nMoreno"}, "name", "Keep this on one line."),
        ({"email": "elena at example"}, "email", "Enter an email address like name@example.com."),
        ({"email": "DANA@example.com"}, "email", "An account with this email already exists."),
        ({"email": "owner@example.com"}, "email", "An account with this email already exists."),
        ({"password": "too short"}, "password",
         "Use at least 12 characters. A short sentence you will remember works well."),
        ({"password": "1qaz2wsx3edc"}, "password",
         "That password is on a list of commonly used passwords. Choose a less predictable one."),
        ({"password": ""}, "password",
         "Use at least 12 characters. A short sentence you will remember works well."),
    ],
    ids=["missing name", "NUL in name", "line break in name", "bad email",
         "duplicate email (any case)", "the admin's own email", "short password",
         "common password", "empty password"],
)
def test_each_mistake_is_shown_next_to_its_field_and_the_rest_is_kept(
    client, admin, submit, make_user, changes, field, message
):
    make_user("counselor", email="dana@example.com", name="Dana Reyes")

    page = add_counselor(submit, **changes)

    assert page.status_code == 422
    assert field_error(page, field) == message
    typed = {"name": "Dr. Elena Moreno", "email": "elena@example.com", **changes}
    for name in ("name", "email"):
        if name != field:
            assert field_value(page, name) == typed[name]
    assert field_value(page, "password") == ""
    assert db.session.scalar(select(User).where(User.name == "Dr. Elena Moreno")) is None


def test_a_missing_password_field_asks_for_one(client, admin, auth):
    page = client.post("/admin/counselors", data={
        "name": "Dr. Elena Moreno", "email": "elena@example.com",
        "csrf_token": auth.csrf("/admin/counselors"),
    })
    assert page.status_code == 422
    assert field_error(page, "password") == "Choose a first password."


@pytest.fixture
def dana(make_user):
    """A counselor of the practice."""
    return make_user("counselor", email="dana@example.com", name="Dana Reyes")


def set_active(submit, user, active: bool):
    """Press "Deactivate" or "Reactivate" on a counselor's row."""
    return submit("/admin/counselors", {"active": "1" if active else "0"},
                  action=f"/admin/counselors/{user.id}/active")


def test_deactivating_signs_the_counselor_out_and_keeps_them_out(
    client, admin, dana, submit, browser
):
    dana_browser = browser(dana)
    assert dana_browser.get("/couples/").status_code == 200

    response = set_active(submit, dana, False)

    page = client.get(response.headers["Location"])
    assert "Dana Reyes is deactivated and signed out." in flashes(page)
    row = counselor_row(page, "Dana Reyes")
    assert "Deactivated" in row and "Reactivate" in row
    assert dana_browser.get("/couples/").status_code == 302
    laptop = browser()
    attempt = sign_in_with_password(laptop, dana.email, "a long and quiet river bend")
    assert "/tf-validate" not in attempt.headers.get("Location", "")
    assert laptop.get("/couples/").status_code == 302


def test_reactivating_lets_the_counselor_sign_in_again(client, admin, dana, submit, browser):
    set_active(submit, dana, False)

    response = set_active(submit, dana, True)

    page = client.get(response.headers["Location"])
    assert "Dana Reyes can sign in again." in flashes(page)
    assert "Active" in counselor_row(page, "Dana Reyes")
    db.session.expire_all()
    assert browser(db.session.get(User, dana.id)).get("/couples/").status_code == 200


@pytest.mark.parametrize("role", ["admin", "partner"])
def test_only_counselor_accounts_can_be_switched_here(client, admin, submit, make_user, role):
    someone = make_user(role, two_factor=False)
    response = set_active(submit, someone, False)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, someone.id).active
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [event.object_id for event in denied] == [str(someone.id)]


def test_counselors_cannot_open_the_admin_page(client, counselor):
    assert client.get("/admin/counselors").status_code == 403
