"""Inviting partners: the email, the link's life (resend, revoke, expiry) and accepting it."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from webpage import csrf_token, field_error, flashes, text_of

from practice.extensions import db
from practice.timezones import zone_name
from tests.conftest import PASSWORD_MISTAKES

NEW_PASSWORD = "our kitchen smells of cinnamon"


def soon() -> datetime:
    """A minute from now, to the second: only forward, as signed cookies refuse the past."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def couple(counselor, make_couple):
    """A couple whose partners have not been invited yet."""
    return make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))


def invite(submit, couple, partner):
    """Press "Send invitation" (or "Send a new invitation") for a partner."""
    return submit(f"/couples/{couple.id}", {},
                  action=f"/couples/{couple.id}/partners/{partner.id}/invite")


def revoke(submit, couple, partner):
    """Press "Revoke link" for a partner."""
    return submit(f"/couples/{couple.id}", {},
                  action=f"/couples/{couple.id}/partners/{partner.id}/revoke")


def link_in(message) -> str:
    """The invitation link in an email."""
    match = re.search(r"https?://\S+/invite/\S+", message.body)
    assert match, message.body
    return match.group(0)


def partner_card(page, name: str) -> str:
    """The text of one partner's card on the couple page."""
    text = text_of(page)
    start = text.index(name)
    return text[start:start + 300]


def accept(anonymous, link, password=NEW_PASSWORD, confirm=None):
    """Choose a password on the invitation page."""
    page = anonymous.get(link)
    token = csrf_token(page)
    return anonymous.post(link, data={
        "email": "ignored@example.com", "password": password,
        "password_confirm": password if confirm is None else confirm, "csrf_token": token,
    })


def test_sending_an_invitation_emails_a_working_link(client, couple, submit, outbox, browser):
    partner = couple.partners[0]

    response = invite(submit, couple, partner)

    page = client.get(response.headers["Location"])
    sent = f"Invitation sent to {partner.email}. The link works once, for 72 hours."
    assert sent in flashes(page)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [partner.email]
    assert message.subject == "Dana Reyes invited you to SecureBase"
    assert "Hello Maya Chen" in message.body
    assert "the link works once, for 72 hours" in message.body
    welcome = browser().get(link_in(message))
    assert welcome.status_code == 200
    assert "Welcome, Maya Chen" in text_of(welcome)
    assert "Dana Reyes invited you" in text_of(welcome)


def test_an_invitation_goes_out_even_if_a_name_has_a_line_break(
    make_user, make_couple, auth, submit, outbox
):
    counselor = make_user("counselor", name="Dr. Elena\nMoreno")
    auth.login(counselor)
    couple = make_couple(counselor, names=("Maya Chen", "Jordan Rivera"))

    response = invite(submit, couple, couple.partners[0])

    assert response.status_code == 302
    assert outbox[0].subject == "Dr. Elena Moreno invited you to SecureBase"


def test_the_counselor_sees_invited_until_the_expiry(client, couple, submit, outbox):
    sent_at = soon()
    with time_machine.travel(sent_at, tick=False):
        response = invite(submit, couple, couple.partners[1])
        page = client.get(response.headers["Location"])

    expires = sent_at + timedelta(hours=72)
    card = partner_card(page, "Jordan Rivera")
    # In the couple's own time, as words: "Thu 3 Dec, 12:51 pm Central time".
    local = expires.astimezone(ZoneInfo(couple.time_zone))
    assert f"Invited until {local:%a} {local.day} {local:%b}, {local.hour % 12 or 12}:{local:%M}" in card
    assert f"{'am' if local.hour < 12 else 'pm'} {zone_name(couple.time_zone).split(',')[0]}" in card
    assert "Send a new invitation" in card and "Revoke link" in card
    assert "Not invited" in partner_card(page, "Maya Chen")


def test_both_fresh_links_stay_on_the_couple_page_until_used(
    client, auth, couple, submit, outbox, browser
):
    """Inviting both partners before copying either link loses neither."""
    first_partner, second_partner = couple.partners
    response = invite(submit, couple, first_partner)
    client.get(response.headers["Location"])
    invite(submit, couple, second_partner)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert link_in(outbox[0]) in page and link_in(outbox[1]) in page

    partner_browser = browser()
    path = urlsplit(link_in(outbox[0])).path
    accepted = partner_browser.post(path, data={
        "password": "a long and quiet river bend", "password_confirm": "a long and quiet river bend",
        "csrf_token": type(auth)(partner_browser).csrf(path),
    })
    assert accepted.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert link_in(outbox[0]) not in page, "a used link leaves the page"
    assert link_in(outbox[1]) in page


def test_a_replaced_link_leaves_the_couple_page(client, couple, submit, outbox):
    partner = couple.partners[0]
    response = invite(submit, couple, partner)
    invite(submit, couple, partner)

    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert link_in(outbox[0]) not in page
    assert link_in(outbox[1]) in page


@pytest.fixture
def mail_only(app_config):
    """A practice with real email, where links are never shown on screen."""
    app_config["SHOW_INVITE_LINKS"] = False


