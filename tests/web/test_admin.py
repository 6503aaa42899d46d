"""The practice owner invites counselors, deactivates them, and resets a lost two-factor."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select
from webpage import csrf_token, field_error, field_value, flashes, text_of

from practice.audit import AuditEvent
from practice.auth.models import User
from practice.extensions import db
from tests.conftest import PASSWORD, PASSWORD_MISTAKES, Auth


@pytest.fixture
def admin(make_user, auth):
    """The practice owner, signed in on the default client."""
    user = make_user("admin", email="owner@example.com", name="Priya Natarajan")
    auth.login(user)
    return user


def invite_counselor(submit, **form):
    """Fill in "Invite a counselor" and press the button."""
    data = {"name": "Dr. Elena Moreno", "email": "elena@example.com"}
    data.update(form)
    return submit("/admin/counselors", data)


def table_row(page, name: str) -> str:
    """The text of the table row that starts with ``name``."""
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


def events(action: str) -> list[AuditEvent]:
    """The audit events with this action, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)))


def test_no_counselors_yet(client, admin):
    page = client.get("/admin/counselors")
    assert page.status_code == 200
    assert "No counselors yet" in text_of(page)
    assert field_value(page, "password") is None, "the admin no longer types anyone's password"


def test_inviting_a_counselor_emails_them_a_link_and_lists_them_as_invited(
    client, admin, submit, outbox
):
    sent_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(sent_at, tick=False):
        response = invite_counselor(submit)
        page = client.get(response.headers["Location"])

    assert "Invitation sent to elena@example.com. The link works once, for 72 hours." in flashes(page)
    [message] = outbox
    assert message.to == ["elena@example.com"]
    assert message.subject == "Priya Natarajan invited you to SecureBase"
    assert "Hello Dr. Elena Moreno" in message.body
    assert "the link works once, for 72 hours" in message.body
    assert "authenticator app" in message.body
    expires = sent_at + timedelta(hours=72)
    row = table_row(page, "Dr. Elena Moreno")
    # In the practice's time zone (PRACTICE_TIME_ZONE, New York by default), in words.
    local = expires.astimezone(ZoneInfo("America/New_York"))
    assert (f"Invited until {local:%a} {local.day} {local:%b}, {local.hour % 12 or 12}:{local:%M} "
            f"{'am' if local.hour < 12 else 'pm'} Eastern time") in row
    assert "Send a new link" in row and "Revoke" in row
    assert link_in(message) in page.get_data(as_text=True), "SHOW_INVITE_LINKS: the admin can copy it"
    assert db.session.scalar(select(User).where(User.email == "elena@example.com")) is None
    [event] = events("staff_invitation.send")
    assert event.actor_id == admin.id


@pytest.fixture
def mail_only(app_config):
    """A practice with real email, where links are never shown on screen."""
    app_config["SHOW_INVITE_LINKS"] = False


def test_with_real_email_the_link_is_only_in_the_email(mail_only, client, admin, submit, outbox):
    page = client.get(invite_counselor(submit).headers["Location"]).get_data(as_text=True)
    assert link_in(outbox[0]) not in page
    assert "/join/" not in page


def test_the_email_is_stored_lower_case(client, admin, submit, outbox):
    invite_counselor(submit, email="  Elena.Moreno@Example.COM ")
    assert "elena.moreno@example.com" in table_row(client.get("/admin/counselors"), "Dr. Elena")
    assert outbox[0].to == ["elena.moreno@example.com"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the counselor's name."),
        ({"name": "Elena\x00"}, "name", "Remove the invisible control character from this text."),
        ({"name": "Dr. Elena\nMoreno"}, "name", "Keep this on one line."),
        ({"email": "elena at example"}, "email", "Enter an email address like name@example.com."),
        ({"email": ""}, "email", "Enter an email address."),
        ({"email": "DANA@example.com"}, "email", "An account with this email already exists."),
        ({"email": "owner@example.com"}, "email", "An account with this email already exists."),
    ],
    ids=["missing name", "NUL in name", "line break in name", "bad email", "blank email",
         "duplicate email (any case)", "the admin's own email"],
)
def test_each_mistake_is_shown_next_to_its_field_and_the_rest_is_kept(
    client, admin, submit, make_user, outbox, changes, field, message
):
    make_user("counselor", email="dana@example.com", name="Dana Reyes")

    page = invite_counselor(submit, **changes)

    assert page.status_code == 422
    assert field_error(page, field) == message
    typed = {"name": "Dr. Elena Moreno", "email": "elena@example.com", **changes}
    other = "email" if field == "name" else "name"
    assert field_value(page, other) == typed[other]
    assert outbox == []
    assert "Invited, not joined yet" not in text_of(page)


