"""Session notes in a real browser: write, autosave, the summary, sign, an addendum, the PDF.

Counselor X opens couple 1's page, starts a SOAP note and types into it (names in other scripts:
Анна, José, O'Brien). The page saves by itself a moment after the typing stops, and the words are
there after a reload, so the save reached the server. "Insert what happened between sessions" puts
its text at the end of the first section without leaving the page. With the network gone the page
says "Not saved" and keeps every word; back online it saves them; a server error is tried again by
itself. Saved from another tab meanwhile, the draft shows what that tab saved above each box that
differs and offers to keep these words or take those. Signing with a wrong password says
so and keeps the words; signing with a fresh authenticator code (the one the app shows after the
sign-in's, so not a replay) locks the note: the Signed badge, the content hash, no box to type in.
An addendum is signed with the password. The PDF downloads, and its text carries the hash. The notes
list, the search and the admin's register follow, and a second note is written and signed with the
keyboard alone. Every page on the way is checked with axe and photographed (``look``).
"""

import io
import re
import time

import pytest
from passlib.totp import TOTP
from playwright.sync_api import expect
from pypdf import PdfReader

from practice.extensions import security
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved .+\.$")
HASH = re.compile(r"^[0-9a-f]{64}$")
SUBJECTIVE = "Анна said the week felt calmer. José, her brother, stayed over on Friday."
OBJECTIVE = "Both leaned in; Grace O'Brien's name came up twice without heat."
ASSESSMENT = "Pursue-withdraw cycle softening; José's visit was a stress point they handled."
PLAN = "Repair worksheet again; next session in one week (O'Brien wedding on the Saturday)."
OFFLINE_WORDS = " Typed while offline: Анна's list."
ADDENDUM = "Addendum: the wedding is the O'Brien one, not José's. Анна confirmed by phone."
REFUSED = "That is not your password or a current code from your authenticator app."


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


def next_code(app, user) -> str:
    """The code the authenticator shows in the next 30-second step.

    The sign-in used this step's code and a code works once, so signing needs a later one; the app
    accepts a code up to two minutes early (SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY), as it would
    from a phone whose clock runs a little fast. This is the clock moved on, without the wait.
    """
    factory = TOTP.using(secrets=app.config["SECURITY_TOTP_SECRETS"])
    return factory.from_source(user.tf_totp_secret).generate(time.time() + 30).token


def box(page, title: str):
    """A section's box to write in, by its title (the section around it has the same name)."""
    return page.get_by_role("textbox", name=title, exact=True)


def status_of(page):
    """The draft's save status line (the live region in its sticky save bar)."""
    return page.locator("#note-form").get_by_role("status")


def no_wider_than_a_phone(page, what: str) -> None:
    """On a 390px phone the page does not scroll sideways."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= PHONE["width"], f"{what} is {width}px wide on a {PHONE['width']}px phone"


@pytest.fixture
def look(look, screenshot_dir):
    """conftest's ``look``, stricter: not even a moderate or minor axe violation (the report stays empty)."""
    report = screenshot_dir / "axe-report.txt"

    def look_at(page, name: str) -> None:
        look(page, name)
        assert not report.exists(), f"axe found problems on {name}:\n{report.read_text(encoding='utf-8')}"

    return look_at


