"""The page chrome a couple and a counselor tripped over: quick exit, sign out in the header,
tappable crisis numbers, and discreet mode's neutral tab titles."""

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from webpage import csrf_token, flashes, text_of

from practice.audit import AuditEvent
from practice.extensions import db


def title_of(response) -> str:
    """What the browser tab shows."""
    match = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), flags=re.S)
    assert match, "the page has no <title>"
    return html.unescape(match.group(1)).strip()


def focusable(response) -> list[str]:
    """The page's links and buttons in tab order (nothing here sets tabindex), as opening tags."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<dialog\b.*?</dialog>", "", body, flags=re.S)  # closed until the warning opens
    return re.findall(r"<(?:a|button)\b[^>]*>", body)


def link(response, text: str) -> str:
    """The href of the link whose visible text is ``text``."""
    for href, inner in re.findall(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', response.get_data(as_text=True),
                                  flags=re.S):
        if re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", inner)).strip() == text:
            return html.unescape(href)
    raise AssertionError(f"no link reading {text!r}")


# Quick exit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/portal/", "/account", "/help", "/change", "/no-such-page"])
def test_every_page_a_signed_in_partner_sees_starts_with_the_quick_exit(client, auth, world, path):
    auth.login(world["P1A"])

    page = client.get(path)

    first, second = focusable(page)[:2]
    assert "skip-link" in first
    assert 'class="quick-exit"' in second, "quick exit is the first stop after the skip link"
    assert link(page, "Quick exit (or press Esc twice)") == "https://www.google.com/"
    assert "js/quick-exit.js" in page.get_data(as_text=True)


def test_the_quick_exit_goes_where_the_practice_says(app_config, request):
    app_config["QUICK_EXIT_URL"] = "https://weather.example.org/"
    client, auth, world = (request.getfixturevalue(name) for name in ("client", "auth", "world"))
    auth.login(world["P1B"])

    assert link(client.get("/portal/"), "Quick exit (or press Esc twice)") == "https://weather.example.org/"


def test_someone_not_signed_in_gets_the_quick_exit_on_help_sign_in_and_invitation_pages(
        app, client, make_user, make_couple):
    """A partner may look up the abuse hotline, sign in, or open their invitation: each can be left."""
    from practice.couples.invitations import invite_partner

    couple = make_couple(make_user("counselor"))
    with app.test_request_context():
        link = invite_partner(couple.partners[0])
    db.session.commit()

    assert 'class="quick-exit"' in client.get("/help").get_data(as_text=True)
    invitation = client.get(link)
    assert invitation.status_code == 200 and 'class="quick-exit"' in invitation.get_data(as_text=True)
    assert 'class="quick-exit"' in client.get("/login").get_data(as_text=True)
    assert 'class="quick-exit"' in client.get("/reset").get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404
    assert 'class="quick-exit"' not in client.get("/no-such-page").get_data(as_text=True)
    assert 'data-sign-out' not in client.get("/help").get_data(as_text=True), "nobody to sign out"


@pytest.mark.parametrize("role", ["X", "admin"])
def test_staff_pages_have_no_quick_exit(client, auth, world, role):
    auth.login(world[role])
    for path in ("/account", "/help"):
        assert 'class="quick-exit"' not in client.get(path).get_data(as_text=True)


def test_the_quick_exit_signs_a_partner_out_with_the_sign_out_form(client, auth, world):
    """The script posts to the sign-out address the link names, with the page's CSRF token."""
    auth.login(world["P1A"])
    page = client.get("/portal/").get_data(as_text=True)
    sign_out = re.search(r'data-sign-out="([^"]+)"', page).group(1)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    client.post(sign_out, data={"csrf_token": token})

    assert client.get("/portal/").status_code == 302


# Sign out in the header ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["P1A", "X"])
def test_sign_out_is_in_the_header(client, auth, world, role):
    auth.login(world[role])
    page = client.get("/account").get_data(as_text=True)
    header = page[page.index("<header"):page.index("</header>")]

    assert re.search(r'<form[^>]*action="/logout".*?>Sign out</button>', header, flags=re.S)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account"))})
    assert "Sign out" not in client.get("/help").get_data(as_text=True)


# Crisis numbers -----------------------------------------------------------------------------------


def test_every_crisis_number_on_the_help_page_can_be_tapped(client):
    page = client.get("/help")

    assert link(page, "Call 911") == "tel:911"
    assert link(page, "911") == "tel:911"
    assert link(page, "Call 988") == "tel:988"
    assert link(page, "Text 988") == "sms:988"
    assert link(page, "Call 1-800-799-7233") == "tel:18007997233"
    assert link(page, "Text START to 88788") == "sms:88788?&body=START"