# The invited counselor --------------------------------------------------------------------------


def link_in(message) -> str:
    """The invitation link in an email."""
    match = re.search(r"https?://\S+/join/\S+", message.body)
    assert match, message.body
    return match.group(0)


def choose_password(anonymous, link, password="willow branches by the pond", confirm=None):
    """Open the invitation and choose a password."""
    token = csrf_token(anonymous.get(link))
    return anonymous.post(link, data={
        "email": "ignored@example.com", "password": password,
        "password_confirm": password if confirm is None else confirm, "csrf_token": token,
    })


def set_up_authenticator(phone) -> str:
    """Go through /tf-setup with an authenticator app; return where the last step leads."""
    from passlib.totp import TOTP

    page = phone.get("/tf-setup")
    chosen = phone.post("/tf-setup", data={"setup": "authenticator", "csrf_token": csrf_token(page)})
    html = chosen.get_data(as_text=True)
    key = re.search(r'<code class="totp-key">([^<]+)</code>', html).group(1).replace(" ", "")
    finished = phone.post("/tf-validate", data={"code": TOTP(key=key).generate().token,
                                                "csrf_token": csrf_token(chosen)})
    assert finished.status_code == 302, finished.get_data(as_text=True)[:1000]
    return finished.headers["Location"]


def test_the_invited_counselor_chooses_a_password_then_sets_up_two_factor(
    client, admin, submit, outbox, browser
):
    invite_counselor(submit)
    phone = browser()

    welcome = phone.get(link_in(outbox[0]))
    assert welcome.status_code == 200
    assert "Welcome, Dr. Elena Moreno" in text_of(welcome)
    assert "Priya Natarajan set up a counselor account for you" in text_of(welcome)
    assert field_value(welcome, "email") == "elena@example.com"

    chosen = choose_password(phone, link_in(outbox[0]))
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith("/tf-setup")
    setup = phone.get("/tf-setup")
    assert "Set up two-factor sign-in" in text_of(setup)
    assert "Your account is ready. One more step: set up two-factor sign-in." in flashes(setup)
    assert phone.get("/couples/").status_code == 302, "not signed in before two-factor works"

    set_up_authenticator(phone)

    assert phone.get("/couples/").status_code == 200
    page = client.get("/admin/counselors")
    assert "Invited, not joined yet" not in text_of(page)
    assert "Set up" in table_row(page, "Dr. Elena Moreno")
    [accepted] = events("staff_invitation.accept")
    elena = db.session.scalar(select(User).where(User.email == "elena@example.com"))
    assert accepted.actor_id == elena.id and elena.role == "counselor"


def test_the_new_counselor_signs_in_later_with_the_chosen_password(
    admin, submit, outbox, browser
):
    invite_counselor(submit)
    phone = browser()
    choose_password(phone, link_in(outbox[0]))
    set_up_authenticator(phone)
    elena = db.session.scalar(select(User).where(User.email == "elena@example.com"))

    laptop = browser()
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=True):
        Auth(laptop).login(elena, password="willow branches by the pond")
        assert laptop.get("/couples/").status_code == 200


@PASSWORD_MISTAKES
def test_a_password_that_breaks_the_rules_keeps_the_page_with_the_reason(
    admin, submit, outbox, browser, password, confirm, field, message
):
    invite_counselor(submit)
    phone = browser()

    page = choose_password(phone, link_in(outbox[0]), password, confirm)

    assert page.status_code == 422
    assert field_error(page, field) == message
    assert "Welcome, Dr. Elena Moreno" in text_of(page)
    assert db.session.scalar(select(User).where(User.email == "elena@example.com")) is None


def test_a_form_without_a_password_asks_for_one(admin, submit, outbox, browser):
    invite_counselor(submit)
    phone = browser()
    link = link_in(outbox[0])

    page = phone.post(link, data={"csrf_token": csrf_token(phone.get(link))})

    assert page.status_code == 422
    assert field_error(page, "password") == "Choose a password."


