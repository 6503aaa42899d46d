"""The owner brings a counselor in by email, and later helps her after she loses her phone.

Priya, the practice owner, invites Elena by name and email. Elena opens the link on her laptop,
chooses her password (the first one she types is too short), and sets up two-factor with an
authenticator app before she sees her caseload. Weeks later Elena's phone is gone: at the code
page she asks the practice to reset it. Priya confirms and resets Elena's two-factor; Elena signs
in with her password and sets it up on her new phone. A partner who already joined and opens
her old invitation link is told to sign in. Every page is checked with axe and photographed.
"""

import re

import pytest
from passlib.totp import TOTP
from playwright.sync_api import expect

from practice.extensions import security

pytestmark = pytest.mark.browser

PRIYAS_PASSWORD = "the blue door on elm street"
ELENAS_PASSWORD = "rain on the greenhouse roof"


@pytest.fixture
def priya(make_user):
    """The practice owner, with two-factor set up."""
    return make_user("admin", email="priya@example.com", name="Priya Natarajan", password=PRIYAS_PASSWORD)


def sign_in(page, email: str, password: str) -> None:
    """Fill in the sign-in form and submit it."""
    page.goto("/login")
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_code(page, code: str) -> None:
    """Type a code into whichever code form is showing and submit it."""
    form = page.locator("form[name=two_factor_verify_code_form]")
    form.locator("input[name=code]").fill(code)
    form.locator("[type=submit]").click()


def set_up_authenticator(page) -> None:
    """Choose an authenticator app, read the setup key off the page, and enter its code."""
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    page.locator("form[name=two_factor_setup_form] [type=submit]").click()
    key = page.locator(".totp-key").inner_text().replace(" ", "")
    enter_code(page, TOTP(key=key).generate().token)


def test_the_owner_invites_a_counselor_and_later_resets_her_lost_two_factor(
    app, new_person, look, priya, make_couple, make_user
):
    owner = new_person()
    sign_in(owner, priya.email, PRIYAS_PASSWORD)
    enter_code(owner, security.totp_factory.generate_totp_password(priya.tf_totp_secret))
    expect(owner.get_by_role("heading", name="Counselors")).to_be_visible()
    look(owner, "admin-no-counselors")

    # A slip first: no email address.
    owner.get_by_label("Name").fill("Dr. Elena Moreno")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.locator("#f-email-error")).to_have_text("Enter an email address.")
    expect(owner.get_by_label("Name")).to_have_value("Dr. Elena Moreno")
    look(owner, "admin-invite-error")
    owner.get_by_label("Email").fill("elena@example.com")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_role("status")).to_contain_text("Invitation sent to elena@example.com")
    expect(owner.get_by_role("heading", name="Invited, not joined yet")).to_be_visible()
    link = owner.get_by_label(re.compile("Invitation link")).input_value()
    look(owner, "admin-invited")

    # Elena opens the link on her laptop and chooses a password.
    laptop = new_person()
    laptop.goto(link)
    expect(laptop.get_by_role("heading", name="Welcome, Dr. Elena Moreno")).to_be_visible()
    look(laptop, "join")
    laptop.get_by_label("Choose a password").fill("too short")
    laptop.get_by_label("Type it again").fill("too short")
    laptop.get_by_role("button", name="Save password and continue").click()
    expect(laptop.locator("#f-password-error")).to_contain_text("Use at least 12 characters")
    look(laptop, "join-error")
    laptop.get_by_label("Choose a password").fill(ELENAS_PASSWORD)
    laptop.get_by_label("Type it again").fill(ELENAS_PASSWORD)
    laptop.get_by_role("button", name="Save password and continue").click()
    expect(laptop.get_by_text("Your account is ready.")).to_be_visible()
    look(laptop, "join-then-tf-setup")
    set_up_authenticator(laptop)
    laptop.goto("/couples/")
    expect(laptop.get_by_role("heading", name="Your caseload")).to_be_visible()

    # The old link now says she has joined, and where to sign in.
    spare = new_person()
    spare.goto(link)
    expect(spare.get_by_role("heading", name="You have already joined")).to_be_visible()
    look(spare, "join-used-link")
    laptop.context.close()

    # Weeks later, a new laptop and no phone: she asks the practice to reset it.
    new_laptop = new_person()
    sign_in(new_laptop, "elena@example.com", ELENAS_PASSWORD)
    new_laptop.get_by_text("Lost your phone, or the code will not work?").click()
    new_laptop.get_by_text("Ask the practice to reset it").click()
    look(new_laptop, "tf-validate-rescue-open")
    new_laptop.locator("form[name=two_factor_rescue_form] [type=submit]").click()
    expect(new_laptop.get_by_text("We have emailed your practice")).to_be_visible()
    look(new_laptop, "tf-rescue-asked")

    # Priya resets it, after a confirmation page.
    owner.goto("/admin/counselors")
    look(owner, "admin-counselor-set-up")
    owner.get_by_role("link", name="Reset two-factor for Dr. Elena Moreno").click()
    confirm = owner.get_by_role("heading", name="Reset two-factor sign-in for Dr. Elena Moreno?")
    expect(confirm).to_be_visible()
    look(owner, "admin-reset-confirm")
    owner.get_by_role("button", name="Reset two-factor for Dr. Elena Moreno").click()
    expect(owner.get_by_role("status")).to_contain_text("Two-factor sign-in is reset for Dr. Elena Moreno")
    look(owner, "admin-after-reset")
    owner.goto(f"/admin/staff/{priya.id}/two-factor")
    expect(owner.get_by_role("heading", name="This is your own account")).to_be_visible()
    look(owner, "admin-reset-yourself")

    # Elena signs in with her password and sets up her new phone.
    new_laptop.goto("/login")
    sign_in(new_laptop, "elena@example.com", ELENAS_PASSWORD)
    set_up_authenticator(new_laptop)
    new_laptop.goto("/couples/")
    expect(new_laptop.get_by_role("heading", name="Your caseload")).to_be_visible()

    # A partner who joined long ago opens her old invitation link.
    from practice.couples.invitations import invite_partner
    from practice.extensions import db

    couple = make_couple(make_user("counselor"), joined=False, names=("Maya Chen", "Jordan Rivera"))
    with app.test_request_context(base_url="http://localhost"):
        partner_link = invite_partner(couple.partners[0])
    db.session.commit()
    path = "/invite/" + partner_link.rsplit("/", 1)[1]
    phone = new_person()
    phone.goto(path)
    phone.get_by_label("Choose a password").fill("tea on the porch at seven")
    phone.get_by_label("Type it again").fill("tea on the porch at seven")
    phone.get_by_role("button", name="Join and continue").click()
    expect(phone.get_by_role("heading", name="Hi Maya")).to_be_visible()
    phone.context.close()
    later = new_person()
    later.goto(path)
    expect(later.get_by_role("heading", name="You have already joined")).to_be_visible()
    expect(later.get_by_role("link", name="Go to sign in")).to_have_attribute("href", "/login")
    look(later, "partner-used-link")
