"""PDF handouts (practice/pdf.py): text, fonts, tagging, paper, page furniture and the cache.

Test-only templates live in tests/pdf_templates/pdf/ and are found through the ``pdf_app`` fixture;
SECURITY.md's I3-I6 are in tests/security/test_pdf_safety.py.
"""

import base64
import io
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from pypdf import PdfReader

from practice import pdf
from practice.crypto import decrypt

TEMPLATES = Path(__file__).resolve().parent / "pdf_templates"
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def handout(**changes) -> dict:
    """The test handout's data: a couple whose names need Cyrillic and accents, habits, answers."""
    data = {
        "title": "Weekly habit planner",
        "week": 3,
        "week_of": "11 May 2026",
        "lead": "Three small habits for this week. Tick a box when you did one; nothing else counts.",
        "names": ["Анна Петрова", "José O'Brien"],
        "counselor": "Dana Reyes",
        "days": DAYS,
        "habits": [
            {"title": "How-are-we check-in", "how": "10 minutes, phones away: one feeling word each",
             "days": [True, True, False, True, False, False, False]},
            {"title": "Small bids", "how": "A hug, a funny link, a thank-you",
             "days": [True, False, True, True, True, False, False]},
            {"title": "Protected me-time", "how": "Solo or friend time, no guilt",
             "days": [False] * 7},
        ],
        "checklist": [{"text": "Agree on a check-in time", "done": True},
                      {"text": "Put the planner where you both see it", "done": False}],
        "answers": [("What helped this week?", "We said sorry sooner. Анна made tea; José listened.")],
        "extra": [],
    }
    data.update(changes)
    return data


@pytest.fixture
def pdf_app(app):
    """The app, also finding the test-only PDF templates in tests/pdf_templates/pdf/."""
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(TEMPLATES), app.jinja_env.loader])
    return app


def text_of(document: bytes) -> str:
    """All the text of a PDF, as pypdf extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def page_texts(document: bytes) -> list[str]:
    """The text of each page as poppler's pdftotext reads it, runs of spaces made one."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=document, capture_output=True, check=True)
    return [" ".join(page.split()) for page in out.stdout.decode().split("\f")[:-1]]


def font_names(document: bytes) -> set[str]:
    """The base names of the fonts a PDF uses, subset tags removed."""
    names = set()
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(re.sub(r"^/[A-Z]{6}\+", "", font.get_object()["/BaseFont"]))
    return names


def test_render_makes_a_pdf_with_the_handouts_text(pdf_app):
    document = pdf.render("test_handout.html", handout())
    assert document.startswith(b"%PDF-1.7")
    text = text_of(document)
    for words in ("Weekly habit planner", "How-are-we check-in", "Agree on a check-in time",
                  "What helped this week?", "Dana Reyes"):
        assert words in text


def test_cyrillic_and_accented_names_survive_in_the_shipped_font(pdf_app):
    document = pdf.render("test_handout.html", handout(names=["Анна Петрова", "José O'Brien"]))
    text = " ".join(page_texts(document))
    assert "Анна Петрова" in text and "José O'Brien" in text
    assert "Анна made tea; José listened" in text
    # Noto Sans regular and bold and nothing else: no fallback font was needed for any letter. It is
    # the copy in practice/static/fonts wherever, as on Debian by default, the system has no Noto.
    assert font_names(document) == {"Noto-Sans", "Noto-Sans-Bold"}


def test_the_pdf_is_tagged_pdf_ua(pdf_app):
    reader = PdfReader(io.BytesIO(pdf.render("test_handout.html", handout())))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title == "Weekly habit planner"


def page_size(document: bytes) -> tuple[float, float]:
    """The first page's width and height in points."""
    box = PdfReader(io.BytesIO(document)).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def test_paper_comes_from_config_and_each_call_can_choose(pdf_app):
    assert page_size(pdf.render("test_handout.html", handout())) == A4
    assert page_size(pdf.render("test_handout.html", handout(), paper="Letter")) == LETTER
    pdf_app.config["PDF_PAPER"] = "Letter"
    assert page_size(pdf.render("test_handout.html", handout())) == LETTER
    assert page_size(pdf.render("test_handout.html", handout(), paper="a4")) == A4


def test_unknown_paper_and_non_html_templates_are_refused(pdf_app):
    with pytest.raises(ValueError, match="unknown paper"):
        pdf.render("test_handout.html", handout(), paper="Legal")
    with pytest.raises(ValueError, match=".html"):
        pdf.render("test_handout.txt", handout())


def test_pages_carry_a_running_header_footer_and_page_numbers(pdf_app):
    long = handout(extra=["A paragraph that fills the page so that the handout runs onto more pages."] * 60)
    pages = page_texts(pdf.render("test_handout.html", long))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Private: for Анна Петрова and José O'Brien and their counselor" in page
    # The first page has the big heading instead of the running header.
    assert "Weekly habit planner · Анна Петрова & José O'Brien" not in pages[0]
    assert "Weekly habit planner · Анна Петрова & José O'Brien" in pages[1]