def test_a_counselor_writes_a_note_signs_it_adds_to_it_and_downloads_it(new_person, look, world, app):
    couple, counselor = world["couple1"], world["X"]
    page = new_person()
    sign_in(page, counselor, code_for=counselor)

    # 1. The couple page's notes panel: nothing yet, and the way to start.
    page.goto(f"/couples/{couple.id}")
    panel = page.get_by_role("region", name="Session notes")
    expect(panel).to_contain_text("No session notes yet")
    look(page, "couple-notes-panel-empty")
    panel.get_by_role("link", name="Write a session note").click()

    # 2. A new note: SOAP, by video, 55 minutes, both partners.
    expect(page.get_by_role("heading", level=1)).to_have_text("New session note")
    look(page, "new-note")
    page.get_by_role("radio", name=re.compile(r"^SOAP")).check()
    page.get_by_label(re.compile(r"^Length in minutes")).fill("55")
    page.get_by_role("radio", name="Video").check()
    expect(page.get_by_role("radio", name="Both partners")).to_be_checked()
    page.get_by_role("button", name="Start writing").click()

    # 3. The draft: type into its sections and let it save by itself.
    expect(page.get_by_role("heading", level=1)).to_contain_text("SOAP note")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    draft_url = page.url
    look(page, "draft-editor")
    no_wider_than_a_phone(page, "the draft")
    status = status_of(page)
    expect(status).to_have_text(re.compile(r"^Last saved "))
    box(page, "Subjective").fill(SUBJECTIVE)
    box(page, "Objective").fill(OBJECTIVE)
    box(page, "Assessment").fill(ASSESSMENT)
    box(page, "Plan").fill(PLAN)
    expect(status).to_have_text(SAVED, timeout=10_000)
    look(page, "draft-autosaved")

    # A reload shows what the server kept: the autosave reached it.
    page.reload()
    expect(box(page, "Subjective")).to_have_value(SUBJECTIVE)
    expect(box(page, "Objective")).to_have_value(OBJECTIVE)
    expect(box(page, "Assessment")).to_have_value(ASSESSMENT)
    expect(box(page, "Plan")).to_have_value(PLAN)
    expect(page.get_by_role("radio", name="Video")).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Length in minutes"))).to_have_value("55")

    # 4. The between-sessions summary is added to the first section, and the page does not reload.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Insert what happened between sessions").click()
    subjective = box(page, "Subjective")
    expect(subjective).to_have_value(re.compile(
        rf"^{re.escape(SUBJECTIVE)}\n\nBetween sessions \(since .+\): nothing was logged or submitted\.$"))
    assert page.evaluate("window.stillTheSamePage") is True, "inserting the summary loaded a page"
    expect(subjective).to_be_focused()
    expect(status).to_have_text(SAVED, timeout=10_000)
    summarised = subjective.input_value()
    look(page, "draft-summary-inserted")

    # 5. No network: "Not saved", every word still in the box; back online, it saves by itself.
    objective = box(page, "Objective")
    page.context.set_offline(True)
    objective.press("End")
    objective.press_sequentially(OFFLINE_WORDS)
    expect(status).to_contain_text("Not saved", timeout=10_000)
    expect(status).to_contain_text("Your words are still here")
    expect(objective).to_have_value(OBJECTIVE + OFFLINE_WORDS)
    look(page, "draft-not-saved-offline")
    page.context.set_offline(False)
    expect(status).to_have_text(SAVED, timeout=10_000)

    # The server answers 500: it says so, and tries again by itself once the server is back.
    page.route("**/api/v1/notes/**", lambda route: route.fulfill(
        status=500, content_type="application/json", body='{"error": "server"}'))
    objective.press("End")
    objective.press_sequentially(" Calm.")
    expect(status).to_contain_text("Not saved: the server had a problem", timeout=10_000)
    expect(objective).to_have_value(OBJECTIVE + OFFLINE_WORDS + " Calm.")
    page.unroute("**/api/v1/notes/**")
    expect(status).to_have_text(SAVED, timeout=15_000)
    page.reload()
    expect(box(page, "Objective")).to_have_value(OBJECTIVE + OFFLINE_WORDS + " Calm.")
    expect(box(page, "Subjective")).to_have_value(summarised)

    # The same draft saved from another tab: this one offers to keep its words or take the saved ones.
    other = page.context.new_page()
    other.goto(draft_url)
    box(other, "Plan").fill("Written in the other tab.")
    expect(status_of(other)).to_have_text(SAVED, timeout=10_000)
    other.close()
    assessment = box(page, "Assessment")
    assessment.press("End")
    assessment.press_sequentially(" Hopeful.")
    expect(status).to_contain_text("Not saved: this note changed elsewhere", timeout=10_000)
    offer = page.get_by_role("alert").filter(has_text="saved from another window")
    expect(offer.get_by_role("button", name="Keep my words")).to_be_focused()
    other_words = page.get_by_role("region", name="Plan").get_by_text("Written in the other tab.")
    expect(other_words).to_be_visible()  # what the other tab saved, above the box it differs from
    for title, differs in (("Subjective", 0), ("Objective", 0), ("Assessment", 1), ("Plan", 1)):
        saved = page.get_by_role("region", name=title).get_by_text("Saved in the other window:")
        expect(saved).to_have_count(differs)  # only above the boxes whose words differ
    look(page, "draft-conflict-offer")
    offer.get_by_role("button", name="Keep my words").click()
    expect(status).to_have_text(SAVED, timeout=10_000)
    expect(offer).to_have_count(0)
    expect(other_words).to_have_count(0)
    page.reload()
    expect(box(page, "Assessment")).to_have_value(ASSESSMENT + " Hopeful.")
    expect(box(page, "Plan")).to_have_value(PLAN)

    # 6. Signing with a wrong password is refused, and the words stay.
    secret = page.get_by_label("Your password, or a code from your authenticator app")
    secret.fill("not my password at all")
    page.get_by_role("button", name="Sign and lock the note").click()
    expect(page.get_by_text(REFUSED)).to_be_visible()
    expect(secret).to_have_attribute("aria-invalid", "true")
    expect(secret).to_be_focused()
    expect(secret).to_have_value("")
    expect(box(page, "Plan")).to_have_value(PLAN)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    look(page, "draft-signing-refused")

    # 7. Signed with a fresh authenticator code: locked, with its hash, nothing left to edit.
    secret.fill(next_code(app, counselor))
    page.get_by_role("button", name="Sign and lock the note").click()
    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    expect(page).to_have_url(draft_url)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("SOAP note")
    expect(heading).to_contain_text("Signed")
    expect(heading).not_to_contain_text("Draft")
    content_hash = page.get_by_role("region", name="Signature").locator("code.hash").inner_text()
    assert HASH.match(content_hash), content_hash
    for words in (SUBJECTIVE, "Between sessions", OBJECTIVE + OFFLINE_WORDS, ASSESSMENT, PLAN):
        expect(page.get_by_role("main")).to_contain_text(words)
    expect(page.locator("textarea[name^='section.']")).to_have_count(0)
    expect(page.locator("input[name=session_on]")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign and lock the note")).to_have_count(0)
    look(page, "signed-note")
    no_wider_than_a_phone(page, "the signed note")

    # 8. An addendum, signed with the password.
    addenda = page.get_by_role("region", name="Addenda")
    expect(addenda).to_contain_text("No addenda.")
    addenda.get_by_label("Add an addendum").fill(ADDENDUM)
    addenda.get_by_label("Your password, or a code from your authenticator app").fill(PASSWORD)
    addenda.get_by_role("button", name="Sign and add").click()
    expect(page.get_by_text("Addendum signed and added.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#addenda$"))
    addenda = page.get_by_role("region", name="Addenda")
    expect(addenda.get_by_role("article")).to_have_count(1)
    expect(addenda.get_by_role("article")).to_contain_text(ADDENDUM)
    addendum_hash = addenda.get_by_role("article").locator("code.hash").inner_text()
    assert HASH.match(addendum_hash) and addendum_hash != content_hash
    expect(page.get_by_role("region", name="History")).to_contain_text("Addendum signed")
    look(page, "signed-note-with-addendum")

    # 9. The PDF: a real PDF, with the words, the addendum and both hashes in its text.
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("link", name="Download PDF").click()
    assert re.fullmatch(r"session-note-\d{4}-\d\d-\d\d\.pdf", download.value.suggested_filename)
    body = download.value.path().read_bytes()
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    joined = "".join(text.split())
    assert content_hash in joined, "the note's hash is not in its PDF"
    assert addendum_hash in joined, "the addendum's hash is not in the PDF"
    for words in ("Анна said the week felt calmer", "José, her brother", "Grace O'Brien's name",
                  "Addendum: the wedding is the O'Brien one", "Confidential"):
        assert words in text, f"{words!r} is not in the PDF"
    assert "Draft" not in text

    # 10. The couple's notes list, and the panel on the couple page now.
    page.get_by_role("link", name=re.compile(r"^← Session notes of")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session notes")
    row = page.get_by_role("row").filter(has_text="SOAP")
    expect(row).to_contain_text("Video · Both partners")
    expect(row).to_contain_text("Signed")
    look(page, "notes-list")
    no_wider_than_a_phone(page, "the notes list")
    page.goto(f"/couples/{couple.id}")
    panel = page.get_by_role("region", name="Session notes")
    expect(panel.get_by_role("listitem")).to_have_count(1)
    expect(panel.get_by_role("listitem")).to_contain_text("Signed")
    look(page, "couple-notes-panel")

    # 11. Search: the words are posted, the results page has no words in its address.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session notes")
    look(page, "search")
    page.get_by_role("searchbox", name="Words to find").fill("O'Brien Анна")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/notes/\?search=1$"))
    expect(page.get_by_role("heading", name="1 note found")).to_be_visible()
    results = page.get_by_role("listitem").filter(has_text="Signed")
    expect(results).to_have_count(1)
    look(page, "search-results")
    page.get_by_role("searchbox", name="Words to find").fill("zzyzx")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="No note holds all of those words")).to_be_visible()
    look(page, "search-no-results")

    # 12. The admin's register: that the note exists, signed, and nothing of what it says.
    admin = new_person()
    sign_in(admin, world["admin"], code_for=world["admin"])
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Notes register").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Notes register")
    expect(admin.get_by_role("row").filter(has_text="Counselor X")).to_contain_text("Signed")
    content = admin.content()
    for words in ("Анна", "José", "O'Brien", "Pat One", "Bea One", content_hash):
        assert words not in content, f"the admin's register shows {words!r}"
    look(admin, "admin-register")


