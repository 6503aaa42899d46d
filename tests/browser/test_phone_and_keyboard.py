"""On a phone and with a keyboard: long names wrap, and a form sent back puts focus on what to fix."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from practice.extensions import security
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LONG = "Ж" * 60 + "W" * 60  # 120 characters, the label's limit, without a break


def test_a_120_character_name_does_not_widen_any_page_on_a_phone(new_person, make_user, make_couple, look):
    dana = make_user("counselor", email="dana@example.com", name="Dana Reyes")
    couple = make_couple(dana, joined=True, label=LONG, names=(LONG, "Sam " + "Q" * 80))
    page = new_person()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.get_by_label(re.compile(r"^Email")).fill(dana.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name=re.compile("code", re.I)).fill(
        security.totp_factory.generate_totp_password(dana.tf_totp_secret))
    page.locator("form[name=two_factor_verify_code_form]").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    for path in ("/couples/", f"/couples/{couple.id}", f"/couples/{couple.id}/audit",
                 f"/couples/{couple.id}/archive"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
    look(page, "couple-with-a-long-name")

    partner = new_person()
    partner.set_viewport_size({"width": 390, "height": 844})
    partner.goto("/login")
    partner.get_by_label(re.compile(r"^Email")).fill(couple.partners[1].email)
    partner.get_by_label("Password", exact=True).fill(PASSWORD)
    partner.get_by_role("button", name="Sign in").click()
    expect(partner).to_have_url(re.compile(r"/portal/$"))
    for path in ("/portal/", "/account"):
        partner.goto(path)
        width = partner.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
    look(partner, "portal-with-a-long-name")


def test_a_form_sent_back_with_errors_puts_the_keyboard_on_the_first_field_to_fix(
        app, new_person, make_user, make_couple):
    from practice.couples.invitations import invite_partner
    from practice.extensions import db

    couple = make_couple(make_user("counselor"))
    with app.test_request_context():
        link = invite_partner(couple.partners[0])
    db.session.commit()
    page = new_person()
    page.goto(urlsplit(link).path)
    page.get_by_label("Choose a password", exact=False).first.fill("a long and quiet river bend")
    page.get_by_label("again", exact=False).fill("a different long river bend")
    page.get_by_role("button", name=re.compile("join|start|continue|create", re.I)).click()
    # The page came back with an error on the second password; the keyboard is already there.
    expect(page.locator('[aria-invalid="true"]')).to_have_count(1)
    expect(page.locator('[aria-invalid="true"]')).to_be_focused()
