"""The page chrome in a real browser: a partner's quick exit, and the idle warning.

Pat checks her portal at home. Someone comes into the room: she taps "Quick exit" (or presses Esc
twice) and the tab shows a search page; Back does not bring her portal back, and she is signed
out. Dana, a counselor, is typing a new couple's details when she is called away: a minute before
the idle timeout the page asks whether she is still there; the first time she answers, the second
time she does not, and the page clears itself, keeps what she typed, and gives it back after she
signs in again. Time is shortened with IDLE_TIMEOUT_MINUTES and IDLE_WARNING_SECONDS.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from practice.auth.models import LoginSession
from practice.extensions import db, security
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: The default QUICK_EXIT_URL, answered by the test itself: no test may need the internet.
NEUTRAL = "https://www.google.com/"
NEUTRAL_PAGE = "<!doctype html><title>Search</title><h1>Search</h1>"


def neutral_site(page) -> None:
    """Stand in for the neutral website the quick exit opens."""
    page.context.route(NEUTRAL + "**",
                       lambda route: route.fulfill(content_type="text/html", body=NEUTRAL_PAGE))


def sign_in(page, email: str, password: str = PASSWORD, *, open_page: bool = True) -> None:
    """Fill in the sign-in form (opening /login first, unless already there) and submit it."""
    if open_page:
        page.goto("/login")
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_code(page, user) -> None:
    """Type the authenticator's current code."""
    form = page.locator("form[name=two_factor_verify_code_form]")
    form.get_by_role("textbox", name=re.compile("code", re.IGNORECASE)).fill(
        security.totp_factory.generate_totp_password(user.tf_totp_secret))
    form.get_by_role("button").click()


def live_sessions(user) -> int:
    """How many browsers this person is signed in on, as the server sees it."""
    db.session.rollback()  # see what the server's threads committed
    query = select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id)
    return db.session.scalar(query)


def test_a_partner_leaves_in_one_keypress_and_back_does_not_return(live_server, new_person, look, world):
    pat = world["P1A"]
    page = new_person()
    neutral_site(page)
    sign_in(page, pat.email)
    expect(page.get_by_role("heading", name="Hi Pat")).to_be_visible()
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Hi Pat")).to_be_visible()
    look(page, "portal-with-quick-exit")
    portal_url = page.url
    pages_in_history = page.evaluate("history.length")

    # From the top of the page, the second Tab reaches the quick exit (after "Skip to content").
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    quick_exit = page.get_by_role("link", name=re.compile("^Quick exit"))
    expect(quick_exit).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(NEUTRAL)
    expect(page).to_have_title("Search")
    assert page.evaluate("history.length") == pages_in_history, "the portal was replaced, not pushed"
    for _ in range(50):
        if live_sessions(pat) == 0:
            break
        page.wait_for_timeout(100)
    assert live_sessions(pat) == 0, "the quick exit signs her out"

    # Back goes to the page before the portal (her account page), which now asks for a password.
    page.go_back()
    assert page.url != portal_url
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "Pat One" not in page.content()


def test_escape_twice_is_a_quick_exit_and_once_is_not(live_server, new_person, world):
    page = new_person()
    neutral_site(page)
    sign_in(page, world["P1B"].email)
    expect(page.get_by_role("heading", name="Hi Bea")).to_be_visible()

    page.keyboard.press("Escape")
    page.wait_for_timeout(1800)  # longer than the gap two presses may have
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", name="Hi Bea")).to_be_visible()

    page.get_by_role("link", name="Account").focus()  # wherever focus is
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL)


def test_on_a_phone_sign_out_and_quick_exit_are_at_the_top(live_server, new_person, world):
    page = new_person()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, world["P1A"].email)
    expect(page.get_by_role("heading", name="Hi Pat")).to_be_visible()

    for control in (page.get_by_role("link", name=re.compile("^Quick exit")),
                    page.locator("header").get_by_role("button", name="Sign out")):
        expect(control).to_be_in_viewport()
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.fixture
def short_idle(app_config):
    """A 15-second idle timeout with a 10-second warning, so the test takes seconds, not minutes."""
    app_config["IDLE_TIMEOUT_MINUTES"] = 0.25
    app_config["IDLE_WARNING_SECONDS"] = 10


