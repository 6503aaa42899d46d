"""Session notes as PDFs (issue 10, item 8; templates/pdf/note.html): one note, or a records copy of
every signed note, each page marked confidential and numbered, tagged, and read by the author alone.

The cast is SECURITY.md's (tests/conftest.py ``world``): counselor X with couple 1 (Pat, Bea),
counselor Y with couple 2. A few PDFs per test: the PDF helper process is shared by the whole suite.
"""

import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import update

from practice import crypto
from practice.clock import utcnow
from practice.extensions import db
from practice.notes import access, formats, services
from practice.notes.handouts import time_text
from practice.notes.models import Modality, SessionNote
from tests.conftest import PASSWORD, events_since, last_seq

CONFIDENTIAL = "Confidential: psychotherapy notes"
DRAFT = "Draft — not signed"
#: What a counselor might paste into a note (SECURITY.md I3): markup reaching for a local file, an
#: attachment, a device as a CSS image, a right-to-left override, and names in two scripts.
HOSTILE = ("<img src=file:///etc/passwd> <a rel=attachment href=file:///etc/passwd>open me</a> "
           "<div style=\"background: url(/dev/urandom)\">bg</div> \u202eright to left\u202c "
           "Анна, O'Brien")
LONG_WORD = "z" * 3000


def words_of(document: bytes) -> str:
    """The PDF's text as pypdf reads it, pages joined, every run of whitespace made one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split())


def page_texts(document: bytes) -> list[str]:
    """The text of each page as poppler's pdftotext reads it, runs of spaces made one."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=document, capture_output=True, check=True)
    return [" ".join(page.split()) for page in out.stdout.decode().split("\f")[:-1]]


def squeezed(text: str) -> str:
    """Text without any whitespace: a hash broken across lines reads as one word again."""
    return "".join(text.split())


def pdf_of(response) -> bytes:
    """A PDF download's bytes, after checking it is one, sent to be saved and never cached."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="session-note')
    assert "no-store" in response.headers["Cache-Control"]
    return response.data


def assert_safe(document: bytes) -> None:
    """No file content, attachment, image or link to a file made it into the PDF (SECURITY.md I3)."""
    reader = PdfReader(io.BytesIO(document))
    assert not reader.attachments
    assert b"root:x:0:0" not in document
    assert b"/EmbeddedFile" not in document and b"/FileAttachment" not in document
    assert b"file:///etc" not in document and b"/dev/urandom" not in document
    assert not [image for page in reader.pages for image in page.images]


def assert_tagged(document: bytes) -> None:
    """A tagged PDF: marked content with a structure tree, as PDF/UA asks."""
    root = PdfReader(io.BytesIO(document)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root


def write_note(app, couple, author, day: date, sections: dict, *, sign=True, addenda=(), note_format="dap"):
    """A note written through the services, signed and given addenda unless told otherwise."""
    with app.test_request_context():
        details = {"session_on": day, "minutes": 50, "attended": "both", "modality": Modality.video}
        note = services.start(couple.id, author, formats.formats()[note_format], details)
        db.session.flush()
        services.save_draft(note, note.version, sections=sections)
        if sign:
            services.sign(note, author, PASSWORD)
            for minutes, body in enumerate(addenda, start=1):  # a minute apart, so their order is known
                with time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=False):
                    services.add_addendum(note, author, body, PASSWORD)
        db.session.commit()
    return note


def paragraphs(label: str, count: int) -> str:
    """Many lines of plain words, enough to run a note over several pages."""
    line = "the couple talked about the week, the dishes, the visit to her mother and what each of them heard"
    return "\n\n".join(f"{label} paragraph {i}: {line} in the other's silence." for i in range(count))


@pytest.fixture
def x_browser(world, new_client):
    """Counselor X, signed in."""
    browser = new_client()
    browser.auth.login(world["X"])
    return browser


def note_url(couple, note) -> str:
    """The download address of one note."""
    return f"/couples/{couple.id}/notes/{note.id}.pdf"


def all_url(couple) -> str:
    """The download address of a couple's records copy."""
    return f"/couples/{couple.id}/notes/all.pdf"