def test_uk_text_line_opens_a_message_with_its_keyword(app_config, request):
    app_config["CRISIS_LOCALE"] = "uk"
    page = request.getfixturevalue("client").get("/help")

    assert link(page, "Call 116 123") == "tel:116123"
    assert link(page, "Call 0808 2000 247") == "tel:08082000247"
    assert link(page, "Text SHOUT to 85258") == "sms:85258?&body=SHOUT"


def test_a_practice_file_in_the_old_format_still_gets_tappable_text_lines(app, client):
    """instance/crisis.json written before text_number existed: the sentence is read instead."""
    override = {
        "locale": "Lakeside County", "emergency_number": "112",
        "crisis_line": {"name": "Crisis Text Line", "phone": "+1 (555) 010-0100",
                        "text": "Text HOME to 741741", "url": None},
        "dv_line": {"name": "Harbour House", "phone": None, "text": "Text us any time", "url": None},
    }
    (Path(app.instance_path) / "crisis.json").write_text(json.dumps(override))

    page = client.get("/help")

    assert link(page, "Call 112") == "tel:112"
    assert link(page, "Call +1 (555) 010-0100") == "tel:+15550100100"
    assert link(page, "Text HOME to 741741") == "sms:741741?&body=HOME"
    assert "Text us any time" in text_of(page), "a line with no number to text is still shown"


def test_structured_fields_win_over_the_sentence(app, client):
    override = {"locale": "Lakeside", "emergency_number": "112",
                "crisis_line": {"name": "Warmline", "phone": None, "text": "Text CALM to the warmline",
                                "text_number": "55 123", "text_body": "CALM & safe"}}
    (Path(app.instance_path) / "crisis.json").write_text(json.dumps(override))

    assert link(client.get("/help"), "Text CALM to the warmline") == "sms:55123?&body=CALM%20%26%20safe"


# Discreet mode ------------------------------------------------------------------------------------


def turn_discreet(client, on: bool):
    """Press the account page's discreet-mode button."""
    token = csrf_token(client.get("/account"))
    return client.post("/account/discreet", data={"discreet": "true" if on else "false", "csrf_token": token})


def test_a_partner_turns_on_discreet_mode_and_every_tab_reads_notes(client, auth, world):
    auth.login(world["P1A"])
    assert title_of(client.get("/portal/")) == "Your space · SecureBase"

    response = turn_discreet(client, True)

    assert response.status_code == 302
    account = client.get(response.headers["Location"])
    assert "Discreet mode is on: every tab now reads “Notes”." in flashes(account)
    assert "Turn discreet mode off" in text_of(account)
    for path in ("/portal/", "/account", "/help", "/change", "/tf-setup", "/no-such-page"):
        page = client.get(path)
        assert title_of(page) == "Notes", path
        assert "favicon-plain.svg" in page.get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.discreet_mode")).one()
    assert (event.object_type, event.object_id, event.actor_id) == ("user", str(world["P1A"].id),
                                                                     world["P1A"].id)


def test_discreet_mode_keeps_couple_names_out_of_a_counselors_tabs(client, auth, world):
    auth.login(world["X"])
    couple = f"/couples/{world['couple1'].id}"
    assert world["couple1"].label in title_of(client.get(couple))

    turn_discreet(client, True)

    for path in (couple, couple + "/edit", couple + "/audit", "/couples/"):
        assert title_of(client.get(path)) == "Notes", path


def test_discreet_mode_stays_on_the_sign_in_page_after_sign_out_then_turns_off(client, auth, world):
    auth.login(world["P1A"])
    turn_discreet(client, True)
    auth.logout()

    assert title_of(client.get("/login")) == "Notes", "the page left on screen after sign-out"

    auth.login(world["P1A"])
    turn_discreet(client, False)
    assert title_of(client.get("/portal/")) == "Your space · SecureBase"
    auth.logout()
    assert title_of(client.get("/login")) != "Notes"


def test_discreet_mode_is_per_person(client, auth, world, browser):
    auth.login(world["P1A"])
    turn_discreet(client, True)

    other = browser(world["P1B"])

    assert title_of(other.get("/portal/")) == "Your space · SecureBase"


def test_the_discreet_switch_needs_a_choice(client, auth, world):
    auth.login(world["P1A"])
    token = csrf_token(client.get("/account"))

    response = client.post("/account/discreet", data={"csrf_token": token})

    assert response.status_code == 422
    assert "Choose on or off." in text_of(response)
    assert client.post("/account/discreet", data={"discreet": "true"}).status_code == 400, "CSRF"