def test_with_real_email_the_link_is_only_in_the_email(mail_only, client, couple, submit, outbox):
    response = invite(submit, couple, couple.partners[0])

    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert link_in(outbox[0]) not in page
    assert "/invite/" not in page


def test_resending_revokes_the_old_link(client, couple, submit, outbox, browser):
    partner = couple.partners[0]
    invite(submit, couple, partner)
    invite(submit, couple, partner)

    old, new = link_in(outbox[0]), link_in(outbox[1])
    anonymous = browser()
    stale = anonymous.get(old)
    assert stale.status_code == 404
    assert "This invitation link no longer works" in text_of(stale)
    assert anonymous.get(new).status_code == 200
    assert "Invited until" in partner_card(client.get(f"/couples/{couple.id}"), "Maya Chen")


def test_revoking_stops_the_link(client, couple, submit, outbox, browser):
    partner = couple.partners[0]
    invite(submit, couple, partner)

    response = revoke(submit, couple, partner)

    page = client.get(response.headers["Location"])
    assert "Maya Chen's invitation link no longer works." in flashes(page)
    card = partner_card(page, "Maya Chen")
    assert "Invitation revoked" in card and "Send a new invitation" in card
    assert browser().get(link_in(outbox[0])).status_code == 404


def test_a_link_expires_after_72_hours(couple, counselor, submit, outbox, browser):
    sent_at = soon()
    with time_machine.travel(sent_at, tick=False):
        invite(submit, couple, couple.partners[0])
    link = link_in(outbox[0])

    with time_machine.travel(sent_at + timedelta(hours=71, minutes=59), tick=False):
        assert browser().get(link).status_code == 200

    with time_machine.travel(sent_at + timedelta(hours=72), tick=False):
        expired = browser().get(link)
        assert expired.status_code == 404
        assert "It may have expired" in text_of(expired)
        page = browser(counselor).get(f"/couples/{couple.id}")
        assert "Invitation expired" in partner_card(page, "Maya Chen")


def test_after_expiry_a_new_invitation_works(couple, counselor, submit, outbox, browser):
    sent_at = soon()
    with time_machine.travel(sent_at, tick=False):
        invite(submit, couple, couple.partners[0])

    with time_machine.travel(sent_at + timedelta(hours=80), tick=False):
        later = browser(counselor)
        page = later.get(f"/couples/{couple.id}")
        assert "Send a new invitation" in partner_card(page, "Maya Chen")
        later.post(f"/couples/{couple.id}/partners/{couple.partners[0].id}/invite",
                   data={"csrf_token": csrf_token(page)})
        assert len(outbox) == 2
        assert browser().get(link_in(outbox[1])).status_code == 200
        assert browser().get(link_in(outbox[0])).status_code == 404


@PASSWORD_MISTAKES
def test_a_password_that_breaks_the_rules_keeps_the_page_with_the_reason(
    couple, submit, outbox, browser, password, confirm, field, message
):
    invite(submit, couple, couple.partners[0])
    anonymous = browser()

    page = accept(anonymous, link_in(outbox[0]), password, confirm)

    assert page.status_code == 422
    assert field_error(page, field) == message
    assert "Welcome, Maya Chen" in text_of(page)
    assert couple.partners[0].user_id is None
    assert anonymous.get("/portal/").status_code == 302


def test_accepting_signs_the_partner_in_and_lands_in_the_portal(
    client, couple, submit, outbox, browser
):
    invite(submit, couple, couple.partners[0])
    phone = browser()

    response = accept(phone, link_in(outbox[0]))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/portal/")
    portal = phone.get("/portal/")
    assert "Hi Maya" in text_of(portal)
    assert "Joined" in partner_card(client.get(f"/couples/{couple.id}"), "Maya Chen")


def test_the_new_account_signs_in_with_the_chosen_password(couple, submit, outbox, browser, auth):
    invite(submit, couple, couple.partners[0])
    accept(browser(), link_in(outbox[0]))
    db.session.expire_all()
    partner_user = couple.partners[0].user

    later = browser()
    type(auth)(later).login(partner_user, password=NEW_PASSWORD)

    assert "Hi Maya" in text_of(later.get("/portal/"))


def test_a_used_link_cannot_be_used_again(couple, submit, outbox, browser):
    invite(submit, couple, couple.partners[0])
    link = link_in(outbox[0])
    accept(browser(), link)

    again = browser().get(link)
    second_try = accept_without_page(browser(), link)

    assert again.status_code == 404
    assert "This invitation link no longer works" not in text_of(again)
    assert second_try.status_code in (400, 404)


def test_a_partner_who_joined_and_opens_their_link_again_is_told_to_sign_in(
    couple, submit, outbox, browser
):
    invite(submit, couple, couple.partners[0])
    link = link_in(outbox[0])
    accept(browser(), link)

    later = browser().get(link)

    assert later.status_code == 404
    text = text_of(later)
    assert "You have already joined" in text
    assert "Sign in with your email and the password you chose." in text
    assert "Ask your counselor to send you a new invitation" not in text
    assert 'href="/login"' in later.get_data(as_text=True)
    assert "Maya" not in text and couple.partners[0].email not in text, "no name or address shown"


