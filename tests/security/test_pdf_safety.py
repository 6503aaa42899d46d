"""PDF safety: SECURITY.md I2-I6 for practice/pdf.py.

Each probe that must find nothing is first shown to find something where it should: the same
hostile HTML rendered by WeasyPrint's own default fetcher does reach the canary server, embed the
secret file and draw the outside image, so "nothing" from ours means the fetcher stopped it.
"""

import http.server
import io
import os
import threading
import time
from pathlib import Path

import pytest
import weasyprint
from jinja2 import ChoiceLoader, FileSystemLoader
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import StreamObject

from practice import pdf
from practice.extensions import db
from tests.test_pdf import TEMPLATES, handout, text_of

SECRET = "SECRET-MARKER-7f3a9c"


@pytest.fixture
def pdf_app(app):
    """The app, also finding the test-only PDF templates."""
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(TEMPLATES), app.jinja_env.loader])
    return app


@pytest.fixture
def outside(tmp_path):
    """Files outside practice/static a hostile document reaches for: a text file and an image."""
    text = tmp_path / "secret.txt"
    text.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n")
    image = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), (200, 30, 30)).save(image)
    return {"text": text.as_uri(), "image": image.as_uri()}


class Canary(http.server.BaseHTTPRequestHandler):
    """Counts every request; answers each with a small stylesheet."""

    hits: list[str]

    def do_GET(self):
        self.hits.append(self.path)
        body = b"p { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that records the requests it gets (SECURITY.md I4)."""
    handler = type("Handler", (Canary,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "hits": handler.hits}
    server.shutdown()
    server.server_close()
    thread.join()


def probes(file_url: str, image_url: str, css_url: str) -> str:
    """HTML that asks for a file, an image and a stylesheet in every way WeasyPrint loads things."""
    return f"""<html><head>
      <link rel="stylesheet" href="{css_url}">
      <link rel="attachment" href="{file_url}" title="document-level attachment">
      <style>
        @import url("{css_url}");
        @font-face {{ font-family: probe; src: url("{file_url}"); }}
        body {{ background-image: url("{image_url}"); font-family: probe; }}
        h1::before {{ content: url("{image_url}"); }}
      </style></head><body>
      <h1>Probe</h1>
      <img src="{image_url}" alt="img">
      <object data="{image_url}" type="image/png">object</object>
      <embed src="{image_url}" type="image/png">
      <svg width="40" height="40"><image href="{image_url}" width="40" height="40"/></svg>
      <p style="list-style-image: url('{image_url}')">inline style</p>
      <a rel="attachment" href="{file_url}">an attachment link</a>
    </body></html>"""


def inventory(document: bytes) -> dict:
    """What a PDF carries: attachments, images, and whether any stream holds the secret."""
    reader = PdfReader(io.BytesIO(document))
    streams = []
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            streams.append(obj.get_data())
    return {
        "attachments": dict(reader.attachments),
        "file_annotations": [a for page in reader.pages for a in (page.get("/Annots") or [])
                             if a.get_object().get("/Subtype") == "/FileAttachment"],
        "images": [image for page in reader.pages for image in page.images],
        "secret": any(SECRET.encode() in data or b"root:x:0:0" in data for data in streams),
    }


# I2, I3: what a person writes is text, in every field of a handout.

HOSTILE = [
    "<img src=file:///etc/passwd>",
    "<a rel=attachment href=file:///etc/passwd>open me</a>",
    '<div style="background: url(/dev/urandom)">bg</div>',
    "<style>@import url(file:///etc/passwd); body { background: url(/dev/urandom) }</style>",
    "</div></body><link rel=attachment href=file:///etc/shadow>",
]


@pytest.mark.parametrize("answer", HOSTILE, ids=["img", "attachment", "css-url", "style", "breakout"])
def test_hostile_answers_print_as_text_and_fetch_nothing(pdf_app, answer):
    started = time.monotonic()
    document = pdf.render("test_handout.html", handout(
        names=[answer, "José"], counselor=answer, answers=[(answer, answer)]))
    assert time.monotonic() - started < 15
    found = inventory(document)
    assert not found["attachments"] and not found["file_annotations"] and not found["images"]
    assert not found["secret"]
    assert "".join(answer.split()) in "".join(text_of(document).split())  # shown, as written


# I3, I5: even HTML that escaped the template's autoescaping loads nothing from outside static.

def test_the_default_fetcher_would_have_leaked_so_the_probe_can_see_a_leak(outside, canary):
    html = probes(outside["text"], outside["image"], canary["url"] + "/x.css")
    document = weasyprint.HTML(string=html).write_pdf()
    found = inventory(document)
    assert found["attachments"] and found["images"] and found["secret"]
    assert canary["hits"]


def test_raw_html_reaching_outside_static_gets_nothing(app, outside):
    document = pdf.html_to_pdf(probes(outside["text"], outside["image"], outside["text"]))
    found = inventory(document)
    assert found == {"attachments": {}, "file_annotations": [], "images": [], "secret": False}


def test_system_files_and_devices_are_not_read_and_the_render_ends(app):
    started = time.monotonic()
    document = pdf.html_to_pdf(
        probes("file:///etc/passwd", "/dev/urandom", "file:///dev/zero")
        + '<p style="background: url(../../../../../../dev/random)">relative</p>')
    assert time.monotonic() - started < 15
    found = inventory(document)
    assert not found["attachments"] and not found["images"] and not found["secret"]


# I4: nothing goes out over the network while a PDF renders.

def test_a_canary_server_hears_nothing_while_pdfs_render(pdf_app, canary):
    url = canary["url"]
    pdf.html_to_pdf(probes(url + "/file", url + "/image.png", url + "/style.css"))
    pdf.html_to_pdf(f'<base href="{url}/"><link rel="stylesheet" href="relative.css"><img src="a.png">')
    pdf.render("test_handout.html", handout(answers=[("Link", f'<img src="{url}/answer.png">')]))
    assert canary["hits"] == []


# I5: the fetcher itself.

STATIC = pdf.STATIC.as_uri()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.css",
    "https://example.com/fonts/x.ttf",
    "ftp://example.com/x",
    "data:text/css,p{color:red}",
    "file:///etc/passwd",
    "file:///dev/urandom",
    f"{STATIC}/../../pyproject.toml",
    f"{STATIC}/%2e%2e/%2e%2e/pyproject.toml",
    f"{STATIC}/css/../../config.py",
    f"file://evil.example{pdf.STATIC}/css/pdf.css",
    STATIC,
    f"{STATIC}/fonts",
    f"{STATIC}/css/missing.css",
    "/etc/passwd",
    "css/pdf.css",
])
def test_the_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(ValueError, match="refused"):
        pdf.StaticFetcher().fetch(url)