def test_a_used_link_tells_the_counselor_to_sign_in(admin, submit, outbox, browser):
    invite_counselor(submit)
    link = link_in(outbox[0])
    choose_password(browser(), link)

    again = browser().get(link)

    assert again.status_code == 404
    assert "You have already joined" in text_of(again)
    assert 'href="/login"' in again.get_data(as_text=True)
    assert len(db.session.scalars(select(User).where(User.email == "elena@example.com")).all()) == 1


def test_a_made_up_link_says_only_that_it_does_not_work(client, browser):
    page = browser().get("/join/" + "x" * 43)
    assert page.status_code == 404
    assert "This invitation link no longer works" in text_of(page)
    assert "already joined" not in text_of(page)


def test_sending_a_new_link_stops_the_old_one(client, admin, submit, outbox, browser):
    response = invite_counselor(submit)
    page = client.get(response.headers["Location"])
    resend = re.search(r'action="(/admin/invitations/[^"]+/resend)"', page.get_data(as_text=True))

    again = submit("/admin/counselors", {}, action=resend.group(1))

    assert again.status_code == 302
    assert len(outbox) == 2
    assert browser().get(link_in(outbox[0])).status_code == 404
    assert browser().get(link_in(outbox[1])).status_code == 200
    page = client.get("/admin/counselors").get_data(as_text=True)
    assert page.count("<td>elena@example.com</td>") == 1, "one row per person invited"
    assert link_in(outbox[1]) in page and link_in(outbox[0]) not in page


def test_revoking_stops_the_link_and_removes_the_row(client, admin, submit, outbox, browser):
    response = invite_counselor(submit)
    page = client.get(response.headers["Location"])
    revoke = re.search(r'action="(/admin/invitations/[^"]+/revoke)"', page.get_data(as_text=True))

    done = submit("/admin/counselors", {}, action=revoke.group(1))

    page = client.get(done.headers["Location"])
    assert "The invitation to elena@example.com no longer works." in flashes(page)
    assert "<td>elena@example.com</td>" not in page.get_data(as_text=True)
    assert browser().get(link_in(outbox[0])).status_code == 404
    assert len(events("staff_invitation.revoke")) == 1


def test_a_new_link_for_someone_who_got_an_account_meanwhile_is_refused(
    client, admin, submit, outbox, make_user
):
    page = client.get(invite_counselor(submit).headers["Location"])
    resend = re.search(r'action="(/admin/invitations/[^"]+/resend)"', page.get_data(as_text=True))
    make_user("counselor", email="elena@example.com")

    response = submit("/admin/counselors", {}, action=resend.group(1))

    assert "An account with this email already exists." in flashes(client.get(response.headers["Location"]))
    assert len(outbox) == 1


def test_revoking_twice_says_it_had_already_stopped(client, admin, submit, outbox):
    page = client.get(invite_counselor(submit).headers["Location"])
    revoke = re.search(r'action="(/admin/invitations/[^"]+/revoke)"', page.get_data(as_text=True))
    submit("/admin/counselors", {}, action=revoke.group(1))

    again = submit("/admin/counselors", {}, action=revoke.group(1))

    assert ("The invitation to elena@example.com had already been used or replaced."
            in flashes(client.get(again.headers["Location"])))
    assert len(events("staff_invitation.revoke")) == 1


def test_a_link_expires_after_72_hours_and_the_row_says_so(admin, submit, outbox, browser):
    sent_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(sent_at, tick=False):
        invite_counselor(submit)
    link = link_in(outbox[0])

    with time_machine.travel(sent_at + timedelta(hours=71, minutes=59), tick=False):
        assert browser().get(link).status_code == 200
    with time_machine.travel(sent_at + timedelta(hours=72), tick=False):
        expired = browser().get(link)
        assert expired.status_code == 404
        assert "It may have expired" in text_of(expired)
        owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        page = browser(owner).get("/admin/counselors")
        assert "Expired" in table_row(page, "Dr. Elena Moreno")


def test_someone_signed_in_is_asked_to_sign_out(client, admin, submit, outbox):
    invite_counselor(submit)
    page = client.get(link_in(outbox[0]))
    assert page.status_code == 409
    assert "This invitation is for Dr. Elena Moreno" in text_of(page)


