"""Worksheets in a real browser: a counselor gives one, each partner fills it in on a phone.

Counselor X gives couple 1 the repair worksheet (and the boundaries one) through the real pages.
Pat and Bea, each in their own browser at 390x844, answer the private safety question, then fill
their own parts one screen at a time with "Save and continue". Pat shares "Own your part" with Bea;
Bea keeps the default (her counselor only). Bea sees what Pat shared and nothing else of his; Pat
sees nothing of hers. The follow-through plan opens once both have finished their do-over, and
shows who wrote it. Autosave keeps a draft across a reload and says so when the server cannot be
reached. The counselor reviews both side by side, comments to Pat, marks it reviewed and downloads
the PDF. Every worksheet page on the way is checked with axe.
"""

import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from practice.extensions import security
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# A closed joint part says only that it opens later, in the same words whatever keeps it closed (a
# partner's safety answer must not show through); its help says when it usually opens.
LOCKED = re.compile(r"^This part opens when you")
OPENS_AFTER = "This part opens once you have both finished your do-over."
SAVED = "Saved. Only you can read your own parts until you submit them."
SUBMITTED = "Submitted. Your counselor can read your parts now."

# Each partner's answers; the phrases used to check who can read what are distinct to each field.
PAT = {
    "calm": "6", "connected": "7", "checked": "Partly", "when": "2026-11-28",
    "camera": "At Анна's birthday dinner I checked my phone twice and left the table.",  # not shared
    "my_part": "I kept scrolling while Bea told me about José and O'Brien.",  # shared with Bea
    "effect": "Pat's guess: you felt that my phone mattered more than Анна's evening.",  # not shared
    "makes_sense": "Going quiet made sense when I wasn't listening.",  # not shared
    "next_time": "Phone face down at dinner, the way O'Brien does it",  # not shared
    "cue": "Reaching for my pocket",
}
PAT_UNSHARED = ("checked my phone twice", "Pat's guess", "wasn't listening", "Phone face down",
                "Reaching for my pocket")
BEA = {
    "calm": "5", "connected": "8", "checked": "Not yet", "when": "2026-11-28",
    "camera": "José rang during dessert; I answered it at the table, Анна watching.",
    "my_part": "I snapped at Pat in front of O'Brien's sister.",
    "effect": "Bea thinks you felt embarrassed in front of everyone.",
    "makes_sense": "Scrolling was your way out of a loud room.",
    "next_time": "Step outside with Pat for two minutes",
    "cue": "My voice getting sharp",
}
BEA_PHRASES = ("José rang during dessert", "snapped at Pat", "Bea thinks", "loud room",
               "Step outside with Pat", "voice getting sharp")
FOLLOW_STEP = "Dishes together after dinner, phones in the drawer (José's idea)"
COMMENT = "Lovely work, Pat. Анна and O'Brien would be proud."


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


@pytest.fixture
def new_phone(chromium, live_server):
    """Open a fresh 390x844 browser (its own cookies) for one partner: ``page = new_phone()``."""
    contexts = []

    def open_phone():
        context = chromium.new_context(viewport=PHONE, base_url=live_server)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def for_one(action: str, title: str) -> re.Pattern:
    """A button's name with the worksheet it is for ("Start: Repair after conflict"), however the
    browser joins the visually hidden part to the visible one."""
    return re.compile(rf"^{re.escape(action)}\s*:?\s*{re.escape(title)}$")


def give(page, title: str, due: date, note: str) -> None:
    """From the couple page: choose a worksheet, then give it with a due date and a note."""
    page.get_by_role("link", name="Give a worksheet").click()
    page.get_by_role("link", name=for_one("Give this worksheet", title)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.get_by_label(re.compile("^Due")).fill(due.isoformat())
    page.get_by_label(re.compile("^A note to the couple")).fill(note)
    page.get_by_role("button", name=f"Give {title}").click()
    expect(page.get_by_text(f"{title} given to")).to_be_visible()


def open_worksheet(page, title: str, look, name: str) -> str:
    """From the portal's worksheet list, start a worksheet and answer "No" to the safety question."""
    page.goto("/portal/worksheets")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    look(page, f"{name}-portal-worksheets")
    page.get_by_role("link", name=for_one("Start", title)).click()
    url = page.url.split("#")[0]
    question = page.get_by_role("group", name=re.compile("^Are you ever afraid of"))
    expect(question).to_be_visible()
    expect(page.locator("form.sheet")).to_have_count(0)  # the question comes before any part
    look(page, f"{name}-safety-question")
    question.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    return url


def part(page, key: str):
    """The part of the fill page with this key (its section), checked to be the only one on screen."""
    section = page.locator(f"#s-{key}" if key != "finish" else "#finish")
    expect(section).to_be_visible()
    expect(page.locator("form.sheet > section:visible")).to_have_count(1)  # one part a screen
    return section


def reopen(page, url: str, key: str) -> None:
    """Come back to a worksheet from the portal list, straight to one part (a fresh load, not a
    jump within the page already open)."""
    page.goto("/portal/worksheets")
    page.goto(f"{url}#s-{key}")


def save_and_continue(page, section, to: str) -> None:
    """Press the part's "Save and continue" and land on the next part, alone on the screen."""
    section.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(f"#s-{to}$"))
    expect(page.get_by_text(SAVED)).to_be_visible()
    expect(section).to_be_hidden()