@pytest.mark.parametrize(("name", "mime"), [
    ("css/pdf.css", "text/css"), ("fonts/NotoSans-Regular.ttf", "font/ttf"), ("favicon.svg", "image/svg+xml"),
])
def test_the_fetcher_serves_static_files_and_fonts_from_disk(name, mime):
    response = pdf.StaticFetcher().fetch(pdf.static_url(name))
    assert response.read() == (pdf.STATIC / name).read_bytes()
    assert response.content_type == mime
    response.close()


def test_a_symlink_out_of_static_is_refused(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p {}")
    (tmp_path / "private.txt").write_text(SECRET)
    (static / "link.css").symlink_to(tmp_path / "private.txt")
    monkeypatch.setattr(pdf, "STATIC", static.resolve())
    assert pdf.StaticFetcher().fetch((static / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(ValueError, match="refused"):
        pdf.StaticFetcher().fetch((static / "link.css").as_uri())


def test_urllib_style_use_goes_through_the_same_check():
    with pytest.raises(ValueError, match="refused"):
        pdf.StaticFetcher().open("http://127.0.0.1:9/")


def test_the_helper_process_gets_none_of_the_apps_secrets(monkeypatch):
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", '{"k9": "not-for-the-helper"}')
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret@db/practice")
    helper = pdf._Helper()
    try:
        environment = Path(f"/proc/{helper.process.pid}/environ").read_bytes()
        assert b"not-for-the-helper" not in environment and b"secret@db" not in environment
        assert b"TMPDIR=" + helper.folder.encode() in environment
    finally:
        helper.stop()


# I6: a pathological document hits the time limit; the next render and the server carry on.

@pytest.fixture
def app_config(app_config):
    """A short render time limit, so the pathological documents stop quickly."""
    app_config["PDF_TIME_LIMIT_SECONDS"] = 3
    return app_config


def helper_pid() -> int:
    """The process id of the idle PDF helper the next render will use."""
    return pdf._idle[-1].process.pid


def gone(pid: int, within: float = 5) -> bool:
    """Whether a process has ended (and been reaped) within some seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(("depth", "paragraphs", "error"), [
    (0, 4000, "took longer than 3 seconds"),
    # WeasyPrint lays boxes out recursively: past Python's recursion limit it stops by itself, sooner.
    (400, 400, "took longer than 3 seconds|RecursionError"),
], ids=["huge text", "deep nesting"])
def test_a_pathological_document_is_stopped_and_the_server_lives_on(
        pdf_app, client, depth, paragraphs, error):
    pdf.render("test_handout.html", handout())  # a helper is up and idle
    pid = helper_pid()
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match=error):
        pdf.render("test_pathological.html", {"depth": depth, "paragraphs": paragraphs,
                                              "text": "Anxious pursuit, avoidant retreat. " * 30})
    assert time.monotonic() - started < 8
    if depth == 0:
        assert gone(pid)  # killed at the limit, not left rendering
    assert pdf.render("test_handout.html", handout(week=9)).startswith(b"%PDF")
    assert client.get("/login").status_code == 200


def test_a_filled_worksheet_with_hostile_answers_fetches_nothing_and_prints_them_as_text(
        app, world, new_client, canary, outside):
    """I3 and I4 through the real worksheet handouts: every text answer a probe, both readers' PDFs."""
    from practice.worksheets import definitions, services
    from practice.worksheets.models import Visibility

    couple = world["couple1"]
    url = canary["url"]
    hostile = [f'<img src="{url}/answer.png">', f'<link rel=attachment href="{outside["text"]}">',
               f"<style>@import url({url}/x.css);</style>", f'<a rel=attachment href="{url}/a">open</a>']
    with app.test_request_context():
        repair = definitions.get("repair_after_conflict")
        entry = services.assign(couple.id, repair, {"note": hostile[0]}).entries[0]
        pat = couple.partners[0]
        services.answer_safety(entry, couple.id, pat.id, False)
        for key, answers in {"moment": {"camera": hostile[1]}, "own": {"my_part": hostile[2]},
                             "impact": {"effect": hostile[3]}}.items():
            services.save_section(entry, couple.id, repair.section(key), pat.id, answers, 0)
        for response in entry.responses:
            response.visibility = Visibility.counselor
    db.session.commit()
    reader = new_client()
    reader.auth.login(world["P1A"])
    counselor = new_client()
    counselor.auth.login(world["X"])
    for client, path in ((reader, f"/portal/worksheets/{entry.id}.pdf"),
                         (counselor, f"/couples/{couple.id}/worksheets/entries/{entry.id}.pdf")):
        answer = client.get(path)
        assert answer.status_code == 200, path
        found = inventory(answer.data)
        assert not found["attachments"] and not found["file_annotations"] and not found["images"]
        assert not found["secret"]
        printed = "".join(text_of(answer.data).split())
        assert all("".join(words.split()) in printed for words in hostile[1:]), path
    assert canary["hits"] == []
