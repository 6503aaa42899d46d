"""PDF handouts against raw WeasyPrint on the same HTML, measured in-process in the same run.

Each PDF of ``bench.catalogue`` is fetched through the app as its reader's browser would (cookies
and all), cold (the PDF cache emptied first) and cached; ``practice.pdf.html_to_pdf`` is wrapped to
capture the exact HTML it was handed, which plain ``weasyprint.HTML(string=...).write_pdf()`` then
renders again. Medians of a few rounds, in milliseconds.
"""

import statistics
import time
from functools import partial

import weasyprint

ROUNDS = 15


def measure(app, client, entries, headers_of, ids: dict) -> dict:
    """Cold, cached and raw render times (ms) for each PDF entry, with their ratios."""
    from practice import pdf

    captured: list[str] = []
    original = pdf.html_to_pdf

    def capturing(html, **kwargs):
        captured.append(html)
        return original(html, **kwargs)

    figures = {}
    pdf.html_to_pdf = capturing
    try:
        for entry in entries:
            fetch = partial(client.get, entry.path.format(**ids), headers=headers_of(entry.who))
            figures[entry.name] = _one(app, fetch, captured)
    finally:
        pdf.html_to_pdf = original
    return figures


def _one(app, fetch, captured: list[str]) -> dict:
    """One PDF: cold and cached through the app, then its captured HTML by raw WeasyPrint."""
    from practice import pdf

    answer = fetch()
    assert answer.status_code == 200, f"{answer.request.path} answered {answer.status_code}"
    cold, cached = [], []
    for _ in range(ROUNDS):
        with app.app_context():
            pdf._store().clear()
        cold.append(_timed(fetch))
    for _ in range(ROUNDS):
        cached.append(_timed(fetch))
    raw_render = partial(weasyprint.HTML(string=captured[-1], base_url=pdf.STATIC_URL).write_pdf)
    raw = [_timed(raw_render) for _ in range(ROUNDS)]
    medians = {name: statistics.median(values) for name, values in
               (("cold_ms", cold), ("cached_ms", cached), ("raw_ms", raw))}
    return {**{name: round(value, 1) for name, value in medians.items()},
            "cold_vs_raw": round(medians["cold_ms"] / medians["raw_ms"], 3),
            "cached_vs_raw": round(medians["cached_ms"] / medians["raw_ms"], 3), "bytes": len(answer.data)}


def _timed(action) -> float:
    """Milliseconds one call takes."""
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000