def test_the_idle_warning_offers_more_time_then_keeps_what_was_typed(short_idle, live_server, new_person,
                                                                   look, make_user):
    dana = make_user("counselor", email="dana.reyes@example.com", name="Dana Reyes")
    page = new_person()
    sign_in(page, dana.email)
    enter_code(page, dana)
    page.get_by_role("link", name="Add a couple").first.click()
    partner_a = page.get_by_role("group", name="Partner A")
    partner_a.get_by_label("Name").fill("Rosa Díaz")

    # Five seconds in, the warning: announced as an alert dialog, its button already focused.
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("you will be signed out in")
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    look(page, "idle-warning")
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    expect(partner_a.get_by_label("Name")).to_have_value("Rosa Díaz")

    # Called away: the warning comes back and nobody answers it.
    expect(warning).to_be_visible(timeout=10_000)
    expect(page).to_have_url(re.compile(r"/login"), timeout=15_000)
    expect(page.get_by_text("What you were typing is saved")).to_be_visible()
    expect(page.get_by_text("signed out after 15 seconds without activity")).to_be_visible()
    expect(page.locator(".flash--error")).to_have_count(0)
    assert "Rosa" not in page.content(), "the page was cleared"
    look(page, "signed-out-after-idle")

    # She signs in again (a second code in the same 30 seconds is allowed for this test only).
    db.session.refresh(dana)  # the server's threads recorded the code she used
    dana.tf_totp_last_counter = None
    db.session.commit()
    sign_in(page, dana.email, open_page=False)
    enter_code(page, dana)
    expect(page).to_have_url(re.compile(r"/couples/new$"))
    expect(page.get_by_role("group", name="Partner A").get_by_label("Name")).to_have_value("Rosa Díaz")


def test_the_idle_warning_has_its_own_quick_exit(short_idle, live_server, new_person, world):
    """The open warning makes the rest of the page inert, the quick-exit bar too: Pat still gets out."""
    pat = world["P1A"]
    page = new_person()
    neutral_site(page)
    sign_in(page, pat.email)
    expect(page.get_by_role("heading", name="Hi Pat")).to_be_visible()

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=10_000)
    warning.get_by_role("link", name="Quick exit").click()

    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert live_sessions(pat) == 0


def test_when_the_server_cannot_say_the_time_is_up_the_form_is_not_posted(
        short_idle, live_server, new_person, make_user):
    """A 502 from /session/status is no "signed out": the half-typed form stays unsent."""
    dana = make_user("counselor", email="dana.reyes@example.com", name="Dana Reyes")
    page = new_person()
    sign_in(page, dana.email)
    enter_code(page, dana)
    page.get_by_role("link", name="Add a couple").first.click()
    page.get_by_role("group", name="Partner A").get_by_label("Name").fill("Rosa Díaz")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.route("**/session/status", lambda route: route.fulfill(status=502, body="Bad gateway"))

    expect(page.get_by_role("alertdialog", name="Are you still there?")).to_be_visible(timeout=10_000)
    page.wait_for_timeout(14_000)  # past the page's own deadline

    assert not [url for url in posts if url.endswith("/couples/new")]
    expect(page.get_by_role("group", name="Partner A").get_by_label("Name")).to_have_value("Rosa Díaz")


def test_two_tabs_run_out_together_and_what_was_typed_in_one_is_kept(
        short_idle, live_server, new_person, make_user):
    """The tab with nothing typed reloads last, so the typing tab's draft finds its session."""
    dana = make_user("counselor", email="dana.reyes@example.com", name="Dana Reyes")
    caseload = new_person()
    sign_in(caseload, dana.email)
    enter_code(caseload, dana)
    typing = caseload.context.new_page()
    typing.goto("/couples/new")
    typing.get_by_role("group", name="Partner A").get_by_label("Name").fill("Rosa Díaz")

    expect(typing).to_have_url(re.compile(r"/login"), timeout=25_000)
    expect(caseload).to_have_url(re.compile(r"/login"), timeout=15_000)

    db.session.refresh(dana)
    dana.tf_totp_last_counter = None  # a second code in the same 30 seconds, for this test only
    db.session.commit()
    sign_in(typing, dana.email, open_page=False)
    enter_code(typing, dana)
    expect(typing).to_have_url(re.compile(r"/couples/new$"))
    expect(typing.get_by_role("group", name="Partner A").get_by_label("Name")).to_have_value("Rosa Díaz")
