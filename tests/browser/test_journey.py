"""The first journey in a real browser: a counselor brings a couple in, and each partner joins.

Dana, a counselor, signs in with her password and her authenticator code, adds Maya and Jordan
to her empty caseload, and sends each of them an invitation. Each partner opens their link on
their own device, chooses a password and lands in a portal that shows their own couple and
nobody else's. Pia, a client of another counselor, cannot reach Maya and Jordan's pages.
Every page is checked with axe and photographed at desktop and phone sizes (see conftest).
"""

import re

import pytest
from playwright.sync_api import expect

from practice.extensions import db, security

pytestmark = pytest.mark.browser

MAYA = {"name": "Maya Okafor", "email": "maya.okafor@example.com"}
JORDAN = {"name": "Jordan Ellis", "email": "jordan.ellis@example.com"}
DANAS_PASSWORD = "a quiet office above the bakery"
PIAS_PASSWORD = "seven swans on the grey lake"
NEW_PASSWORDS = {"Maya": "tea on the porch at seven", "Jordan": "the long walk by the harbour"}


@pytest.fixture
def dana(make_user):
    """A counselor with an authenticator app set up and no couples yet."""
    return make_user("counselor", email="dana.reyes@example.com", name="Dana Reyes", password=DANAS_PASSWORD)


@pytest.fixture
def pia(app, make_user):
    """A client of another counselor, Sol Park, who has already joined with her partner Ben."""
    from practice.couples.invitations import accept_invitation, invite_partner
    from practice.couples.models import Confidentiality
    from practice.couples.services import add_couple

    sol = make_user("counselor", email="sol.park@example.com", name="Sol Park")
    couple = add_couple(
        sol,
        {
            "label": "",
            "time_zone": "Europe/Warsaw",
            "confidentiality": Confidentiality.no_secrets,
            "partner_a": {"name": "Pia Nowak", "email": "pia.nowak@example.com", "pronouns": ""},
            "partner_b": {"name": "Ben Nowak", "email": "ben.nowak@example.com", "pronouns": ""},
        },
    )
    db.session.flush()
    with app.test_request_context():
        invite_partner(couple.partners[0])
        pia = accept_invitation(couple.partners[0].invitations[0], PIAS_PASSWORD)
    db.session.commit()
    return pia


def sign_in(page, email: str, password: str) -> None:
    """Fill in the sign-in form and submit it."""
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def invitation_link(page, partner_name: str) -> str:
    """The one-time invitation link the couple page shows on a partner's card."""
    card = page.locator("article.partner-card", has=page.get_by_role("heading", name=partner_name))
    return card.get_by_label(re.compile("Invitation link")).input_value()