def test_an_address_given_an_account_meanwhile_is_told_to_sign_in(
    admin, submit, outbox, browser, make_user
):
    invite_counselor(submit)
    make_user("counselor", email="elena@example.com")

    page = browser().get(link_in(outbox[0]))

    assert page.status_code == 409
    assert "You already have an account" in text_of(page)


# Deactivating -----------------------------------------------------------------------------------


@pytest.fixture
def dana(make_user):
    """A counselor of the practice, with two-factor set up."""
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
    row = table_row(page, "Dana Reyes")
    assert "Deactivated" in row and "Reactivate" in row
    assert dana_browser.get("/couples/").status_code == 302
    laptop = browser()
    attempt = sign_in_with_password(laptop, dana.email, PASSWORD)
    assert "/tf-validate" not in attempt.headers.get("Location", "")
    assert laptop.get("/couples/").status_code == 302


def test_reactivating_lets_the_counselor_sign_in_again(client, admin, dana, submit, browser):
    set_active(submit, dana, False)

    response = set_active(submit, dana, True)

    page = client.get(response.headers["Location"])
    assert "Dana Reyes can sign in again." in flashes(page)
    assert "Active" in table_row(page, "Dana Reyes")
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


# Resetting a lost two-factor --------------------------------------------------------------------


def reset_two_factor(submit, user):
    """Open the confirmation page and press its button."""
    page = f"/admin/staff/{user.id}/two-factor"
    return submit(page, {}, action=page)


def test_the_admin_confirms_before_resetting(client, admin, dana):
    page = client.get("/admin/counselors")
    assert f'href="/admin/staff/{dana.id}/two-factor"' in page.get_data(as_text=True)

    confirm = client.get(f"/admin/staff/{dana.id}/two-factor")

    assert confirm.status_code == 200
    text = text_of(confirm)
    assert "Reset two-factor sign-in for Dana Reyes?" in text
    assert "check the request is really theirs" in text
    assert "Reset two-factor for Dana Reyes" in text
    db.session.expire_all()
    assert db.session.get(User, dana.id).tf_primary_method == "authenticator", "a GET changes nothing"


def test_resetting_signs_them_out_and_they_set_it_up_again_at_next_sign_in(
    client, admin, dana, submit, browser, outbox
):
    dana_laptop = browser(dana)
    assert dana_laptop.get("/couples/").status_code == 200

    response = reset_two_factor(submit, dana)

    page = client.get(response.headers["Location"])
    assert ("Two-factor sign-in is reset for Dana Reyes, and they are signed out everywhere. At their "
            "next sign-in they set it up again with their new phone.") in flashes(page)
    assert "At next sign-in" in table_row(page, "Dana Reyes")
    assert dana_laptop.get("/couples/").status_code == 302
    new_phone = browser()
    attempt = sign_in_with_password(new_phone, dana.email, PASSWORD)
    assert attempt.headers["Location"].endswith("/tf-setup")
    assert new_phone.get("/couples/").status_code == 302, "no way in without a second factor"
    set_up_authenticator(new_phone)
    assert new_phone.get("/couples/").status_code == 200


def test_a_reset_clears_the_old_secret_and_recovery_codes_and_is_audited(
    client, admin, dana, submit, outbox
):
    dana.mf_recovery_codes = ["0" * 64, "1" * 64]
    db.session.commit()

    reset_two_factor(submit, dana)

    db.session.expire_all()
    dana = db.session.get(User, dana.id)
    assert dana.tf_totp_secret is None and dana.tf_primary_method is None
    assert not dana.mf_recovery_codes
    [event] = events("user.two_factor_reset")
    assert event.actor_id == admin.id and event.object_id == str(dana.id) and event.outcome == "ok"


def test_the_counselor_is_told_by_email(client, admin, dana, submit, outbox):
    reset_two_factor(submit, dana)

    [notice] = outbox
    assert notice.to == ["dana@example.com"]
    assert notice.subject == "Your SecureBase two-factor sign-in was reset"
    assert "Priya Natarajan reset your two-factor sign-in" in notice.body
    assert "If you did not ask for this, contact your practice today" in notice.body


