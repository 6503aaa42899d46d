"""Serve a seeded practice with gunicorn and load it with wrk from a separate process.

Browsers sign in through the real forms (two-factor included) with ``requests``; wrk then sends
their cookies for a bounded time. A Lua script rotates over the browsers' requests, counts every
answer that is not the expected status (a redirect to the sign-in page would otherwise look fast)
and prints wrk's figures as JSON.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.seed import PASSWORD, ROOT, Practice, settings

WRK_SCRIPT = r"""
local requests, threads, index = {}, {}, 0
%(requests)s
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0; index = math.random(#requests) - 1 end
function request()
  index = index %% #requests + 1
  return requests[index]
end
function response(status, headers, body)
  if status ~= %(expect)d then unexpected = unexpected + 1 end
end
function done(summary, latency, reqs)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  io.write(string.format('WRK {"requests": %%d, "seconds": %%f, "p50": %%f, "p99": %%f, ' ..
    '"unexpected": %%d, "socket_errors": %%d}\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass
class Browser:
    """A signed-in browser: its cookies and its CSRF token, as wrk will send them."""

    session: requests.Session
    csrf: str

    def headers(self) -> dict:
        """The headers wrk sends for this browser."""
        cookies = "; ".join(f"{name}={value}" for name, value in self.session.cookies.items())
        # The browser that signed in, as it signed in: Flask-Login's session protection marks a
        # session not fresh (and so re-signs its cookie on every answer) when the agent changes.
        return {"Cookie": cookies, "X-CSRFToken": self.csrf, "Accept": "text/html,application/json",
                "User-Agent": self.session.headers["User-Agent"]}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving ``bench.served`` for one practice, on a free loopback port."""

    def __init__(self, practice: Practice, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        factory = f"bench.served:create({settings(Path(practice.instance), practice.url)!r})"
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--max-requests",
                "0",
                factory,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        for _ in range(300):
            try:
                requests.get(self.base + "/login", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        """The process ids of gunicorn's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def memory(self) -> dict:
        """Each worker's resident and peak resident memory, in MiB."""
        figures = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kib = {
                key: int(value.split()[0])
                for key, value in re.findall(r"^(VmRSS|VmHWM):\s+(.+)$", status, re.M)
            }
            figures[pid] = {"rss": kib["VmRSS"] / 1024, "peak": kib["VmHWM"] / 1024}
        return figures

    def stop(self) -> None:
        """Stop gunicorn and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def totp(secret: str, app) -> str:
    """The current two-factor code for ``secret``, from ``app``'s TOTP settings."""
    from practice.extensions import security

    with app.app_context():
        return security.totp_factory.generate_totp_password(secret)


def _token(html: str) -> str:
    """The CSRF token of a page, from its form field or its meta tag."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    return match[1] if match else ""


def sign_in(base: str, email: str, code=None) -> Browser:
    """A browser signed in as ``email`` through the real forms; ``code()`` answers two-factor."""
    browser = requests.Session()
    answer = browser.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _token(browser.get(base + "/login").text)},
        allow_redirects=False,
    )
    if "/tf-validate" in answer.headers.get("Location", ""):
        token = _token(browser.get(base + "/tf-validate").text)
        browser.post(base + "/tf-validate", data={"code": code(), "csrf_token": token}, allow_redirects=False)
    home = browser.get(base + "/", allow_redirects=True)
    if "/login" in home.url:
        raise SystemExit(f"{email} could not sign in: not measuring")
    return Browser(browser, _token(home.text))


def check(browser: Browser, base: str, method: str, path: str, body: str, expect: int) -> int:
    """Send one request as wrk will and return its size in bytes; stop if it is not ``expect``."""
    answer = browser.session.request(
        method,
        base + path,
        data=body or None,
        allow_redirects=False,
        headers={**browser.headers(), "Content-Type": "application/json"},
    )
    if answer.status_code != expect:
        raise SystemExit(f"{method} {path} answered {answer.status_code}, not {expect}: not measuring it")
    return len(answer.content)


def send(base: str, requests_: list[tuple[Browser, str, str, str]], count: int) -> None:
    """Send ``count`` requests one after another, rotating over (browser, method, path, body)."""
    client = requests.Session()  # keeps the connection; its own cookie jar stays empty
    for number in range(count):
        browser, method, path, body = requests_[number % len(requests_)]
        client.request(method, base + path, data=body or None, allow_redirects=False,
                       headers={**browser.headers(), "Content-Type": "application/json"})


def wrk(
    base: str,
    requests_: list[tuple[Browser, str, str, str]],
    seconds: float,
    connections: int,
    expect: int = 200,
    timeout: float = 10,
) -> dict:
    """Load ``base`` with wrk for ``seconds``, rotating over (browser, method, path, body); a request
    taking longer than ``timeout`` seconds counts as a socket error."""
    program = shutil.which("wrk")
    if not program:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    lines = []
    for browser, method, path, body in requests_:
        headers = {**browser.headers(), "Content-Type": "application/json"}
        lua_headers = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        # Lua (wrk's LuaJIT) reads UTF-8 in a string but not JSON's \u escapes: keep the text as it is.
        lua_body = json.dumps(body, ensure_ascii=False) if body else "nil"
        lines.append(
            f"table.insert(requests, wrk.format({json.dumps(method)}, {json.dumps(path)}, "
            f"{{{lua_headers}}}, {lua_body}))"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"requests": "\n".join(lines), "expect": expect})
    try:
        output = subprocess.run(  # noqa: S603
            [
                program,
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                f"{timeout:g}s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    figures = json.loads(re.search(r"^WRK (.+)$", output, re.M)[1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def rounded(result: dict) -> dict:
    """wrk's figures, rounded for the results file."""
    if result["unexpected"] or result["socket_errors"]:
        raise SystemExit(
            f"wrk saw {result['unexpected']} unexpected answers and {result['socket_errors']} "
            "socket errors: not measuring"
        )
    return {
        "rps": round(result["rps"], 1),
        "p50_ms": round(result["p50"], 2),
        "p99_ms": round(result["p99"], 2),
        "requests": result["requests"],
    }
