"""Worksheet handouts as PDFs (templates/pdf/worksheet.html): every blank one prints as a tagged
workbook, and a filled one is made for its reader from entry_view alone (SECURITY.md Z4, I1-I3).

The cast is SECURITY.md's (tests/conftest.py ``world``): counselor X with couple 1, Pat (P1A) and
Bea (P1B). A few PDFs per test: the PDF helper process is shared by the whole suite.
"""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.extensions import db
from practice.worksheets import definitions, services
from practice.worksheets.models import Visibility, WorksheetEntry

DISCLAIMER = "An educational tool to use alongside your therapist. Not therapy, diagnosis or emergency help."
SAFETY_LINE = ("If you ever feel afraid of, controlled by or hurt by your partner, tell your counselor "
               "privately before doing this worksheet together.")
KEYS = sorted(definitions.load_folder())
#: What a partner might type: markup, a local file, a right-to-left override, names in three
#: scripts, and a word far wider than the page.
HOSTILE = ("<script>alert('x')</script> <img src=file:///etc/passwd> "
           "\u202eright to left\u202c Анна, José, O'Brien")
LONG_WORD = "y" * 5000
PAT_DRAFT = "Pat's private draft: I was scared"
BEA_DRAFT = "Bea's private draft: I keep this to myself"


def words_of(document: bytes) -> str:
    """The PDF's text, pages joined, every run of whitespace made one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split())


def pdf_of(response) -> bytes:
    """A PDF download's bytes, after checking it is one."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    return response.data


def assert_safe(document: bytes) -> None:
    """No file content, attachment or link to a file made it into the PDF (SECURITY.md I3)."""
    assert b"root:x:0:0" not in document
    assert b"/EmbeddedFile" not in document and b"/FileAttachment" not in document
    assert b"file:///etc" not in document