def test_a_repeated_download_comes_from_the_cache(pdf_app, monkeypatch):
    rendered = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: rendered.append(html) or real(html))
    first = pdf.render("test_handout.html", handout())
    second = pdf.render("test_handout.html", handout())
    assert second == first and len(rendered) == 1
    pdf.render("test_handout.html", handout(week=4))  # other answers: another PDF
    pdf.render("test_handout.html", handout(), paper="Letter")  # other paper: another PDF
    assert len(rendered) == 3


def test_clear_cache_makes_the_next_download_a_fresh_render(pdf_app, monkeypatch):
    pdf.warm_up()  # a helper is ready before the first PDF
    assert pdf._idle
    first = pdf.render("test_handout.html", handout())
    pdf.clear_cache()
    rendered = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: rendered.append(html) or real(html))
    assert text_of(pdf.render("test_handout.html", handout())) == text_of(first)
    assert len(rendered) == 1


def test_the_cache_holds_ciphertext_bound_to_its_key(pdf_app):
    document = pdf.render("test_handout.html", handout())
    store = pdf_app.extensions["pdf_cache"]
    [(key, (_, token))] = store.items.items()
    key_id, _, sealed = token.partition(":")
    assert key_id in pdf_app.config["DATA_ENCRYPTION_KEYS"]
    # Neither the PDF nor its base64 ("JVBER" is "%PDF") is in the stored value, read either way.
    assert "JVBER" not in token and b"%PDF" not in base64.urlsafe_b64decode(sealed)
    assert pdf._unseal(token, key) == document
    with pytest.raises(Exception, match="authentication"):
        decrypt(token, "pdf-cache:another-key")


def test_a_tampered_cache_entry_is_rendered_again_not_served(pdf_app):
    document = pdf.render("test_handout.html", handout())
    store = pdf_app.extensions["pdf_cache"]
    key, (expires, token) = next(iter(store.items.items()))
    store.items[key] = (expires, token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"))
    assert pdf.render("test_handout.html", handout()) == document
    assert pdf._unseal(store.items[key][1], key) == document


def test_the_cache_key_reveals_nothing_without_the_apps_secret(pdf_app):
    html = "<p>Private answer</p>"
    first = pdf.cache_key(html, "A4")
    assert re.fullmatch(r"[0-9a-f]{64}", first) and first == pdf.cache_key(html, "A4")
    assert first != pdf.cache_key(html, "letter")
    pdf_app.config["SECRET_KEY"] = "another practice's secret"
    assert pdf.cache_key(html, "A4") != first


def test_the_memory_cache_is_bounded_and_forgets_the_oldest(app):
    store = pdf.MemoryCache(max_bytes=3000, seconds=60)
    for name in "abc":
        store.put(name, name.encode() * 600)  # about 1,100 characters sealed
    assert list(store.items) == ["b", "c"] and store.size <= 3000
    assert store.get("a") is None and store.get("b") == b"b" * 600
    expired = pdf.MemoryCache(max_bytes=3000, seconds=0)
    expired.put("a", b"x")
    assert expired.get("a") is None and not expired.items


@pytest.fixture
def redis_url():
    """A Redis database on this machine for the cache test; skipped where none runs."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


def test_with_redis_the_cache_holds_ciphertext_under_our_prefix(app_config, redis_url):
    import redis

    from practice import create_app

    prefix = f"sb-test-{uuid.uuid4().hex[:8]}"
    app = create_app({**app_config, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix})
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(TEMPLATES), app.jinja_env.loader])
    client = redis.Redis.from_url(redis_url)
    try:
        with app.app_context():
            document = pdf.render("test_handout.html", handout())
            assert pdf.render("test_handout.html", handout()) == document
            [name] = client.keys(f"{prefix}:pdf:*")
            token = client.get(name).decode()
            assert "%PDF" not in token and client.ttl(name) > 0
            assert pdf._unseal(token, name.decode().rsplit(":", 1)[1]) == document
            pdf.clear_cache()
            assert client.keys(f"{prefix}:*") == []
    finally:
        for name in client.keys(f"{prefix}:*"):
            client.delete(name)
        client.close()
        app.extensions["pdf_cache"].client.close()


def test_an_embedded_file_from_a_template_is_refused_and_the_helper_carries_on(app):
    with pytest.raises(pdf.PdfError, match="may not embed files"):
        pdf.html_to_pdf('<a rel="attachment" href="css/pdf.css">our own stylesheet</a>')
    assert pdf.html_to_pdf("<p>Next one</p>").startswith(b"%PDF")
