"""Browser fixtures: the app on a real port, Debian's Chromium, and a look at every page.

``look(page, name)`` is what every step of a journey calls once a page has loaded: axe checks it
(no serious or critical violation), and it is photographed at desktop and phone sizes into
``SCREENSHOT_DIR`` (default: the test's tmp_path) so a person can see what the test saw. Every
violation, the moderate and minor ones too, is written to ``axe-report.txt`` in the same folder.
"""

import os
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


def pytest_collection_modifyitems(items):
    """Skip browser tests when the machine has no Chromium, rather than failing obscurely."""
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def app_config(app_config):
    """The usual test config, but answering on whatever host and port the live server gets."""
    config = dict(app_config)
    config.pop("SERVER_NAME", None)
    return config


class InFlight:
    """WSGI middleware that counts requests still being answered, so teardown can wait for them.

    Without it a request the browser sent last (a favicon, the idle check) could still hold a
    database connection when the app's engine is disposed; that connection is then dropped
    unclosed and psycopg's ResourceWarning fails whichever test the garbage collector runs in.
    """

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.idle:
                self.count -= 1
                self.idle.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until no request is being answered; False if that took longer than ``timeout``."""
        with self.idle:
            return self.idle.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 in a background thread; yields its base URL."""
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    assert in_flight.wait_until_idle(10), "a request was still running 10 s after the test ended"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def new_person(chromium, live_server):
    """Open a fresh browser (its own cookies) for one person: ``page = new_person()``."""
    contexts = []

    def open_browser():
        context = chromium.new_context(viewport=DESKTOP, base_url=live_server)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield open_browser
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe():
    """axe-core, from the copy bundled in axe-playwright-python (no network needed)."""
    return Axe()


def describe_violations(violations: list[dict]) -> str:
    """Axe violations as lines a person can act on: rule, impact, help, and each element."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.extend("      " + line for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where the journey's photographs go: $SCREENSHOT_DIR, or the test's tmp_path."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "axe-report.txt").unlink(missing_ok=True)
    return folder


@pytest.fixture
def look(axe, screenshot_dir):
    """Check a loaded page with axe and photograph it at desktop and phone sizes."""
    seen = []

    def look_at(page, name: str) -> None:
        number = f"{len(seen) + 1:02d}"
        seen.append(name)
        violations = axe.run(page).response["violations"]
        if violations:
            with open(screenshot_dir / "axe-report.txt", "a", encoding="utf-8") as report:
                report.write(f"{number}-{name} ({page.url})\n{describe_violations(violations)}\n\n")
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        size = page.viewport_size
        page.screenshot(path=screenshot_dir / f"{number}-{name}-desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=screenshot_dir / f"{number}-{name}-phone.png", full_page=True)
        page.set_viewport_size(size)
        assert not blocking, (
            f"axe found serious or critical problems on {name} ({page.url}):\n"
            + describe_violations(blocking)
        )

    return look_at