def test_a_long_signed_note_is_marked_and_numbered_on_every_page_with_its_signature_and_addenda(
        app, world, x_browser):
    couple, x = world["couple1"], world["X"]
    note = write_note(app, couple, x, date(2026, 3, 3), {
        "data": paragraphs("Data", 40), "assessment": paragraphs("Assessment", 25), "plan": "Meet weekly."},
        addenda=["Pat called on Thursday to move the next session.", "A second thought, signed later."])
    seq = last_seq()
    document = pdf_of(x_browser.get(note_url(couple, note)))
    assert_tagged(document)
    pages = page_texts(document)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert CONFIDENTIAL in text, f"page {number} has no confidential mark"
        assert f"Page {number} of {len(pages)}" in text, f"page {number} has no page number"
        assert DRAFT not in text
    text = words_of(document)
    db.session.refresh(note)
    signed = time_text(note.signed_at)
    assert f"Signed electronically by Counselor X on {signed} · Content hash (SHA-256):" in text
    assert re.fullmatch(r"\d{1,2} \w+ 2\d{3} at \d\d:\d\d UTC", signed)
    addenda = access.addenda_of([note.id])[note.id]
    assert note.content_hash in squeezed(text)
    for addendum in addenda:
        assert addendum.content_hash in squeezed(text)
    assert "Addendum 1" in text and "Pat called on Thursday to move the next session." in text
    assert "Addendum 2" in text and "A second thought, signed later." in text
    assert text.index("Pat called on Thursday") < text.index("A second thought")
    assert "Data paragraph 39" in text and "Assessment paragraph 24" in text and "Meet weekly." in text
    for words in ("Counselor X", "SecureBase practice", "3 March 2026", "50 minutes", "Both partners",
                  "Video", "DAP"):
        assert words in text, words
    assert "no longer match" not in text
    events = events_since(seq)
    assert [(e.action, e.object_type, e.object_id, e.couple_id, e.outcome) for e in events] == [
        ("note.pdf", "session_note", str(note.id), couple.id, "ok")]


def test_a_draft_prints_marked_not_signed_on_every_page(app, world, x_browser):
    couple, x = world["couple1"], world["X"]
    note = write_note(app, couple, x, date(2026, 3, 10), {"data": paragraphs("Draft", 45)}, sign=False)
    response = x_browser.get(note_url(couple, note))
    assert response.headers["Content-Disposition"].endswith('-draft.pdf"')
    document = pdf_of(response)
    pages = page_texts(document)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert CONFIDENTIAL in text and DRAFT in text and f"Page {number} of {len(pages)}" in text
    text = words_of(document)
    assert "Signed electronically" not in text and "Content hash" not in text
    assert "Nothing written." in text  # assessment and plan are still empty


def test_hostile_words_print_as_written_and_fetch_nothing(app, world, x_browser):
    couple, x = world["couple1"], world["X"]
    app.config["PRACTICE_NAME"] = "Harbour & O'Brien <Counselling>"
    note = write_note(app, couple, x, date(2026, 3, 17),
                      {"data": HOSTILE, "assessment": LONG_WORD, "plan": "url(/dev/urandom) Анна"},
                      addenda=[HOSTILE])
    for url in (note_url(couple, note), all_url(couple)):
        document = pdf_of(x_browser.get(url))
        assert_safe(document)
        assert_tagged(document)
        text = words_of(document)
        for piece in ("<img src=file:///etc/passwd>", "<a rel=attachment href=file:///etc/passwd>open me</a>",
                      '<div style="background: url(/dev/urandom)">bg</div>', "Анна, O'Brien",
                      "Harbour & O'Brien <Counselling>"):
            assert piece in text, piece
        assert "thgir" in text or "right to left" in text  # the override's words are drawn, in their own run
        # Wrapped across lines, never cut off at the margin: every letter of the long word is there.
        assert sum(len(run) for run in re.findall(r"z{20,}", squeezed(text))) == len(LONG_WORD)