def next_part(page, section, to: str) -> None:
    """Move on from a part there is nothing to write in: "Save and continue", or "Next part →"
    where the page has nothing left to save."""
    section.get_by_role("button", name="Save and continue").or_(
        section.get_by_role("link", name="Next part →")).click()
    expect(page).to_have_url(re.compile(f"#s-{to}$"))
    expect(section).to_be_hidden()


def scale(section, label: str, value: str) -> None:
    """Tap one tick of a 0-10 scale."""
    section.get_by_role("group", name=re.compile(f"^{re.escape(label)}")).get_by_role(
        "radio", name=value, exact=True).check()


def fill_own_parts(page, answers: dict, look, who: str, **checks) -> None:
    """Fill each of the partner's own repair parts in turn, one screen at a time.

    ``checks`` maps a part's key to what the partner should notice on it before typing there.
    """
    def arrive(key: str, number: int):
        section = part(page, key)
        look(page, f"{who}-repair-{number}-{key}")
        if key in checks:
            checks[key](section)
        return section

    section = arrive("ready", 1)
    scale(section, "How calm am I right now?", answers["calm"])
    section.get_by_role("radio", name="Yes", exact=True).check()
    save_and_continue(page, section, "moment")

    section = arrive("moment", 2)
    section.get_by_label(re.compile("^When did it happen")).fill(answers["when"])
    section.get_by_label(re.compile("^What happened, as a camera")).fill(answers["camera"])
    save_and_continue(page, section, "own")

    section = arrive("own", 3)
    section.get_by_label(re.compile("^What I did that I'd take back")).fill(answers["my_part"])
    section.get_by_label(re.compile("^What I was feeling underneath")).select_option("hurt")
    save_and_continue(page, section, "impact")

    section = arrive("impact", 4)
    section.get_by_label(re.compile("^How I think it landed")).fill(answers["effect"])
    section.get_by_role("radio", name=answers["checked"], exact=True).check()
    save_and_continue(page, section, "validate")

    section = arrive("validate", 5)
    section.get_by_label(re.compile("^What makes sense")).fill(answers["makes_sense"])
    save_and_continue(page, section, "do_over")

    section = arrive("do_over", 6)
    section.get_by_label(re.compile("^Next time I will")).fill(answers["next_time"])
    section.get_by_label(re.compile("^Early signal")).fill(answers["cue"])
    save_and_continue(page, section, "follow")

    section = arrive("follow", 7)  # the joint plan: nothing to write in it yet
    next_part(page, section, "after")

    section = arrive("after", 8)
    scale(section, "How connected I feel now", answers["connected"])
    save_and_continue(page, section, "finish")


