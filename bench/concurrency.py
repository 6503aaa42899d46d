"""The couple page under concurrent counselors, served by gunicorn on PostgreSQL.

Each client is a different counselor, signed in through the real forms (two-factor included),
opening one of their own couple pages again and again for a bounded time. Reported per level of
concurrency: requests per second, p50 and p99 latency, and how many times a backend was seen
waiting on a lock in ``pg_stat_activity`` (sampled every 20 ms). Before audit events were sealed
at commit, every audited page held the chain's lock while it rendered, and those waits showed here.

Run: ``python -m bench.concurrency [--db URL] [--seconds N] [--workers N]`` (``make bench`` runs it).
"""

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from practice import create_app
from practice.extensions import db, security
from practice.instance_setup import new_secrets

PASSWORD = "a long and quiet river bend"  # noqa: S105 (a bench account on a throwaway database)
LEVELS = (4, 16)
ROOT = Path(__file__).resolve().parent.parent


def fresh_database(base_url: str, name: str) -> str:
    """Drop and create ``name`` on the server of ``base_url``; return its URL."""
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", base_url)


def seed(instance: Path, url: str, counselors: int, couples_each: int) -> list[dict]:
    """A practice of ``counselors`` counselors with ``couples_each`` couples; their logins."""
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url})
    people = []
    with app.app_context():
        from flask_migrate import upgrade

        from practice.auth.services import create_user
        from practice.couples.models import Confidentiality
        from practice.couples.services import add_couple

        upgrade(directory=str(ROOT / "migrations"))
        for n in range(counselors):
            user = create_user(f"counselor{n}@bench.example", f"Counselor {n}", PASSWORD, "counselor")
            user.tf_totp_secret = security.totp_factory.generate_totp_secret()
            user.tf_primary_method = "authenticator"
            first = None
            for m in range(couples_each):
                couple = add_couple(user, {
                    "label": "", "time_zone": "America/Chicago",
                    "confidentiality": Confidentiality.no_secrets,
                    "partner_a": {"name": f"Анна{n}-{m} Petrova", "email": f"a{n}-{m}@bench.example",
                                  "pronouns": ""},
                    "partner_b": {"name": f"José{n}-{m} O'Brien", "email": f"b{n}-{m}@bench.example",
                                  "pronouns": ""},
                })
                first = first or couple
            db.session.flush()
            people.append({"email": user.email, "secret": user.tf_totp_secret, "couple": str(first.id)})
        db.session.commit()
    return people


def totp(instance: Path, url: str, secret: str) -> str:
    """The current two-factor code for ``secret``."""
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        return security.totp_factory.generate_totp_password(secret)


def sign_in(base: str, person: dict, code) -> requests.Session:
    """A browser session signed in as ``person`` through the real forms."""
    browser = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get(base + "/login").text)[1]
    answer = browser.post(base + "/login", data={"email": person["email"], "password": PASSWORD,
                                                 "csrf_token": token}, allow_redirects=False)
    if "/tf-validate" in answer.headers.get("Location", ""):
        page = browser.get(base + "/tf-validate").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        browser.post(base + "/tf-validate", data={"code": code(person["secret"]), "csrf_token": token},
                     allow_redirects=False)
    if browser.get(base + f"/couples/{person['couple']}", allow_redirects=False).status_code != 200:
        raise SystemExit(f"{person['email']} could not open their couple page: not measuring")
    return browser


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(instance: Path, url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on loopback with ``workers`` sync workers; wait until it answers."""
    port = free_port()
    settings = {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    factory = f"practice:create_app({settings!r})"  # gunicorn reads the argument as a Python literal
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", factory],
        cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(base + "/login", timeout=5)
            return server, base
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def lock_waits(url: str, stop: threading.Event, seen: list, waiting: dict) -> None:
    """Count backends waiting on a lock in pg_stat_activity until ``stop`` is set, and on what."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        while not stop.is_set():
            rows = conn.execute(sa.text("SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) "
                                        "FROM pg_stat_activity "
                                        "WHERE wait_event_type = 'Lock'")).scalars().all()
            seen.append(len(rows))
            for statement in rows:
                waiting[statement] = waiting.get(statement, 0) + 1
            conn.rollback()
            time.sleep(0.02)
    engine.dispose()


def load(base: str, browsers: list, seconds: float, url: str) -> dict:
    """Every browser opens its couple page in a loop for ``seconds``; return the figures."""
    latencies: list[float] = []
    errors = []
    stop, waits, waiting = threading.Event(), [], {}
    sampler = threading.Thread(target=lock_waits, args=(url, stop, waits, waiting))

    def client(browser, path):
        while not stop.is_set():
            start = time.perf_counter()
            status = browser.get(base + path, allow_redirects=False).status_code
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=client, args=(b, path)) for b, path in browsers]
    sampler.start()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in (*threads, sampler):
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99)],
            "errors": len(errors), "lock_waits": sum(waits), "samples": len(waits), "waiting": waiting}


def main() -> None:
    """Seed, serve, load at each level, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    try:
        url = fresh_database(args.db, "securebase_bench")
    except sa.exc.OperationalError as error:
        print(f"Skipping the concurrency benchmark: PostgreSQL is not reachable ({error.orig})")
        return
    instance = Path(tempfile.mkdtemp(prefix="securebase-bench-"))
    (instance / "secrets.json").write_text(json.dumps(new_secrets()))
    people = seed(instance, url, counselors=max(LEVELS), couples_each=10)
    server, base = serve(instance, url, args.workers)
    try:
        code = lambda secret: totp(instance, url, secret)  # noqa: E731
        browsers = [(sign_in(base, person, code), f"/couples/{person['couple']}") for person in people]
        print(f"\nCouple page on PostgreSQL, gunicorn {args.workers} sync workers, "
              f"{args.seconds:g} s per level, each client a different counselor")
        print(f"{'clients':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'lock waits':>11}")
        for level in LEVELS:
            figures = load(base, browsers[:level], args.seconds, url)
            print(f"{level:>8} {figures['rps']:>8.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
                  f"{figures['errors']:>7} {figures['lock_waits']:>5} in {figures['samples']} samples")
            for statement, count in sorted(figures["waiting"].items(), key=lambda item: -item[1])[:3]:
                print(f"{'':>8} waited {count}x on: {statement}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        waiting = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE position IS NULL")).scalar()
        total = conn.execute(sa.text("SELECT count(*) FROM audit_event")).scalar()
    engine.dispose()
    print(f"Audit events after the run: {total}, of which {waiting} still wait to be sealed")


if __name__ == "__main__":
    main()
