"""A long unbroken name wraps on a phone: no page grows wider than the screen."""

import re

import pytest

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
    for path in ("/portal/", "/account"):
        partner.goto(path)
        width = partner.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
    look(partner, "portal-with-a-long-name")
