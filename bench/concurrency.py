"""The couple page on PostgreSQL with 4 gunicorn workers at 4, 16 and 32 connections.

The large practice (L) is served; 32 of its counselors sign in through the real forms, and wrk
rotates over their couple pages, so no two requests in a row are the same person's. Meanwhile a
sampler counts, every 20 ms, the backends that ``pg_stat_activity`` shows waiting on a lock, and on
what: the audit chain's head must never be one of them (the seams issue made sealing lock-free).
"""

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench.load import Server, rounded, sign_in, totp, wrk
from bench.seed import load, seed, settings
from bench.statements import Counter

LEVELS = (4, 16, 32)
WORKERS = 4
SECONDS = 8


def lock_waits(url: str, stop: threading.Event, seen: list, waiting: dict) -> None:
    """Count backends waiting on a lock until ``stop`` is set, and the statements they wait in."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        while not stop.is_set():
            rows = (
                conn.execute(
                    sa.text(
                        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) "
                        "FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    )
                )
                .scalars()
                .all()
            )
            seen.append(len(rows))
            for statement in rows:
                waiting[statement] = waiting.get(statement, 0) + 1
            conn.rollback()
            time.sleep(0.02)
    engine.dispose()


def measure(pg_url: str, folder: Path) -> dict:
    """Serve the L practice on PostgreSQL and load its couple pages at each level; the figures."""
    if (folder / "practice-L.json").exists() and load(folder, "L").url.startswith("postgresql"):
        practice = load(folder, "L")
    else:
        print("\n== concurrency: seeding L on PostgreSQL")
        practice = seed("L", pg_url, folder)
    server = Server(practice, WORKERS)
    try:
        counter = Counter(settings(Path(practice.instance), practice.url))
        people = practice.counselors[: max(LEVELS)]
        requests_ = [
            (
                sign_in(server.base, p["email"], lambda p=p: totp(p["secret"], counter.app)),
                "GET",
                f"/couples/{p['couple']}",
                "",
            )
            for p in people
        ]
        counter.close()
        wrk(server.base, requests_, 2, max(LEVELS))  # warm every worker and connection
        print(
            f"\n== concurrency: couple page on PostgreSQL, gunicorn {WORKERS} workers, "
            f"{len(people)} counselors"
        )
        figures = {"workers": WORKERS, "counselors": len(people), "levels": {}}
        for level in LEVELS:
            stop, seen, waiting = threading.Event(), [], {}
            sampler = threading.Thread(target=lock_waits, args=(practice.url, stop, seen, waiting))
            sampler.start()
            try:
                result = wrk(server.base, requests_, SECONDS, level)
            finally:
                stop.set()
                sampler.join()
            audit = sum(count for statement, count in waiting.items() if "audit" in statement.lower())
            figures["levels"][str(level)] = {
                **rounded(result),
                "lock_waits": sum(seen),
                "samples": len(seen),
                "audit_lock_waits": audit,
                "waiting_in": dict(sorted(waiting.items(), key=lambda i: -i[1])[:3]),
            }
            print(
                f"   {level:>2} connections {result['rps']:>7.0f} req/s  p50 {result['p50']:>6.1f} ms  "
                f"p99 {result['p99']:>6.1f} ms  lock waits {sum(seen)} in {len(seen)} samples "
                f"({audit} on the audit chain)"
            )
    finally:
        server.stop()
    engine = sa.create_engine(practice.url)
    with engine.connect() as conn:
        figures["unsealed_after"] = conn.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE position IS NULL")
        ).scalar()
    engine.dispose()
    return figures