def test_a_counselor_gives_a_worksheet_and_each_partner_fills_it_in_on_a_phone(
        new_person, new_phone, look, world):
    couple = world["couple1"]
    due = date.today() + timedelta(days=14)

    # 1. Counselor X gives couple 1 the repair worksheet, and the boundaries one, through the pages.
    counselor = new_person()
    sign_in(counselor, world["X"], code_for=world["X"])
    counselor.goto(f"/couples/{couple.id}")
    counselor.get_by_role("link", name="Give a worksheet").click()
    look(counselor, "worksheet-choices")
    counselor.go_back()
    give(counselor, "Repair after conflict", due, "Take your time, Pat and Bea. Анна-style honesty.")
    give(counselor, "A boundary that protects the connection", due, "Only if it helps.")
    expect(counselor.get_by_text("Pat: not started").first).to_be_visible()

    # 2. Pat, on his phone: the note, the private question, then his parts one screen at a time.
    pat = new_phone()
    sign_in(pat, world["P1A"])
    repair_url = open_worksheet(pat, "Repair after conflict", look, "pat-repair")
    expect(pat.get_by_text("Take your time, Pat and Bea. Анна-style honesty.")).to_be_visible()
    expect(pat.get_by_text(f"due {due.strftime('%-d %B')}")).to_be_visible()

    def pat_finds_the_plan_locked(section):  # 4. Bea has not finished her do-over yet
        expect(section.get_by_role("heading", name=re.compile("Follow-through plan"))).to_be_visible()
        expect(section.get_by_text(OPENS_AFTER)).to_be_visible()
        expect(section.get_by_text(LOCKED)).to_be_visible()
        expect(section.get_by_role("textbox")).to_have_count(0)

    fill_own_parts(pat, PAT, look, "pat",
                   ready=lambda section: expect(section.get_by_text("Part 1 of 8")).to_be_visible(),
                   follow=pat_finds_the_plan_locked)
    finish = part(pat, "finish")
    look(pat, "pat-repair-finish")
    finish.get_by_role("group", name="Own your part").get_by_role(
        "radio", name="My counselor and Bea", exact=True).check()
    expect(finish.get_by_role("group", name="The moment").get_by_role(
        "radio", name="My counselor", exact=True)).to_be_checked()
    finish.get_by_role("button", name="Submit").click()
    expect(pat.get_by_text(SUBMITTED)).to_be_visible()
    look(pat, "pat-repair-submitted")

    # Bea, on her own phone. Pat's shared part is beside hers; the plan is locked until her do-over.
    bea = new_phone()
    sign_in(bea, world["P1B"])
    open_worksheet(bea, "Repair after conflict", look, "bea-repair")
    expect(bea.get_by_text("Take your time, Pat and Bea. Анна-style honesty.")).to_be_visible()

    def bea_reads_what_pat_shared(section):  # 3. Pat shared "Own your part" with her
        expect(section.get_by_text("Pat shared:")).to_be_visible()
        expect(section).to_contain_text(PAT["my_part"])

    def bea_finds_the_plan_still_locked(section):  # 4. until she finishes her own do-over
        bea.goto(f"{repair_url}#s-follow")  # a peek ahead, in the same page
        expect(part(bea, "follow").get_by_text(LOCKED)).to_be_visible()
        bea.go_back()
        expect(section).to_be_visible()

    def bea_finds_the_plan_open(section):  # she has just finished her do-over: it opens
        expect(section.get_by_text(LOCKED)).to_have_count(0)
        expect(section.get_by_label(re.compile("^One concrete step we agree on"))).to_be_editable()

    fill_own_parts(bea, BEA, look, "bea", own=bea_reads_what_pat_shared,
                   do_over=bea_finds_the_plan_still_locked, follow=bea_finds_the_plan_open)
    finish = part(bea, "finish")
    look(bea, "bea-repair-finish")
    for title in ("Before you start", "The moment", "Own your part", "Name the impact", "Validate",
                  "Propose a do-over", "Afterwards"):
        expect(finish.get_by_role("group", name=title).get_by_role(
            "radio", name="My counselor", exact=True)).to_be_checked()
    finish.get_by_role("button", name="Submit").click()
    expect(bea.get_by_text(SUBMITTED)).to_be_visible()
    look(bea, "bea-repair-submitted")

    # 3. Bea reads Pat's shared part, and none of what he kept for the counselor.
    reopen(bea, repair_url, "own")
    own = part(bea, "own")
    expect(own.get_by_text("Pat shared:")).to_be_visible()
    expect(own).to_contain_text(PAT["my_part"])
    look(bea, "bea-reads-pats-shared-part")
    bea_page = bea.content()
    for phrase in PAT_UNSHARED:
        assert phrase not in bea_page, f"Bea can read Pat's unshared {phrase!r}"
    assert bea_page.count("Pat shared:") == 1  # only "Own your part"

    # Pat reads none of Bea's answers (she shared nothing).
    reopen(pat, repair_url, "ready")
    expect(part(pat, "ready")).to_contain_text("Your answers")
    pat_page = pat.content()
    for phrase in BEA_PHRASES:
        assert phrase not in pat_page, f"Pat can read Bea's unshared {phrase!r}"
    assert "Bea shared:" not in pat_page

    # 4. The plan is open for Pat now; he writes the step, and Bea sees who wrote it.
    reopen(pat, repair_url, "follow")
    follow = part(pat, "follow")
    expect(follow.get_by_text(LOCKED)).to_have_count(0)
    follow.get_by_label(re.compile("^One concrete step we agree on")).fill(FOLLOW_STEP)
    follow.get_by_role("radio", name="Both of us", exact=True).check()
    look(pat, "pat-writes-the-plan")
    save_and_continue(pat, follow, "after")
    reopen(bea, repair_url, "follow")
    follow = part(bea, "follow")
    expect(follow.get_by_label(re.compile("^One concrete step we agree on"))).to_have_value(FOLLOW_STEP)
    expect(follow.get_by_text(re.compile("^Pat wrote this")).first).to_be_visible()
    look(bea, "bea-sees-pat-wrote-the-plan")

    # 5. Autosave in a fresh draft: it says "Saved", and the text is there after a reload.
    open_worksheet(pat, "A boundary that protects the connection", look, "pat-boundaries")
    limit = part(pat, "limit")
    look(pat, "pat-boundaries-1-limit")
    field = limit.get_by_label(re.compile("^The limit I'm asking for"))
    field.fill("No work messages after 9, Анна")
    status = limit.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^Saved .+\.$"), timeout=10_000)
    look(pat, "pat-boundaries-autosaved")
    pat.reload()
    field = part(pat, "limit").get_by_label(re.compile("^The limit I'm asking for"))
    expect(field).to_have_value("No work messages after 9, Анна")

    # D2: the server cannot be reached, then answers 500: it says so, and the text stays put.
    pat.route("**/api/v1/worksheets/**", lambda route: route.abort())
    field.fill("No work messages after 9, Анна; José too")
    status = pat.locator("#s-limit").get_by_role("status")
    expect(status).to_contain_text("Not saved", timeout=10_000)
    expect(status).to_contain_text("Your text is still here")
    expect(field).to_have_value("No work messages after 9, Анна; José too")
    look(pat, "pat-boundaries-not-saved")
    pat.unroute("**/api/v1/worksheets/**")
    pat.route("**/api/v1/worksheets/**", lambda route: route.fulfill(
        status=500, content_type="application/json", body='{"error": "server"}'))
    field.fill("No work messages after 9, Анна; José too; O'Brien")
    expect(status).to_contain_text("Not saved: the server could not save it (500)", timeout=10_000)
    expect(field).to_have_value("No work messages after 9, Анна; José too; O'Brien")
    pat.unroute("**/api/v1/worksheets/**")
    field.press("End")
    field.press_sequentially(".")  # back online: the next keystroke saves it all
    expect(status).to_have_text(re.compile(r"^Saved .+\.$"), timeout=10_000)
    pat.reload()
    expect(part(pat, "limit").get_by_label(re.compile("^The limit I'm asking for"))).to_have_value(
        "No work messages after 9, Анна; José too; O'Brien.")

    # 6. The counselor reviews both side by side, comments to Pat, marks it reviewed, gets the PDF.
    counselor.goto(f"/couples/{couple.id}")
    counselor.get_by_role("link", name=for_one("Open", "Repair after conflict")).click()
    own = counselor.get_by_role("region", name="3. Own your part")
    expect(own.get_by_role("heading", name="Pat", exact=True)).to_be_visible()
    expect(own.get_by_role("heading", name="Bea", exact=True)).to_be_visible()
    expect(own).to_contain_text(PAT["my_part"])
    expect(own).to_contain_text(BEA["my_part"])
    expect(own).to_contain_text("Shared with their partner")
    expect(own).to_contain_text("Submitted to you only")
    moment = counselor.get_by_role("region", name="2. The moment")
    expect(moment).to_contain_text(PAT["camera"])
    expect(moment).to_contain_text(BEA["camera"])
    follow = counselor.get_by_role("region", name=re.compile("Follow-through plan"))
    expect(follow).to_contain_text(FOLLOW_STEP)
    look(counselor, "review")
    counselor.get_by_label("Comment", exact=True).fill(COMMENT)
    counselor.get_by_label("To", exact=True).select_option(label="Pat only")
    counselor.get_by_role("button", name="Send comment").click()
    expect(counselor.get_by_text("Comment sent.")).to_be_visible()
    expect(counselor.get_by_role("region", name="Comments to the couple")).to_contain_text(COMMENT)
    counselor.get_by_role("button", name="Mark as reviewed").click()
    expect(counselor.get_by_text("Marked as reviewed.")).to_be_visible()
    expect(counselor.get_by_role("button", name="Mark as reviewed")).to_have_count(0)
    look(counselor, "review-marked-reviewed")
    with counselor.expect_download(timeout=30_000) as download:
        counselor.get_by_role("link", name="PDF", exact=True).click()
    assert download.value.suggested_filename == "repair-after-conflict.pdf"
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for answer in ("I kept scrolling while Bea told me about", "José and O'Brien",
                   "checked my phone twice", "Анна's birthday dinner", "Going quiet made sense"):
        assert answer in text, f"{answer!r} is not in the counselor's PDF"
    assert "Page 1 of" in text

    # The comment reaches Pat and not Bea.
    pat.goto(repair_url)
    expect(pat.get_by_text(COMMENT)).to_be_visible()
    bea.goto("/portal/worksheets")
    look(bea, "bea-portal-worksheets-after")
    bea.goto(repair_url)
    expect(bea.get_by_role("heading", name="Repair after conflict", level=1)).to_be_visible()
    assert "Lovely work" not in bea.content()