def test_a_link_nobody_issued_never_mentions_joining(client, browser):
    page = browser().get("/invite/" + "A" * 43)

    assert page.status_code == 404
    assert "This invitation link no longer works" in text_of(page)
    assert "already joined" not in text_of(page)


def test_an_older_replaced_link_says_how_to_get_in_without_saying_who_joined(
    couple, submit, outbox, browser
):
    """The first email's link was replaced; whoever holds it is not told the partner joined."""
    invite(submit, couple, couple.partners[0])
    invite(submit, couple, couple.partners[0])
    accept(browser(), link_in(outbox[1]))

    old = browser().get(link_in(outbox[0]))

    assert old.status_code == 404
    text = text_of(old)
    assert "This invitation link no longer works" in text and "already joined" not in text
    assert "If you have already set up your account, sign in." in text


def accept_without_page(anonymous, link):
    """Post a password straight to a link, with a token from the sign-in page."""
    token = csrf_token(anonymous.get("/login"))
    return anonymous.post(link, data={"password": "a second account for me",
                                      "password_confirm": "a second account for me",
                                      "csrf_token": token})


def test_someone_already_signed_in_is_asked_to_sign_out(client, couple, submit, outbox):
    invite(submit, couple, couple.partners[0])

    page = client.get(link_in(outbox[0]))

    assert page.status_code == 409
    text = text_of(page)
    assert "Sign out to accept this invitation" in text
    assert "This invitation is for Maya Chen" in text
    assert couple.partners[0].user_id is None


def test_an_email_that_already_has_an_account_is_told_to_sign_in(
    couple, submit, outbox, browser, make_user
):
    make_user("partner", email=couple.partners[0].email, two_factor=False)
    invite(submit, couple, couple.partners[0])

    page = browser().get(link_in(outbox[0]))

    assert page.status_code == 409
    assert "You already have an account" in text_of(page)


def test_correcting_an_invited_partners_email_stops_the_old_link(
    client, couple, submit, outbox, browser
):
    partner = couple.partners[0]
    invite(submit, couple, partner)
    form = {
        "partner_a.name": "Maya Chen", "partner_a.email": "maya.right@example.com",
        "partner_b.name": "Jordan Rivera", "partner_b.email": couple.partners[1].email,
        "time_zone": "America/Chicago", "confidentiality": "no_secrets",
    }

    submit(f"/couples/{couple.id}/edit", form)

    assert browser().get(link_in(outbox[0])).status_code == 404
    assert "Invitation revoked" in partner_card(client.get(f"/couples/{couple.id}"), "Maya Chen")


def test_another_counselor_cannot_invite_my_couples_partner(couple, make_user, browser, outbox):
    other = browser(make_user("counselor", email="other@example.com"))
    token = csrf_token(other.get("/couples/"))

    response = other.post(f"/couples/{couple.id}/partners/{couple.partners[0].id}/invite",
                          data={"csrf_token": token})

    assert response.status_code == 404
    assert outbox == []


def test_the_email_goes_out_only_once_the_invitation_is_saved(app, couple, outbox):
    from practice.couples.invitations import invite_partner

    with app.test_request_context():
        invite_partner(couple.partners[0])
        assert outbox == [], "not before the commit"
        db.session.rollback()  # a commit that failed: its link would not work
    assert outbox == []

    with app.test_request_context():
        invite_partner(couple.partners[0])
        db.session.commit()
    assert len(outbox) == 1


def test_signing_out_forgets_the_links_shown_on_this_browser(client, auth, counselor, couple, submit, outbox):
    invite(submit, couple, couple.partners[0])
    link = link_in(outbox[0])
    assert link in client.get(f"/couples/{couple.id}").get_data(as_text=True)

    auth.logout()
    # Half a minute on: a two-factor code works once.
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31), tick=True):
        auth.login(counselor)

        page = client.get(f"/couples/{couple.id}")
        assert "Invited" in partner_card(page, "Maya Chen")
        assert link not in page.get_data(as_text=True)


def test_opening_the_link_is_audited_under_the_couple(couple, submit, outbox, browser):
    from sqlalchemy import select

    from practice.audit import AuditEvent

    invite(submit, couple, couple.partners[0])
    invitation = couple.partners[0].invitations[0]

    assert browser().get(urlsplit(link_in(outbox[0])).path).status_code == 200

    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation.view")).all()
    assert (event.actor_id, event.object_type, event.object_id, event.couple_id) == (
        None, "invitation", str(invitation.id), couple.id)


def test_the_invitation_page_is_built_from_plain_data(app, couple, submit, outbox, browser):
    from flask import template_rendered

    seen = []

    def remember(sender, template, context, **extra):
        if template.name.startswith("couples/invitation_"):
            seen.append(context)

    invite(submit, couple, couple.partners[0])
    with template_rendered.connected_to(remember, app):
        browser().get(urlsplit(link_in(outbox[0])).path)
    assert seen
    assert seen[0]["partner"] == {"name": "Maya Chen", "email": couple.partners[0].email}
    assert seen[0]["counselor"] == {"display_name": "Dana Reyes"}
