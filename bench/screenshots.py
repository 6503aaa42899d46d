"""Screenshots of every page, on a phone (390x844) and a desktop (1280x900).

Usage: ``.venv/bin/python bench/screenshots.py [--worksheets | --notes] [OUTDIR]`` (default
``screenshots/``); ``--worksheets`` takes only the worksheet pages and handouts (50 to 83),
``--notes`` only the session note pages and PDFs (90 onwards).

Builds its own app on a throwaway SQLite file seeded with the demo practice, serves it on
127.0.0.1, drives Debian's Chromium through Playwright, and writes one PNG per page and
viewport plus ``report.txt``: each page's title, its heading outline, console errors (a CSP
violation shows up here) and any axe-core accessibility violations.
"""

import base64
import logging
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from passlib.totp import TOTP
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from practice import create_app  # noqa: E402
from practice.demo import DEMO_PASSWORD as PASSWORD  # noqa: E402
from practice.extensions import db, security  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PDFTOPPM = "/usr/bin/pdftoppm"  # poppler-utils
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def build_app(db_file: Path):
    """A demo app on its own database, with two extra counselors and one archived couple."""
    app = create_app({
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SECURITY_PASSWORD_SALT": secrets.token_urlsafe(16),
        "SECURITY_TOTP_SECRETS": {"1": secrets.token_urlsafe(32)},
        "DATA_ENCRYPTION_KEYS": {"k1": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()},
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        "MAIL_BACKEND": "locmem",
        "SHOW_INVITE_LINKS": True,
        "RATELIMIT_STORAGE_URI": "memory://",
    })

    def boom():
        """Fail on purpose so the 500 page can be seen."""
        raise RuntimeError("screenshot of the 500 page")

    app.add_url_rule("/__shots/boom", "shots_boom", boom)

    from practice import demo
    from practice.auth.services import create_user
    from practice.couples.models import Couple, CoupleStatus, Partner

    with app.app_context():
        db.create_all()
        demo.seed()
        quiet = create_user("quiet@demo.example.com", "Rosa Lindqvist", PASSWORD, "counselor")
        quiet.tf_totp_secret = security.totp_factory.generate_totp_secret()
        quiet.tf_primary_method = "authenticator"
        create_user("new@demo.example.com", "Noor Haddad", PASSWORD, "counselor")
        tomas = db.session.scalar(db.select(Partner).where(Partner.email == "tomas@demo.example.com"))
        db.session.get(Couple, tomas.couple_id).status = CoupleStatus.archived
        db.session.commit()
    return app


def totp(app, email: str) -> str:
    """The current authenticator code for a demo account."""
    from practice.auth.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return security.totp_factory.generate_totp_password(user.tf_totp_secret)


def reset_token(app, email: str) -> str:
    """A password-reset token, as the reset email would carry."""
    from flask_security.recoverable import generate_reset_password_token

    from practice.auth.models import User

    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return generate_reset_password_token(user)