def test_a_draft_can_be_written_and_signed_with_the_keyboard_alone(new_person, look, world):
    couple, counselor = world["couple1"], world["X"]
    page = new_person()
    sign_in(page, counselor, code_for=counselor)
    page.goto(f"/couples/{couple.id}/notes/new")
    page.get_by_role("button", name="Start writing").click()  # DAP, today, both, in person
    expect(page.get_by_role("heading", level=1)).to_contain_text("DAP note")

    def tab_to(selector: str, most: int = 60) -> None:
        for _ in range(most):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # Enter in a one-line field saves the draft (it used to press the first button: the summary).
    tab_to("input[name=minutes]")
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Length in minutes"))).to_have_value("45")
    expect(box(page, "Data")).to_have_value("")

    tab_to("textarea[name='section.data']")
    page.keyboard.type("Keyboard only: Анна and José talked; O'Brien came up.")
    tab_to("textarea[name='section.plan']")
    page.keyboard.type("Next week.")
    tab_to("input[name=secret]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed. The note is locked")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed")
    expect(page.get_by_role("main")).to_contain_text("Keyboard only: Анна and José talked; O'Brien came up.")
    expect(page.get_by_role("main")).to_contain_text("Next week.")
    expect(page.get_by_role("paragraph").filter(has_text="45 minutes")).to_have_count(1)
    look(page, "signed-with-the-keyboard")