def test_counselor_brings_a_couple_in_and_each_partner_sees_only_their_own_space(
    live_server, new_person, look, dana, pia
):
    # Dana signs in: first her password, then the code from her authenticator app.
    counselor = new_person()
    counselor.goto("/")
    expect(counselor.get_by_role("heading", name="Sign in")).to_be_visible()
    look(counselor, "sign-in")
    sign_in(counselor, dana.email, DANAS_PASSWORD)

    code_form = counselor.locator("form[name=two_factor_verify_code_form]")
    code = code_form.get_by_role("textbox", name=re.compile("code", re.IGNORECASE))
    expect(code).to_be_visible()
    look(counselor, "two-factor-code")
    code.fill(security.totp_factory.generate_totp_password(dana.tf_totp_secret))
    code_form.get_by_role("button").click()

    # Her caseload is empty, and says what to do first.
    expect(counselor.get_by_role("heading", name="Your caseload")).to_be_visible()
    expect(counselor.get_by_text("Your caseload is empty")).to_be_visible()
    look(counselor, "caseload-empty")

    # She adds Maya and Jordan, but forgets Jordan's email the first time.
    counselor.get_by_role("link", name="Add a couple").click()
    expect(counselor.get_by_role("heading", name="Add a couple")).to_be_visible()
    look(counselor, "add-couple")
    partner_a = counselor.get_by_role("group", name="Partner A")
    partner_b = counselor.get_by_role("group", name="Partner B")
    partner_a.get_by_label("Name").fill(MAYA["name"])
    partner_a.get_by_label("Email").fill(MAYA["email"])
    partner_a.get_by_label("Pronouns").fill("she/her")
    partner_b.get_by_label("Name").fill(JORDAN["name"])
    counselor.get_by_label("Time zone").fill("America/Chicago")
    counselor.get_by_role("radio", name=re.compile("Limited secrets")).check()
    counselor.get_by_role("button", name="Add couple").click()

    # The form comes back with the problem next to Jordan's email and everything else kept.
    expect(counselor.get_by_role("alert")).to_contain_text("Some answers need another look")
    jordan_email = partner_b.get_by_label("Email")
    expect(jordan_email).to_have_attribute("aria-invalid", "true")
    expect(counselor.locator("#f-partner_b-email-error")).to_contain_text("Enter an email address")
    expect(jordan_email).to_have_attribute("aria-describedby", re.compile("-error"))
    expect(partner_a.get_by_label("Name")).to_have_value(MAYA["name"])
    expect(partner_a.get_by_label("Email")).to_have_value(MAYA["email"])
    expect(partner_a.get_by_label("Pronouns")).to_have_value("she/her")
    expect(partner_b.get_by_label("Name")).to_have_value(JORDAN["name"])
    expect(counselor.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(counselor.get_by_role("radio", name=re.compile("Limited secrets"))).to_be_checked()
    look(counselor, "add-couple-with-error")

    jordan_email.fill(JORDAN["email"])
    counselor.get_by_role("button", name="Add couple").click()

    # She lands on the couple's page, where neither partner has been invited yet.
    expect(counselor.get_by_role("heading", level=1)).to_have_text(re.compile("Maya & Jordan"))
    expect(counselor.get_by_role("status")).to_contain_text("Invite each partner")
    expect(counselor.get_by_text("Limited secrets agreement")).to_be_visible()
    couple_url = counselor.url
    look(counselor, "couple-added")

    # She sends both invitations; each link is shown once on the partner's card.
    counselor.get_by_role("button", name="Send invitation").first.click()
    expect(counselor.get_by_role("status")).to_contain_text(f"Invitation sent to {MAYA['email']}")
    maya_link = invitation_link(counselor, MAYA["name"])
    counselor.get_by_role("button", name="Send invitation").click()
    expect(counselor.get_by_role("status")).to_contain_text(f"Invitation sent to {JORDAN['email']}")
    jordan_link = invitation_link(counselor, JORDAN["name"])
    expect(counselor.get_by_text("Invited", exact=True)).to_have_count(2)
    look(counselor, "couple-invited")
    assert maya_link != jordan_link
    assert all(link.startswith(f"{live_server}/invite/") for link in (maya_link, jordan_link))

    # Maya and Jordan each open their own link on their own phone and choose a password.
    for partner, link, other in ((MAYA, maya_link, JORDAN), (JORDAN, jordan_link, MAYA)):
        first_name = partner["name"].split()[0]
        phone = new_person()
        phone.goto(link)
        expect(phone.get_by_role("heading", name=f"Welcome, {partner['name']}")).to_be_visible()
        expect(phone.get_by_text("Dana Reyes invited you")).to_be_visible()
        expect(phone.get_by_label("Your sign-in email")).to_have_value(partner["email"])
        look(phone, f"invitation-{first_name.lower()}")
        phone.get_by_label("Choose a password").fill(NEW_PASSWORDS[first_name])
        phone.get_by_label("Type it again").fill(NEW_PASSWORDS[first_name])
        phone.get_by_role("button", name="Join and continue").click()

        # The portal greets them with their partner and their counselor, and nobody else.
        expect(phone.get_by_role("heading", name=f"Hi {first_name}")).to_be_visible()
        facts = phone.locator("dl.facts")
        expect(facts).to_contain_text(f"You{partner['name']}")
        expect(facts).to_contain_text(f"Your partner{other['name']}")
        expect(facts).to_contain_text("Your counselorDana Reyes")
        expect(phone.get_by_text("Limited secrets.")).to_be_visible()
        portal = phone.content()
        assert "Pia" not in portal and "Nowak" not in portal and "Sol Park" not in portal
        look(phone, f"portal-{first_name.lower()}")
        phone.context.close()

    # Back on the couple page, Dana sees that both have joined; the links are gone.
    counselor.goto(couple_url)
    expect(counselor.get_by_text("Joined", exact=True)).to_have_count(2)
    expect(counselor.get_by_label(re.compile("Invitation link"))).to_have_count(0)
    look(counselor, "couple-joined")

    # Pia, a client of another counselor, signs in and cannot reach Maya and Jordan's pages.
    outsider = new_person()
    outsider.goto("/login")
    sign_in(outsider, pia.email, PIAS_PASSWORD)
    expect(outsider.get_by_role("heading", name="Hi Pia")).to_be_visible()
    couple_path = couple_url.removeprefix(live_server)
    for path in (couple_path, f"{couple_path}/edit"):
        response = outsider.goto(path)
        assert response.status in (403, 404), f"{path} answered {response.status} to Pia"
        expect(outsider.get_by_role("heading", level=1)).to_have_text(
            re.compile("not available to you|could not find that page")
        )
        page_text = outsider.content()
        for name in ("Maya", "Jordan", "Okafor", "Ellis", MAYA["email"], JORDAN["email"]):
            assert name not in page_text, f"{path} shows {name!r} to Pia"
    look(outsider, "outsider-refused")

    # Dana finds the couple again by searching her caseload for Jordan's surname.
    counselor.get_by_role("link", name="Caseload").first.click()
    counselor.get_by_role("searchbox", name="Search by name").fill("ellis")
    counselor.get_by_role("button", name="Search").click()
    expect(counselor.get_by_text("1 couple matching “ellis”")).to_be_visible()
    look(counselor, "caseload-search")
    counselor.get_by_role("link", name="Maya & Jordan").click()
    expect(counselor).to_have_url(couple_url)