def test_another_admin_can_be_reset_but_not_yourself(client, admin, make_user, submit):
    other_admin = make_user("admin", email="co-owner@example.com", name="Sam Okafor")
    page = client.get("/admin/counselors")
    assert "Reset two-factor for Sam Okafor" in text_of(page)
    assert f"/admin/staff/{admin.id}/two-factor" not in page.get_data(as_text=True)

    assert reset_two_factor(submit, other_admin).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other_admin.id).tf_primary_method is None


def test_resetting_your_own_two_factor_here_is_refused_with_a_way_out(client, admin, auth):
    own = f"/admin/staff/{admin.id}/two-factor"
    page = client.get(own)
    assert page.status_code == 409
    assert "You cannot reset your own two-factor sign-in here" in text_of(page)
    assert f"flask --app practice reset-two-factor {admin.email}" in text_of(page)

    refused = client.post(own, data={"csrf_token": auth.csrf("/admin/counselors")})

    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, admin.id).tf_primary_method == "authenticator"
    [event] = events("user.two_factor_reset")
    assert event.outcome == "denied"
    assert client.get("/admin/counselors").status_code == 200, "still signed in"


@pytest.mark.parametrize("role", ["partner", None])
def test_partners_and_unknown_ids_are_not_found(client, admin, auth, make_user, role):
    import uuid

    user_id = make_user(role, two_factor=True).id if role else uuid.uuid4()
    response = client.post(f"/admin/staff/{user_id}/two-factor",
                           data={"csrf_token": auth.csrf("/admin/counselors")})
    assert response.status_code == 404
    assert client.get(f"/admin/staff/{user_id}/two-factor").status_code == 404
    assert events("user.two_factor_reset") == []


def test_counselors_cannot_reset_anyone(client, counselor, make_user, auth):
    other = make_user("counselor", email="other@example.com")
    response = client.post(f"/admin/staff/{other.id}/two-factor",
                           data={"csrf_token": auth.csrf("/account")})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, other.id).tf_primary_method == "authenticator"



@pytest.fixture
def no_mail_server(app_config):
    """A practice with no email server: mail goes to files in instance/outbox/."""
    app_config["MAIL_BACKEND"] = "file"


def test_with_no_email_server_the_admin_is_told_to_send_the_link_themselves(
        no_mail_server, app, client, admin, submit):
    page = client.get(invite_counselor(submit).headers["Location"])

    assert ("Invitation for elena@example.com saved to the outbox (instance/outbox/); no email server "
            "is set, so copy the link below and send it yourself. The link works once, for 72 hours."
            ) in flashes(page)
    [saved] = list((Path(app.instance_path) / "outbox").iterdir())
    assert "/join/" in saved.read_text()


def test_the_staff_link_has_a_copy_button_like_the_partner_link(client, admin, submit, outbox):
    page = client.get(invite_counselor(submit).headers["Location"]).get_data(as_text=True)

    field = re.search(r'<input id="(link-[^"]+)" type="text" readonly value="([^"]+)" data-copy>', page)
    assert field and field.group(2) == link_in(outbox[0])
    assert re.search(rf'<button [^>]*data-copy-for="{field.group(1)}"[^>]*>Copy link</button>', page)
    assert "js/copy-link.js" in page


def test_the_email_goes_out_only_once_the_invitation_is_saved(app, admin, outbox):
    from practice.admin.invitations import invite_counselor as send

    with app.test_request_context():
        send("elena@example.com", "Dr. Elena Moreno", admin)
        assert outbox == [], "not before the commit"
        db.session.rollback()  # a commit that failed: its link would not work
    assert outbox == []

    with app.test_request_context():
        send("elena@example.com", "Dr. Elena Moreno", admin)
        db.session.commit()
    assert [message.to for message in outbox] == [["elena@example.com"]]


def test_signing_out_forgets_the_links_shown_on_this_browser(client, auth, admin, submit, outbox):
    """A link that makes a counselor account must not outlive the sign-in in the cookie."""
    invite_counselor(submit)
    link = link_in(outbox[0])
    assert link in client.get("/admin/counselors").get_data(as_text=True)

    auth.logout()
    # Half a minute on: a two-factor code works once.
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=True):
        auth.login(admin)

        page = client.get("/admin/counselors")
        assert "Dr. Elena Moreno" in table_row(page, "Dr. Elena Moreno"), "still invited"
        assert link not in page.get_data(as_text=True)
