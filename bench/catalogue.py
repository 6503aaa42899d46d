"""What `make bench` measures: every page and write a counselor or partner uses most, and each PDF.

A feature adds its own entries here when it lands (with what it seeds in ``bench.seed``). Until a
page's endpoint exists in the app, the bench names it as missing instead of measuring it.

PDFs are measured once ``practice/pdf.py`` exists (the habits issue builds it): each PDF is fetched
cold (its cache emptied) and cached, and the exact HTML that ``pdf.py`` handed to WeasyPrint is
rendered again by raw ``weasyprint.HTML(string=...).write_pdf()`` in the same run. So ``pdf.py``
makes every PDF through one function the bench can wrap to capture that HTML.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One page or write under load: who asks for it, where, and what it sends."""

    name: str
    who: str  # "counselor" or "partner": whose signed-in browser sends it
    endpoint: str  # the Flask endpoint it needs; missing from the app means "not built yet"
    path: str  # formatted with the seeded practice's ids, e.g. "/couples/{couple}"
    method: str = "GET"
    body: str = ""  # sent as JSON with the session's CSRF token when there is one
    expect: int = 200
    setup: str = ""  # a step the browser takes first, e.g. "search" posts the caseload search
    issue: str = ""  # the issue that builds it, named while it is missing


@dataclass(frozen=True)
class Pdf:
    """One PDF handout: fetched cold and cached, and its HTML rendered by raw WeasyPrint."""

    name: str
    who: str
    endpoint: str
    path: str
    issue: str = ""
    blank: bool = False  # a blank handout has no cached repeat worth measuring apart


PAGES = [
    Page("caseload", "counselor", "couples.caseload", "/couples/"),
    Page("caseload search", "counselor", "couples.caseload", "/couples/?search=1", setup="search"),
    Page("couple page", "counselor", "couples.show", "/couples/{couple}"),
    Page("audit trail", "counselor", "couples.audit_trail", "/couples/{couple}/audit"),
    Page("portal home", "partner", "portal.home", "/portal/"),
    Page("api couple", "partner", "api.CoupleSummary", "/api/v1/couple"),
    Page("week page", "partner", "homework.week_page", "/portal/week", issue="#8 habits"),
    Page("habit log POST", "partner", "homework_api.HabitLogs", "/api/v1/habits/{habit}/logs", method="POST",
         body='{"count": 1}', expect=201, issue="#8 habits"),
    # The same answers again (what a retried autosave sends): read, decrypted, compared, kept. A save
    # that writes is timed in-process by bench.autosave, its version counting up.
    Page("worksheet autosave", "partner", "worksheets_api.Section",
         "/api/v1/worksheets/entries/{worksheet}/sections/own", method="PUT",
         body='{"version": 1, "answers": {"my_part": "I cut you off, Анна."}}', issue="#9 worksheets"),
    Page("worksheet fill page", "partner", "my_worksheets.fill", "/portal/worksheets/{worksheet}",
         issue="#9 worksheets"),
    Page("review page", "counselor", "worksheets.review", "/couples/{couple}/worksheets/entries/{worksheet}",
         issue="#9 worksheets"),
    Page("notes list", "counselor", "notes.list", "/couples/{couple}/notes", issue="#10 notes"),
    Page("note search", "counselor", "notes.search", "/notes/?search=1", setup="note-search",
         issue="#10 notes"),
]

PDFS = [
    Pdf("filled worksheet PDF", "partner", "worksheet_handouts.partner_filled",
        "/portal/worksheets/{worksheet}.pdf", issue="#9 worksheets"),
    Pdf("habit planner PDF", "partner", "homework.planner_pdf", "/portal/planner.pdf", issue="#8 habits"),
    Pdf("blank handout PDF", "counselor", "worksheet_handouts.blank",
        "/worksheets/repair_after_conflict/blank.pdf", issue="#9 worksheets", blank=True),
]


@dataclass
class Split:
    """The catalogue split into what the app has and what it does not have yet."""

    pages: list = field(default_factory=list)
    pdfs: list = field(default_factory=list)
    missing: list = field(default_factory=list)


def split(app) -> Split:
    """Sort the catalogue by whether the app has each entry's endpoint."""
    endpoints = set(app.view_functions)
    found = Split()
    for entry in [*PAGES, *PDFS]:
        if entry.endpoint not in endpoints:
            found.missing.append(f"{entry.name} ({entry.issue or entry.endpoint})")
        elif isinstance(entry, Pdf):
            found.pdfs.append(entry)
        else:
            found.pages.append(entry)
    return found
