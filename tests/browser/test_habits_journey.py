"""Habits in a real browser: a counselor assigns three, the partners log them on their phones.

Counselor X assigns couple 1 three habits: the daily check-in, small bids (a range, 3-5 a day) and
the repair ritual (as needed). Pat logs on a 390x844 phone with JavaScript (the page updates in
place) and Bea without it (plain form posts); Pat's note is private. Bea sees Pat's counts but
never the note, and the counselor's grid shows what they logged. Every page is checked with axe.
"""

import re

import pytest
from playwright.sync_api import expect

from practice.extensions import security
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user, code_for=None) -> None:
    """Sign in through the real forms (with the authenticator code for staff)."""
    page.goto("/login")
    page.get_by_label(re.compile(r"^Email")).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code_for is not None:
        form = page.locator("form[name=two_factor_verify_code_form]")
        form.get_by_role("textbox", name=re.compile("code", re.IGNORECASE)).fill(
            security.totp_factory.generate_totp_password(code_for.tf_totp_secret))
        form.get_by_role("button").click()
    page.wait_for_load_state()


def assign(page, habit: str, **targets) -> None:
    """Choose a habit from the catalogue and assign it with its usual target (or the ones given)."""
    page.get_by_role("link", name="Assign a habit").click()
    page.get_by_role("link", name=f"Choose {habit}").click()
    for label, value in targets.items():
        page.get_by_label(re.compile(f"^{label}")).fill(value)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"{habit} assigned.")).to_be_visible()


def test_a_counselor_assigns_habits_and_each_partner_logs_them_on_a_phone(
        chromium, live_server, new_person, look, world):
    counselor = new_person()
    sign_in(counselor, world["X"], code_for=world["X"])
    counselor.goto(f"/couples/{world['couple1'].id}")
    expect(counselor.get_by_text("No habits yet.")).to_be_visible()
    counselor.get_by_role("link", name="Assign a habit").click()
    look(counselor, "habit-catalogue")
    counselor.go_back()
    assign(counselor, "How-are-we check-in")
    assign(counselor, "Small bids", **{"At least": "3", "At most": "5"})
    assign(counselor, "Repair ritual")
    look(counselor, "couple-page-with-habits")

    # Pat, on a phone with JavaScript: one tap, and the count changes in place.
    pat = chromium.new_context(viewport=PHONE, base_url=live_server).new_page()
    sign_in(pat, world["P1A"])
    pat.goto("/portal/week")
    bids = pat.locator("article", has=pat.get_by_role("heading", name="Small bids"))
    expect(bids.locator(".habit-today__progress")).to_contain_text("0 of 3-5 today")
    look(pat, "week")
    bids.get_by_role("button", name=re.compile(r"^\+1")).click()
    expect(bids.locator(".habit-today__progress")).to_contain_text("1 of 3-5 today")
    expect(bids.get_by_role("status")).to_have_text("Logged.")
    assert "/portal/week" in pat.url and "#" not in pat.url  # no reload: the script sent it
    checkin = pat.locator("article", has=pat.get_by_role("heading", name="How-are-we check-in"))
    checkin.get_by_text("Add a feeling or a note").click()
    checkin.get_by_label("A note").fill("Слушали друг друга. Private to me.")
    checkin.get_by_label("Only me").check()
    checkin.get_by_role("button", name="Log with these details").click()
    expect(checkin.locator(".habit-today__progress")).to_contain_text("1 of 1 today")

    # Bea, on a phone without JavaScript: the same forms, posted plainly.
    bea_context = chromium.new_context(viewport=PHONE, base_url=live_server, java_script_enabled=False)
    bea = bea_context.new_page()
    sign_in(bea, world["P1B"])
    bea.goto("/portal/week")
    repair = bea.locator("article", has=bea.get_by_role("heading", name="Repair ritual"))
    repair.get_by_role("button", name=re.compile("^Done")).click()
    expect(bea.get_by_text("Logged: Repair ritual.")).to_be_visible()
    week_text = bea.locator("main").inner_text()
    assert "Pat: 1 of 1 today" in week_text  # Pat's check-in: counts are seen
    assert "Private to me" not in bea.content()  # the note is not
    bea_context.close()

    # The counselor's grid shows this week's logs; the private note is not on the habit page.
    counselor.reload()
    habits = counselor.locator("section.panel--habits")
    expect(habits.locator("svg.habit-grid__svg rect").first).to_be_visible()
    expect(habits).to_contain_text("Bea: 1 this week")  # her repair ritual, as-needed: counts only
    counselor.get_by_role("link", name="How-are-we check-in").click()
    assert "Private to me" not in counselor.content()
    look(counselor, "habit-page")
    pat.context.close()