def test_the_records_copy_has_every_signed_note_oldest_first_and_no_draft(app, world, x_browser, make_user):
    couple, x = world["couple1"], world["X"]
    later = write_note(app, couple, x, date(2026, 4, 7), {"data": "Fourth session: the visit went well."},
                       addenda=["Added after the April session."])
    first = write_note(app, couple, x, date(2026, 3, 3), {"note": "First session: getting to know them."},
                       note_format="free")
    middle = write_note(app, couple, x, date(2026, 3, 24), {"subjective": "Third session: a hard week."},
                        note_format="soap")
    write_note(app, couple, x, date(2026, 4, 14), {"data": "An unsigned draft about April."}, sign=False)
    # A note another counselor wrote for this couple (before a transfer, say) is theirs, not X's.
    write_note(app, couple, world["Y"], date(2026, 3, 10), {"data": "Y wrote this one."})
    seq = last_seq()
    response = x_browser.get(all_url(couple))
    document = pdf_of(response)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="session-notes-')
    assert_tagged(document)
    text = words_of(document)
    order = [text.index(words) for words in (
        "First session: getting to know them.", "Third session: a hard week.",
        "Fourth session: the visit went well.", "Added after the April session.")]
    assert order == sorted(order)
    assert "An unsigned draft" not in text and DRAFT not in text and "Y wrote this one." not in text
    for words in ("Records copy", "SecureBase practice", "Counselor X", couple.label,
                  "3 March 2026 to 7 April 2026", "3 signed notes, 1 addendum", "Contents",
                  "Session note 1 of 3", "Session note 3 of 3"):
        assert words.upper() in text.upper(), words  # eyebrows are set in capitals
    for note in (first, middle, later):
        db.session.refresh(note)
        assert note.content_hash in squeezed(text)
        assert f"Signed electronically by Counselor X on {time_text(note.signed_at)}" in text
    pages = page_texts(document)
    assert len(pages) == 4  # the cover, then each note from a new page
    for number, page in enumerate(pages, start=1):
        assert CONFIDENTIAL in page and f"Page {number} of 4" in page
    assert "Session of 24 March 2026 · Note 2 of 3" in pages[2]  # each note's own footer
    # The contents give each note's page.
    assert re.search(r"3 March 2026 Free form .*? 0 2 24 March 2026 SOAP .*? 0 3 7 April 2026 DAP .*? 1 4",
                     pages[0])
    events = events_since(seq)
    assert [(e.action, e.object_type, e.object_id, e.couple_id) for e in events] == [
        ("notes.pdf", "couple", str(couple.id), couple.id)]


def test_a_records_copy_with_no_signed_notes_still_prints_and_says_so(app, world, x_browser):
    couple, x = world["couple1"], world["X"]
    write_note(app, couple, x, date(2026, 3, 3), {"data": "Only a draft."}, sign=False)
    document = pdf_of(x_browser.get(all_url(couple)))
    assert_tagged(document)
    text = words_of(document)
    assert "There are no signed session notes for this couple by Counselor X." in text
    assert "0 signed notes" in text and "Only a draft." not in text
    assert CONFIDENTIAL in text and "Page 1 of 1" in text


def test_a_note_whose_words_no_longer_match_its_hash_says_so(app, world, x_browser):
    couple, x = world["couple1"], world["X"]
    note = write_note(app, couple, x, date(2026, 3, 3), {"data": "What was said."}, addenda=["A later word."])
    # Someone changes the stored words outside SecureBase (a bulk update skips the flush guard).
    forged = crypto.encrypt('{"assessment": "", "data": "What was never said.", "plan": ""}',
                            services.note_context(note))
    db.session.execute(update(SessionNote).where(SessionNote.id == note.id).values(sealed=forged))
    db.session.commit()
    for url in (note_url(couple, note), all_url(couple)):
        text = words_of(pdf_of(x_browser.get(url)))
        assert "The words of this note no longer match its signature." in text
        assert "What was never said." in text
        assert text.count("The words above no longer match this hash.") == 1  # the note's, not the addendum's
        assert "The words of this addendum no longer match" not in text
    assert "1 part of this copy no longer matches its signature." in text  # on the records copy's cover


def test_only_the_author_prints_a_note(app, world, new_client, client):
    couple, x = world["couple1"], world["X"]
    note = write_note(app, couple, x, date(2026, 3, 3), {"data": "Private words."})
    y_note = write_note(app, world["couple2"], world["Y"], date(2026, 3, 3), {"data": "Y's words."})
    y = new_client()
    y.auth.login(world["Y"])
    seq = last_seq()
    for url in (note_url(couple, note), all_url(couple), note_url(world["couple2"], note)):
        assert y.get(url).status_code == 404
    events = events_since(seq)
    assert [e.action for e in events] == ["access.denied"] * 3 and all(e.outcome == "denied" for e in events)
    x_browser = new_client()
    x_browser.auth.login(x)
    # X's couple with Y's note in the address, and X's note under Y's couple: the same 404.
    assert x_browser.get(note_url(couple, y_note)).status_code == 404
    assert x_browser.get(note_url(world["couple2"], note)).status_code == 404
    for partner in ("P1A", "P1B"):
        browser = new_client()
        browser.auth.login(world[partner])
        for url in (note_url(couple, note), all_url(couple)):
            assert browser.get(url).status_code == 403
    response = client.get(note_url(couple, note))
    assert response.status_code in (302, 401) and b"Private words" not in response.data
