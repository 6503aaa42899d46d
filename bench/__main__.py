"""`make bench`: SecureBase's pages under load, beside the limit of its own stack, in one run.

For each size (S: 10 couples, L: 2,000) it seeds a fresh practice (SQLite by default, or the
PostgreSQL server of ``--db``), serves it with gunicorn and loads every page of ``bench.catalogue``
with wrk, between runs of the bare read, the bare audited read and the signed-in floor
(``bench.served``). Then the
couple page on PostgreSQL with 4 workers at 4, 16 and 32 connections (``bench.concurrency``).
Writes every figure to ``bench/results.json`` with the ``ratios`` the budget is checked against.

Run: ``python -m bench [--db URL] [--seconds N] [--sizes S,L] [--pg URL | --no-pg]``.
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench import autosave, budget, concurrency, notes, pdfs
from bench.catalogue import split
from bench.load import Server, check, rounded, send, sign_in, totp, wrk
from bench.seed import ROOT, seed, settings
from bench.served import add_visits_table
from bench.statements import Counter

RESULTS = ROOT / "bench" / "results.json"
#: Worker memory is read after the first thousand requests and again after the last thousand.
THOUSAND = 1000
#: Note searches sent after each thousand (bench.budget.OWN_BUDGET).
SEARCHES = 10
#: A client's full name, as a counselor types it: one couple found at S and at L alike, so the
#: page's cost is compared at the same size of answer.
SEARCH_WORDS = "Анна3 Петрова"


def measure_size(
    size: str, db_url: str, folder: Path, seconds: float, workers: int, connections: int
) -> dict:
    """Seed, serve and load one practice size; its figures."""
    began = time.perf_counter()
    practice = seed(size, db_url, folder)
    add_visits_table(practice.url)
    seeded = time.perf_counter() - began
    print(
        f"\n== {size}: {practice.couples} couples on {practice.url.split(':')[0]}, seeded in {seeded:.0f} s"
    )
    made = practice.notes
    print(f"   session notes: {made['notes']} by the measured counselor ({made['drafts']} drafts, "
          f"{made['addenda']} addenda), {made['other_notes']} by the others, seeded in "
          f"{made['seconds']:.0f} s; {made['matches']} hold the search words {made['words']!r}")
    counter = Counter(settings(Path(practice.instance), practice.url))
    server = Server(practice, workers)
    try:
        counselor = practice.counselors[0]
        browsers = {
            "counselor": sign_in(
                server.base, counselor["email"], lambda: totp(counselor["secret"], counter.app)
            ),
            "partner": sign_in(server.base, practice.partner),
        }
        found = split(counter.app)
        ids = practice.ids
        runs = _prepare(found.pages, browsers, server.base, ids)
        bare_path = f"/bare/read?couple={ids['couple']}&bytes={runs['couple page']['bytes']}"
        audited_path = bare_path.replace("/bare/read", "/bare/audited")
        floor_path = bare_path.replace("/bare/read", "/bench/floor")
        anyone = browsers["partner"]

        everything = [(run["browser"], run["method"], run["path"], run["body"])
                      for name, run in runs.items() if name not in budget.OWN_BUDGET]
        # The note search decrypts the whole caseload each time (a second or more at L): a few of
        # them beside each thousand, so memory is read after it has run, without minutes of warm-up.
        searches = [(run["browser"], run["method"], run["path"], run["body"])
                    for name, run in runs.items() if name in budget.OWN_BUDGET]
        send(server.base, everything, THOUSAND)  # the first thousand requests: imports, caches, pools
        send(server.base, searches, SEARCHES if searches else 0)
        memory_first = server.memory()
        figures: dict = {
            "couples": practice.couples,
            "seed_seconds": round(seeded, 1),
            "notes": practice.notes,
            "pages": {},
            "bare": {"read": [], "audited": [], "floor": []},
        }

        def bare_runs():
            for name, path in (("read", bare_path), ("audited", audited_path), ("floor", floor_path)):
                result = wrk(server.base, [(anyone, "GET", path, "")], seconds, connections)
                figures["bare"][name].append(rounded(result))
                _line("signed-in floor" if name == "floor" else f"bare {name}", result, None)

        bare_runs()
        for name, run in runs.items():
            result = wrk(
                server.base,
                [(run["browser"], run["method"], run["path"], run["body"])],
                seconds,
                connections,
                expect=run["expect"],
                # A search over 1,200 notes, four connections queued on two workers, on a busy machine.
                timeout=60 if name in budget.OWN_BUDGET else 10,
            )
            sql = counter.count(run["browser"].headers(), run["method"], run["path"], run["body"])
            figures["pages"][name] = {
                **rounded(result),
                "sql": sql,
                "bytes": run["bytes"],
                "method": run["method"],
            }
            _line(name, result, sql)
        bare_runs()
        send(server.base, everything, THOUSAND)  # the last thousand
        send(server.base, searches, SEARCHES if searches else 0)
        memory_last = server.memory()
        figures["memory"] = _memory(memory_first, memory_last)
        figures["pdfs"] = pdfs.measure(counter.app, counter.client, found.pdfs,
                                       lambda who: browsers[who].headers(), ids)
        for name, pdf_figures in figures["pdfs"].items():
            print(f"   {name:<22} cold {pdf_figures['cold_ms']:>6.0f} ms  cached "
                  f"{pdf_figures['cached_ms']:>5.1f} ms  raw WeasyPrint {pdf_figures['raw_ms']:>6.0f} ms")
        if "worksheet" in ids:
            figures["autosave"] = autosave.measure(counter.client, browsers["partner"].headers(), ids)
            saving = figures["autosave"]
            print(f"   worksheet autosave in-process: a save that writes {saving['write_ms']:.1f} ms, "
                  f"the same answers again {saving['same_answers_ms']:.1f} ms")
        if "notes.search" in counter.app.view_functions:
            figures["note_search"] = notes.measure(counter.app, counselor["email"])
            finding = figures["note_search"]
            print(f"   note search in-process: median {finding['median_ms']:.0f} ms of {finding['rounds']} "
                  f"(budget {finding['budget_ms']} ms at L), {finding['notes_searched']} notes decrypted, "
                  f"{finding['found']} found")
        figures["missing"] = found.missing
        for kind in ("read", "audited", "floor"):
            figures["bare"][f"{kind}_rps"] = round(
                statistics.mean(r["rps"] for r in figures["bare"][kind]), 1
            )
        print(
            f"   worker memory: peak {figures['memory']['peak_mib']:.0f} MiB, growth "
            f"{figures['memory']['growth'] * 100:+.1f}% from after the first thousand requests "
            "to after the last thousand"
        )
        return figures
    finally:
        server.stop()
        counter.close()


def _prepare(pages, browsers: dict, base: str, ids: dict) -> dict:
    """Each page's request as wrk will send it, checked once; the setup steps taken first."""
    runs = {}
    for page in pages:
        browser = browsers[page.who]
        if page.setup == "search":
            browser = _searching(browser, base, "/couples/", SEARCH_WORDS)
        elif page.setup == "note-search":
            browser = _searching(browser, base, "/notes/", notes.SEARCH_WORDS)
            notes.check_page(browser.session.get(base + page.path, allow_redirects=False).text)
        path = page.path.format(**ids)
        size = check(browser, base, page.method, path, page.body, page.expect)
        runs[page.name] = {
            "browser": browser,
            "method": page.method,
            "path": path,
            "body": page.body,
            "expect": page.expect,
            "bytes": size,
        }
    return runs