def serve(app):
    """Serve the app in a thread; return its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


class Camera:
    """Takes each page at both sizes and notes what a reviewer should know about it."""

    def __init__(self, out: Path, axe):
        self.out = out
        self.axe = axe
        self.report = []
        self.used_codes = {}

    def watch(self, page):
        """Collect console errors (CSP violations among them) for the report."""
        page.errors = []

        def console(msg):
            # A page's own error status (404, 422, 429, 500) is expected; failed subresources are not.
            if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
                page.errors.append(msg.text)

        def response(resp):
            if resp.status >= 400 and resp.request.resource_type != "document":
                page.errors.append(f"{resp.status} {resp.url}")

        page.on("console", console)
        page.on("response", response)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    def shot(self, page, name: str, sizes=tuple(VIEWPORTS), element: str | None = None,
             full_page: bool = True):
        """Screenshot the current page (or one element of it) at each size, and describe it.

        ``full_page=False`` takes only what the screen shows, where it is scrolled to (to see what a
        sticky bar covers, say).
        """
        for size in sizes:
            page.set_viewport_size(VIEWPORTS[size])
            page.wait_for_timeout(50)
            path = str(self.out / f"{name}--{size}.png")
            if element:
                page.locator(element).first.screenshot(path=path)
            else:
                page.screenshot(path=path, full_page=full_page)
        outline = page.eval_on_selector_all(
            "h1, h2, h3, h4",
            "els => els.map(e => e.tagName[1] + ' ' + e.textContent.trim().replace(/\\s+/g, ' '))",
        )
        lines = [f"== {name}  {page.url}", f"   title: {page.title()}"]
        lines += [f"   {'  ' * (int(h[0]) - 1)}h{h}" for h in outline]
        levels = [int(h[0]) for h in outline]
        if levels.count(1) != 1:
            lines.append(f"   !! {levels.count(1)} h1 elements")
        for before, after in zip(levels, levels[1:], strict=False):
            if after > before + 1:
                lines.append(f"   !! heading level skips from h{before} to h{after}")
        for error in page.errors:
            lines.append(f"   !! console: {error}")
        page.errors.clear()
        if self.axe is not None:
            result = self.axe.run(page)
            for violation in result.response["violations"]:
                targets = [", ".join(n["target"]) for n in violation["nodes"]][:4]
                lines.append(
                    f"   !! axe {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
                )
        self.report.append("\n".join(lines))
        print(lines[0], flush=True)

    def code(self, app, email: str) -> str:
        """A TOTP code not yet used for this account (the app refuses replays)."""
        while True:
            step = int(time.time()) // 30
            if self.used_codes.get(email) != step:
                self.used_codes[email] = step
                return totp(app, email)
            time.sleep(1)


def sign_in(page, base, email, password=PASSWORD):
    """Fill in the sign-in form."""
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[name=login_user_form] [type=submit]")
    page.wait_for_load_state()


def enter_code(page, code):
    """Fill in the two-factor code on whichever code form is showing."""
    page.fill("form[name=two_factor_verify_code_form] input[name=code]", code)
    page.click("form[name=two_factor_verify_code_form] [type=submit]")
    page.wait_for_load_state()


def run(out: Path, only: str | None = None):
    """Build, serve and photograph the whole app (or only the ``"worksheets"`` or ``"notes"`` pages)."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        from axe_playwright_python.sync_playwright import Axe
        axe = Axe()
    except ImportError:
        axe = None
    tmp = Path(tempfile.mkdtemp(prefix="sb-shots-"))
    app = build_app(tmp / "shots.sqlite")
    base, server = serve(app)
    camera = Camera(out, axe)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def fresh_page():
            context = browser.new_context(viewport=VIEWPORTS["phone"])
            return camera.watch(context.new_page())

        if only is None:
            core_shots(app, base, camera, fresh_page)
        if only in (None, "worksheets"):
            worksheet_shots(app, base, camera, fresh_page)
        if only in (None, "notes"):
            note_shots(app, base, camera, fresh_page)

        browser.close()
    server.shutdown()
    (out / "report.txt").write_text("\n".join(camera.report) + "\n", encoding="utf-8")
    print(f"Wrote {len(camera.report)} pages x {len(VIEWPORTS)} sizes to {out}; see {out / 'report.txt'}")