@pytest.mark.parametrize("key", KEYS)
def test_every_blank_worksheet_prints_as_a_tagged_workbook(app, runner, tmp_path, key):
    worksheet = definitions.get(key)
    out = tmp_path / f"{key}.pdf"
    result = runner.invoke(args=["worksheets", "pdf", key, "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = out.read_bytes()
    root = PdfReader(io.BytesIO(document)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    text = words_of(document)
    for words in (worksheet.title, f"About {worksheet.est_minutes} minutes", DISCLAIMER, "Page 1 of",
                  *(" ".join(section.title.split()) for section in worksheet.sections),
                  *(field.label for section in worksheet.sections for field in section.fields)):
        assert words in text, f"{key}: {words!r} is missing"
    if worksheet.closing:
        assert " ".join(worksheet.closing.split()) in text
    # The handout goes to both partners in the room: never the private safety question itself.
    assert "Are you ever afraid" not in text
    assert (SAFETY_LINE in text) == worksheet.safety_check


def test_a_blank_handout_marks_joint_parts_locks_and_conditions_and_fits_letter(app, runner, tmp_path):
    out = tmp_path / "repair.pdf"
    assert runner.invoke(args=["worksheets", "pdf", "repair_after_conflict", "-o", str(out),
                               "--paper", "Letter"]).exit_code == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert [round(float(reader.pages[0].mediabox[i])) for i in (2, 3)] == [612, 792]
    text = words_of(out.read_bytes())
    assert "TOGETHER" in text.upper() and "Agreed by" in text  # the tag is set in capitals
    assert "Do this part after you have both finished “Propose a do-over”." in text
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in text
    out = tmp_path / "boundaries.pdf"
    assert runner.invoke(args=["worksheets", "pdf", "boundaries", "-o", str(out)]).exit_code == 0
    text = words_of(out.read_bytes())
    assert "YOUR PARTNER ANSWERS THIS PART" in text.upper()
    assert "Answer if “When” is “At a set time”." in text
    assert "Circle one, or write your own." in text and "predictability" in text and "grateful" in text


# ---- filled handouts through the real pages ---------------------------------------------------


def own_answers(secret: str) -> dict:
    """A partner's own parts of the repair worksheet, by section, every required answer given."""
    return {"ready": {"calm": 6, "go": "yes"},
            "moment": {"when": "2026-11-28", "camera": "After dinner, raised voices about the dishes."},
            "own": {"my_part": secret, "under": "hurt"},
            "impact": {"effect": "You felt alone with it.", "checked": "partly"},
            "validate": {"makes_sense": "It makes sense you went quiet."},
            "do_over": {"next_time": "Ask for ten minutes.", "cue": "My jaw tightens."},
            "after": {"connected": 7}}


def write(app, entry, couple_id, partner_id, answers: dict, version: int = 0) -> None:
    """Save a partner's answers section by section, as private drafts."""
    worksheet = definitions.get("repair_after_conflict")
    with app.test_request_context():
        for key, raw in answers.items():
            services.save_section(entry, couple_id, worksheet.section(key), partner_id, raw, version)
    db.session.commit()


@pytest.fixture
def repair(app, world, new_client):
    """X gave couple 1 the repair worksheet; Pat wrote his parts as a private draft, Bea one part.

    Each of them is signed in in their own browser; ``url`` is each one's download of the entry.
    """
    couple = world["couple1"]
    pat, bea = couple.partners
    with app.test_request_context():
        assignment = services.assign(couple.id, definitions.get("repair_after_conflict"),
                                     {"note": "For Pat & Bea <b>before Tuesday</b>"})
    db.session.commit()
    entry = db.session.scalars(select(WorksheetEntry).filter_by(assignment_id=assignment.id)).one()
    write(app, entry, couple.id, pat.id, own_answers(f"{PAT_DRAFT}. {HOSTILE}"))
    write(app, entry, couple.id, bea.id, {"own": {"my_part": BEA_DRAFT}})
    browsers = {"pat": new_client(), "bea": new_client(), "x": new_client()}
    for who, user in (("pat", "P1A"), ("bea", "P1B"), ("x", "X")):
        browsers[who].auth.login(world[user])
    own = f"/portal/worksheets/{entry.id}.pdf"
    url = {"pat": own, "bea": own, "x": f"/couples/{couple.id}/worksheets/entries/{entry.id}.pdf"}
    return {"entry": entry, "couple": couple, "pat_id": pat.id, "browsers": browsers, "url": url}


def download(repair, who: str) -> bytes:
    """``who``'s copy of the entry: "pat", "bea" or "x" (the counselor)."""
    return pdf_of(repair["browsers"][who].get(repair["url"][who]))


def test_a_partners_copy_prints_their_own_answers_as_text(app, repair):
    write(app, repair["entry"], repair["couple"].id, repair["pat_id"],
          {"moment": {"when": "2026-11-28", "camera": LONG_WORD}}, version=1)
    document = download(repair, "pat")
    assert_safe(document)
    text = words_of(document)
    assert "Pat One's copy" in text and DISCLAIMER in text and "Page 1 of" in text
    assert PAT_DRAFT in text and BEA_DRAFT not in text
    for piece in ("<script>alert('x')</script>", "<img src=file:///etc/passwd>", "Анна, José, O'Brien"):
        assert piece in text
    assert "thgir" in text or "right to left" in text  # the override's words are drawn, in its own run
    # Wrapped across lines and pages, never cut off: every letter of the long word is there.
    assert sum(len(run) for run in re.findall(r"y{20,}", "".join(text.split()))) == len(LONG_WORD)
    assert "For Pat & Bea <b>before Tuesday</b>" in text  # the counselor's note, as written
    assert "This part opens when you are both ready for it." in text


def test_a_private_draft_never_reaches_the_other_partner_or_the_counselor(app, repair):
    beas, counselors = download(repair, "bea"), download(repair, "x")
    for document in (beas, counselors):
        assert PAT_DRAFT not in words_of(document) and "alert(" not in words_of(document)
    assert BEA_DRAFT in words_of(beas)
    assert "Pat: still a private draft" in words_of(counselors)
    assert BEA_DRAFT not in words_of(counselors)

    # Pat submits, sharing the part he owns with Bea; the rest goes to the counselor only.
    worksheet = definitions.get("repair_after_conflict")
    with app.test_request_context():
        services.submit(repair["entry"], repair["couple"].id, worksheet, repair["pat_id"],
                        {"own": Visibility.couple})
    db.session.commit()
    beas, counselors = words_of(download(repair, "bea")), words_of(download(repair, "x"))
    assert PAT_DRAFT in beas and "Pat shared" in beas
    assert "It makes sense you went quiet." not in beas  # submitted to the counselor only
    assert PAT_DRAFT in counselors and "It makes sense you went quiet." in counselors
    assert BEA_DRAFT not in counselors and "Bea: still a private draft" in counselors
    assert BEA_DRAFT not in words_of(download(repair, "pat"))