def _searching(browser, base: str, form: str, words: str):
    """A copy of ``browser`` that posted ``words`` to the search form at ``form`` (kept in its session)."""
    from requests import Session

    from bench.load import Browser

    copy = Browser(Session(), browser.csrf)
    copy.session.cookies.update(browser.session.cookies)
    copy.session.post(
        base + form, data={"q": words, "csrf_token": browser.csrf}, allow_redirects=False
    )
    return copy


def _memory(first: dict, last: dict) -> dict:
    """Peak resident memory of a worker, and the largest growth between the two readings."""
    growth = max(last[pid]["rss"] / first[pid]["rss"] - 1 for pid in first if pid in last)
    return {
        "first_mib": round(max(v["rss"] for v in first.values()), 1),
        "last_mib": round(max(v["rss"] for v in last.values()), 1),
        "peak_mib": round(max(v["peak"] for v in last.values()), 1),
        "growth": round(growth, 4),
    }


def _line(name: str, result: dict, sql) -> None:
    """Print one measured row."""
    places = 1 if result["rps"] < 10 else 0  # a search over the whole caseload runs at a few a second
    print(
        f"   {name:<22} {result['rps']:>8.{places}f} req/s  p50 {result['p50']:>6.1f} ms  "
        f"p99 {result['p99']:>6.1f} ms" + (f"  {sql:>2} SQL" if sql is not None else "")
    )


def postgres_reachable(url: str) -> bool:
    """Whether the PostgreSQL server of ``url`` answers."""
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def main() -> None:
    """Measure every size, then concurrency; write and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default="sqlite", help="a PostgreSQL URL to run the sizes on (default SQLite)"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL concurrency runs")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--sizes", default="S,L")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    began = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="securebase-bench-"))
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {
            "db": "sqlite" if args.db == "sqlite" else "postgresql",
            "seconds": args.seconds,
            "workers": args.workers,
            "connections": args.connections,
        },
        "sizes": {},
    }
    for size in filter(None, args.sizes.split(",")):
        results["sizes"][size] = measure_size(
            size, args.db, folder, args.seconds, args.workers, args.connections
        )
    if not args.no_pg and postgres_reachable(args.pg):
        results["concurrency"] = concurrency.measure(args.pg, folder)
    else:
        print("\nSkipping the PostgreSQL concurrency runs (no server, or --no-pg)")
    results["ratios"] = budget.ratios(results)
    results["budget"] = budget.verdicts(results["ratios"])
    results["seconds"] = round(time.perf_counter() - began)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print()
    print(budget.table(results))
    print(f"\nWrote {args.out} in {results['seconds']} s")


if __name__ == "__main__":
    main()