def core_shots(app, base, camera, fresh_page):
    """Every page before the worksheets: signed out, the counselors, the partners, the admin."""
    # Anyone, signed out.
    page = fresh_page()
    page.goto(base + "/login")
    camera.shot(page, "01-login")
    sign_in(page, base, "maya@demo.example.com", "not the password at all")
    camera.shot(page, "02-login-error")
    page.goto(base + "/reset")
    camera.shot(page, "03-reset")
    page.fill("input[name=email]", "someone@demo.example.com")
    page.click("form[name=forgot_password_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "03b-reset-sent")
    page.goto(base + "/reset/" + reset_token(app, "maya@demo.example.com"))
    camera.shot(page, "03c-reset-new-password")
    page.goto(base + "/help")
    camera.shot(page, "04-help")
    page.goto(base + "/invite/not-a-real-token")
    camera.shot(page, "05-invite-invalid")
    page.goto(base + "/no-such-page")
    camera.shot(page, "06-error-404")
    page.goto(base + "/__shots/boom")
    camera.shot(page, "07-error-500")
    for _ in range(6):
        sign_in(page, base, "nobody@demo.example.com", "wrong wrong wrong")
    camera.shot(page, "08-error-429")
    page.context.close()

    # A counselor with two couples: Elena.
    page = fresh_page()
    sign_in(page, base, "elena@demo.example.com")
    camera.shot(page, "10-tf-validate")
    enter_code(page, "000000")
    camera.shot(page, "10b-tf-validate-wrong-code")
    enter_code(page, camera.code(app, "elena@demo.example.com"))
    camera.shot(page, "11-caseload")
    page.fill("input[name=q]", "zzyzx")
    page.click("form.toolbar [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "12-caseload-no-match")
    page.goto(base + "/couples/?status=archived")
    camera.shot(page, "13-caseload-archived-empty")
    page.goto(base + "/couples/new")
    camera.shot(page, "14-couple-new")
    page.click("form.form [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "15-couple-new-errors")
    page.goto(base + "/couples/")
    page.click("text=Maya & Jordan")
    page.wait_for_load_state()
    camera.shot(page, "16-couple-joined")
    joined_url = page.url
    page.click("text=Assign a habit")
    page.wait_for_load_state()
    camera.shot(page, "16b-habit-choose")
    page.click("a:has-text('Choose'):has-text('Future-us planning')")
    page.wait_for_load_state()
    camera.shot(page, "16c-habit-assign")
    page.fill("input[name='frequency.n']", "1")
    page.click("form.card [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "16d-habit-assign-errors")
    page.fill("input[name='frequency.n']", "2")
    page.click("form.card [type=submit]")
    page.wait_for_load_state()
    page.goto(joined_url)
    page.click("text=Small bids")
    page.wait_for_load_state()
    camera.shot(page, "16e-habit")
    page.goto(base + "/couples/")
    page.click("text=Aisha & Daniel")
    page.wait_for_load_state()
    camera.shot(page, "17-couple-not-invited")
    couple_url = page.url
    page.locator("form:has(button:text('Send invitation'))").first.locator("button").click()
    page.wait_for_load_state()
    camera.shot(page, "17b-couple-invitation-link")
    invite_link = page.locator("input[data-copy]").first.input_value()
    page.goto(couple_url + "/edit")
    camera.shot(page, "18-couple-edit")
    page.goto(couple_url + "/audit")
    camera.shot(page, "19-couple-audit")
    page.goto(couple_url + "/archive")
    camera.shot(page, "19b-couple-archive-confirm")
    page.goto(base + "/account")
    camera.shot(page, "20-account-counselor")
    page.goto(base + "/tf-setup")
    camera.shot(page, "21-tf-setup-counselor")
    page.goto(base + "/change")
    camera.shot(page, "22-change-password")
    page.fill("input[name=password]", "wrong")
    page.fill("input[name=new_password]", "short")
    page.fill("input[name=new_password_confirm]", "other")
    page.click("form[name=change_password_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "22b-change-password-errors")
    page.goto(base + "/verify")
    camera.shot(page, "23-verify")
    page.goto(base + "/mf-recovery-codes")
    camera.shot(page, "24-recovery-codes")
    page.click("form[method=post][name=mf_recovery_codes_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "24b-recovery-codes-new")
    page.context.close()

    # A partner accepting an invitation.
    page = fresh_page()
    page.goto(invite_link)
    camera.shot(page, "25-invite-accept")
    page.fill("input[name=password]", "a long and quiet river bend")
    page.fill("input[name=password_confirm]", "a different sentence entirely")
    page.click("form [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "25b-invite-accept-errors")
    page.fill("input[name=password]", "a long and quiet river bend")
    page.fill("input[name=password_confirm]", "a long and quiet river bend")
    page.click("form [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "26-portal-partner-not-joined")
    page.context.close()

    # A partner who has joined: Maya; she turns on two-factor.
    page = fresh_page()
    sign_in(page, base, "maya@demo.example.com")
    camera.shot(page, "30-portal")
    page.goto(base + "/portal/week")
    camera.shot(page, "30b-week")
    page.locator("article:has-text('Small bids') button:has-text('+1')").click()
    page.wait_for_load_state()
    camera.shot(page, "30c-week-logged")
    page.locator("article:has-text('How-are-we') .habit-log__more summary").click()
    page.locator("article:has-text('How-are-we') textarea").fill("Ты рядом, <b>José</b>. " * 3)
    camera.shot(page, "30d-week-details-open")
    page.locator("article:has-text('How-are-we') .habit-entries summary").click()
    camera.shot(page, "30d2-week-entries-open")
    page.goto(base + "/portal/habits/settings")
    camera.shot(page, "30e-habit-settings")
    page.goto(base + "/portal/week")
    page.locator(".habit-entries summary").first.click()
    page.locator("a:has-text('Edit')").first.click()
    page.wait_for_load_state()
    camera.shot(page, "30f-log-edit")
    page.goto(base + "/account")
    camera.shot(page, "31-account-partner")
    page.goto(base + "/tf-setup")
    camera.shot(page, "32-tf-setup-partner")
    page.check("input[name=setup][value=authenticator]")
    page.click("form[name=two_factor_setup_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "33-tf-setup-qr")
    # During setup the new secret lives in the session, so read the key off the page.
    key = page.locator(".totp-key").inner_text().replace(" ", "")
    enter_code(page, TOTP(key=key).generate().token)
    camera.shot(page, "34-after-tf-setup")
    page.goto(base + "/mf-recovery-codes")
    page.click("form[method=post][name=mf_recovery_codes_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "35-recovery-codes-partner")
    page.context.close()

    # Maya again, having lost her phone: the rescue options and a recovery code.
    page = fresh_page()
    sign_in(page, base, "maya@demo.example.com")
    page.click("details.disclosure summary")
    camera.shot(page, "36-tf-validate-with-rescue")
    page.goto(base + "/mf-recovery")
    camera.shot(page, "37-mf-recovery")
    page.fill("input[name=code]", "not-a-code")
    page.click("form[name=mf_recovery_form] [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "37b-mf-recovery-error")
    page.context.close()

    # A counselor with an archived couple: Samuel.
    page = fresh_page()
    sign_in(page, base, "samuel@demo.example.com")
    enter_code(page, camera.code(app, "samuel@demo.example.com"))
    page.goto(base + "/couples/?status=archived")
    camera.shot(page, "40-caseload-archived")
    page.click("text=Tomás & Grace")
    page.wait_for_load_state()
    camera.shot(page, "41-couple-archived")
    page.context.close()

    # A partner of the archived couple.
    page = fresh_page()
    sign_in(page, base, "tomas@demo.example.com")
    camera.shot(page, "42-portal-closed")
    page.context.close()

    # A counselor with nobody yet.
    page = fresh_page()
    sign_in(page, base, "quiet@demo.example.com")
    enter_code(page, camera.code(app, "quiet@demo.example.com"))
    camera.shot(page, "43-caseload-empty")
    page.context.close()

    # A new counselor, who must set up two-factor at first sign-in.
    page = fresh_page()
    sign_in(page, base, "new@demo.example.com")
    camera.shot(page, "44-tf-setup-required")
    page.context.close()

    # The practice owner.
    page = fresh_page()
    sign_in(page, base, "admin@demo.example.com")
    enter_code(page, camera.code(app, "admin@demo.example.com"))
    camera.shot(page, "45-admin-counselors")
    page.click("form.form [type=submit]")
    page.wait_for_load_state()
    camera.shot(page, "45b-admin-counselors-errors")
    page.context.close()


def demo_worksheets(app) -> dict:
    """Maya & Jordan's couple id and their worksheet entries' ids, by worksheet key (first entry)."""
    from practice.couples.models import Partner
    from practice.worksheets.models import WorksheetAssignment, WorksheetEntry

    with app.app_context():
        maya = db.session.scalar(db.select(Partner).where(Partner.email == "maya@demo.example.com"))
        rows = db.session.execute(
            db.select(WorksheetAssignment.key, WorksheetEntry.id)
            .join(WorksheetEntry, WorksheetEntry.assignment_id == WorksheetAssignment.id)
            .where(WorksheetAssignment.couple_id == maya.couple_id)
            .order_by(WorksheetEntry.started_at)).all()
        found = {"couple": maya.couple_id}
        for key, entry_id in rows:
            found.setdefault(key, entry_id)
        return found


def flag_a_safety_answer(app) -> str:
    """Give Maya & Jordan a monthly retro on which Jordan answers the safety question "yes"."""
    from practice.couples.models import Partner
    from practice.worksheets import definitions, services

    with app.app_context():
        jordan = db.session.scalar(db.select(Partner).where(Partner.email == "jordan@demo.example.com"))
        assignment = services.assign(jordan.couple_id, definitions.get("monthly_retro"), {"due_on": None})
        entry = assignment.entries[0] if assignment.entries else services.start_entry(assignment, jordan.id)
        services.answer_safety(entry, jordan.couple_id, jordan.id, True)
        db.session.commit()
        return str(entry.id)


def save_pdf(page, url: str, out: Path, name: str) -> None:
    """Download a PDF with the page's cookies and render its pages to PNG (pdftoppm -r 50)."""
    response = page.context.request.get(url)
    if not response.ok or response.headers.get("content-type") != "application/pdf":
        print(f"!! {name}: {response.status} {response.headers.get('content-type')}", flush=True)
        return
    pdf_file = out / f"{name}.pdf"
    pdf_file.write_bytes(response.body())
    subprocess.run([PDFTOPPM, "-r", "50", "-png", str(pdf_file), str(out / name)], check=True)  # noqa: S603
    print(f"== {name}.pdf  {url}", flush=True)


def worksheet_shots(app, base, camera, fresh_page):
    """The worksheets: Elena gives, previews and reviews; Maya and Jordan fill and share; the handouts."""
    from practice.worksheets import definitions

    ids = demo_worksheets(app)
    with app.app_context():
        keys = list(definitions.library())
    couple_url = f"{base}/couples/{ids['couple']}"
    out = camera.out

    # Elena, the counselor.
    elena = fresh_page()
    sign_in(elena, base, "elena@demo.example.com")
    enter_code(elena, camera.code(app, "elena@demo.example.com"))
    elena.goto(couple_url + "#panel-worksheets")
    camera.shot(elena, "50-couple-worksheets-panel", element="section.panel--worksheets")
    elena.goto(couple_url + "/worksheets/new")
    camera.shot(elena, "51-worksheet-choose")
    elena.goto(couple_url + "/worksheets/new?worksheet=boundaries")
    camera.shot(elena, "52-worksheet-assign")
    due = elena.locator("input[name=due_on]")
    try:
        due.fill("2026-13-45")
    except PlaywrightError:
        pass
    if due.input_value() != "2026-13-45":  # a date input refuses a date that does not exist
        print("   (skipped 52b: the date input refuses 2026-13-45)", flush=True)
    else:
        elena.click("form.card [type=submit]")
        elena.wait_for_load_state()
        camera.shot(elena, "52b-worksheet-assign-bad-date")
    elena.goto(couple_url + "/worksheets/preview/repair_after_conflict")
    camera.shot(elena, "53-worksheet-preview")
    elena.goto(couple_url + "/worksheets/preview/repair_after_conflict#s-follow")
    camera.shot(elena, "53b-worksheet-preview-follow", sizes=("phone",))
    elena.goto(f"{couple_url}/worksheets/entries/{ids['repair_after_conflict']}")
    camera.shot(elena, "54-worksheet-review-repair")
    elena.goto(f"{couple_url}/worksheets/entries/{ids['boundaries']}")
    camera.shot(elena, "55-worksheet-review-boundaries")
    for key in keys:
        save_pdf(elena, f"{base}/worksheets/{key}/blank.pdf", out, f"57-pdf-blank-{key}")
    save_pdf(elena, f"{couple_url}/worksheets/entries/{ids['repair_after_conflict']}.pdf", out,
             "57-pdf-repair-elena")

    # Maya, a partner (with two-factor on since 34, unless only the worksheets are taken).
    maya = fresh_page()
    sign_in(maya, base, "maya@demo.example.com")
    if maya.locator("form[name=two_factor_verify_code_form]").count():
        enter_code(maya, camera.code(app, "maya@demo.example.com"))
    maya.goto(base + "/portal")
    camera.shot(maya, "60-portal-home-worksheets")
    maya.goto(base + "/portal/worksheets")
    camera.shot(maya, "61-my-worksheets")
    maya.goto(f"{base}/portal/worksheets/{ids['repair_after_conflict']}")
    camera.shot(maya, "62-fill-repair-submitted")
    save_pdf(maya, f"{base}/portal/worksheets/{ids['repair_after_conflict']}.pdf", out, "57-pdf-repair-maya")
    boundaries_url = f"{base}/portal/worksheets/{ids['boundaries']}"
    maya.goto(boundaries_url)
    camera.shot(maya, "63-fill-boundaries-safety-question")
    maya.check("input[name=afraid][value=no]")
    maya.click("form.safety-check [type=submit]")
    maya.wait_for_load_state()
    camera.shot(maya, "63b-fill-boundaries-first-part")
    maya.set_viewport_size(VIEWPORTS["phone"])
    maya.fill("#f-limit-what", "An hour on Sunday mornings for my run, phone off.")
    maya.wait_for_timeout(2000)
    camera.shot(maya, "63c-fill-boundaries-autosaved", sizes=("phone",))
    maya.set_viewport_size(VIEWPORTS["phone"])
    maya.locator("#s-limit button[name=go]").click()
    maya.wait_for_load_state()
    camera.shot(maya, "63d-fill-boundaries-part-2", sizes=("phone",))
    maya.goto(boundaries_url + "#finish")
    maya.set_viewport_size(VIEWPORTS["phone"])
    maya.locator("#finish button[name=go][value=submit]").click()
    maya.wait_for_load_state()
    camera.shot(maya, "63e-fill-boundaries-submit-missing")
    maya.goto(base + "/portal/worksheets")
    maya.locator("li:has-text('Reassurance') button:has-text('New entry')").click()
    maya.wait_for_load_state()
    camera.shot(maya, "64-fill-reassurance-new-entry")
    maya.goto(base + "/portal/worksheets/viewed")
    camera.shot(maya, "65-worksheets-viewed")

    # Jordan, the other partner, reads what Maya shared.
    jordan = fresh_page()
    sign_in(jordan, base, "jordan@demo.example.com")
    jordan.goto(f"{base}/portal/worksheets/{ids['repair_after_conflict']}")
    camera.shot(jordan, "70-fill-repair-jordan")

    # A safety answer: the counselor's private flag, the support Jordan sees, Maya's neutral held part.
    retro = flag_a_safety_answer(app)
    elena.goto(couple_url + "#panel-worksheets")
    camera.shot(elena, "80-couple-worksheets-panel-flagged", element="section.panel--worksheets")
    elena.goto(f"{couple_url}/worksheets/entries/{retro}")
    camera.shot(elena, "81-worksheet-review-safety-flag")
    jordan.goto(f"{base}/portal/worksheets/{retro}")
    camera.shot(jordan, "82-fill-retro-after-yes")
    maya.goto(f"{base}/portal/worksheets/{retro}")
    camera.shot(maya, "83-fill-retro-safety-question")
    maya.check("input[name=afraid][value=no]")
    maya.click("form.safety-check [type=submit]")
    maya.wait_for_load_state()
    maya.goto(f"{base}/portal/worksheets/{retro}#s-together")
    camera.shot(maya, "83b-fill-retro-joint-held", sizes=("phone",))
    for page in (elena, maya, jordan):
        page.context.close()


def demo_notes(app) -> dict:
    """Maya & Jordan's and Aisha & Daniel's couple ids, and Maya & Jordan's notes: signed ones
    oldest first, and the draft."""
    from practice.couples.models import Partner
    from practice.notes.models import NoteStatus, SessionNote

    with app.app_context():
        maya = db.session.scalar(db.select(Partner).where(Partner.email == "maya@demo.example.com"))
        aisha = db.session.scalar(db.select(Partner).where(Partner.email == "aisha@demo.example.com"))
        tomas = db.session.scalar(db.select(Partner).where(Partner.email == "tomas@demo.example.com"))
        notes = db.session.scalars(db.select(SessionNote).where(SessionNote.couple_id == maya.couple_id)
                                   .order_by(SessionNote.session_on, SessionNote.created_at)).all()
        return {"couple": maya.couple_id, "empty_couple": aisha.couple_id, "archived": tomas.couple_id,
                "signed": [n.id for n in notes if n.status == NoteStatus.signed],
                "draft": next(n.id for n in notes if n.status != NoteStatus.signed)}


#: The draft's status once an autosave is back ("Last saved …" is the page as it was loaded).
SAVED = re.compile(r"^Saved ")
#: An addendum in other scripts, with a long unbroken run a phone must wrap.
NOTE_ADDENDUM = ("Correction: Анна (Maya's sister) and José O'Brien were at the dinner too, not only "
                 "the two of them. Reference: " + "ЖW" * 30)


def note_shots(app, base, camera, fresh_page):
    """Session notes: Elena's panel, new note, drafts (summary, conflict, signing error), a signed note
    with addenda and history, the list, search, the PDFs; Samuel's archived couple; the admin's register."""
    ids = demo_notes(app)
    couple_url = f"{base}/couples/{ids['couple']}"
    draft_url = f"{couple_url}/notes/{ids['draft']}"
    out = camera.out

    elena = fresh_page()
    sign_in(elena, base, "elena@demo.example.com")
    enter_code(elena, camera.code(app, "elena@demo.example.com"))
    elena.goto(couple_url + "#panel-notes")
    camera.shot(elena, "90-couple-notes-panel", element="section.panel--notes")
    elena.goto(f"{base}/couples/{ids['empty_couple']}#panel-notes")
    camera.shot(elena, "90b-couple-notes-panel-empty", element="section.panel--notes")
    elena.goto(f"{base}/couples/{ids['empty_couple']}/notes")
    camera.shot(elena, "90c-notes-list-empty")

    # A new note: the form, one sent back (a date in the future), then a fresh SOAP draft.
    elena.goto(couple_url + "/notes/new")
    camera.shot(elena, "91-note-new")
    elena.check("input[name=format][value=soap]")
    elena.fill("input[name=session_on]", "2099-01-01")
    elena.fill("input[name=minutes]", "0")
    elena.click("form.card button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "91b-note-new-errors")
    elena.goto(couple_url + "/notes/new")
    elena.check("input[name=format][value=soap]")
    elena.click("form.card button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "92-note-draft-empty-soap")

    # The demo's DAP draft: as it is, after the summary insert, on a phone while writing.
    elena.goto(draft_url)
    camera.shot(elena, "92b-note-draft")
    elena.click("button[data-summary-button]")
    elena.locator("[data-save-status]").filter(has_text=SAVED).wait_for(timeout=10_000)
    camera.shot(elena, "92c-note-draft-summary-inserted")
    save_pdf(elena, draft_url + ".pdf", out, "98-pdf-draft")
    elena.set_viewport_size(VIEWPORTS["phone"])
    elena.locator("textarea[name='section.assessment']").click()
    elena.locator("textarea[name='section.assessment']").press_sequentially("Анна, José, O'Brien: ")
    elena.locator("[data-save-status]").filter(has_text=SAVED).wait_for(timeout=10_000)
    camera.shot(elena, "92d-note-draft-writing-on-a-phone", sizes=("phone",), full_page=False)
    elena.locator("textarea[name='section.plan']").scroll_into_view_if_needed()
    elena.evaluate("window.scrollBy(0, 180)")  # the plan's box under the sticky save bar, if it covers
    camera.shot(elena, "92e-note-draft-phone-bottom", sizes=("phone",), full_page=False)

    # A save from an older version of the page (as a second window would make, without JavaScript).
    elena.goto(draft_url)
    elena.evaluate("""() => {
      const form = document.querySelector('#note-form');
      form.elements.version.value = String(Number(form.elements.version.value) - 1);
      form.elements['section.plan'].value = 'Plan typed in a window opened an hour ago: Анна, José.';
    }""")
    elena.click("#note-form .note-savebar button[value=save]")
    elena.wait_for_load_state()
    camera.shot(elena, "93-note-conflict-409")

    # Signing: a wrong password, then the right one.
    elena.goto(draft_url)
    elena.fill("input[name=secret]", "not my password at all")
    elena.click("button[value=sign]")
    elena.wait_for_load_state()
    camera.shot(elena, "94-note-sign-error")
    elena.fill("input[name=secret]", PASSWORD)
    elena.click("button[value=sign]")
    elena.wait_for_load_state()
    camera.shot(elena, "95-note-signed-now")

    # The last demo note: signed, with the demo's addendum; one more, in other scripts; then an error.
    signed_url = f"{couple_url}/notes/{ids['signed'][-1]}"
    elena.goto(signed_url)
    elena.fill("textarea[name=body]", NOTE_ADDENDUM)
    elena.fill("#f-addendum-secret", PASSWORD)
    elena.click("form.note-addendum-form button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "95b-note-signed-addenda-history")
    elena.goto(signed_url)
    elena.fill("#f-addendum-secret", "wrong")
    elena.click("form.note-addendum-form button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "95c-note-addendum-errors")

    elena.goto(couple_url + "/notes")
    camera.shot(elena, "96-notes-list")
    elena.goto(base + "/notes/")
    camera.shot(elena, "97-notes-search")
    elena.fill("input[name=q]", "check-in")
    elena.click("form.search-form button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "97b-notes-search-results")
    elena.fill("input[name=q]", "zzyzx Анна")
    elena.click("form.search-form button[type=submit]")
    elena.wait_for_load_state()
    camera.shot(elena, "97c-notes-search-none")

    save_pdf(elena, f"{signed_url}.pdf", out, "98-pdf-note")
    save_pdf(elena, f"{couple_url}/notes/all.pdf", out, "98-pdf-all-notes")

    # Samuel's archived couple: the panel lists the notes, and offers no new one.
    samuel = fresh_page()
    sign_in(samuel, base, "samuel@demo.example.com")
    enter_code(samuel, camera.code(app, "samuel@demo.example.com"))
    samuel.goto(f"{base}/couples/{ids['archived']}#panel-notes")
    camera.shot(samuel, "98b-couple-archived-notes-panel", element="section.panel--notes")

    # The practice admin's register.
    admin = fresh_page()
    sign_in(admin, base, "admin@demo.example.com")
    enter_code(admin, camera.code(app, "admin@demo.example.com"))
    admin.goto(base + "/admin/notes")
    camera.shot(admin, "99-admin-notes-register")
    for page in (elena, samuel, admin):
        page.context.close()


if __name__ == "__main__":
    options = {"--worksheets": "worksheets", "--notes": "notes"}
    args = [a for a in sys.argv[1:] if a not in options]
    chosen = [options[a] for a in sys.argv[1:] if a in options]
    run(Path(args[0]) if args else ROOT / "screenshots", only=chosen[0] if chosen else None)
