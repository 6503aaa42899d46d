"""PDF handouts: the one path from a Jinja template to a tagged PDF (DESIGN.md "PDF rules").

``render(template, data, paper=...)`` renders ``templates/pdf/<template>`` with the app's Jinja
environment (autoescaping on: ``.html`` only) from plain data, never ORM objects, then:

1. looks the HTML up in the cache, keyed by an HMAC of the HTML, the paper and our static files
   (so a changed stylesheet or font is a miss). The cache holds ciphertext from ``crypto.py``
   bound to its key, never a plain PDF: Redis when ``REDIS_URL`` is set, otherwise a bounded
   in-process LRU. ``render`` does no access check: call it only after the same check that lets
   this reader see the data, so that a cached PDF is never served on weaker grounds than a fresh
   one, and send it with ``Cache-Control: no-store`` and a filename the server chooses;
2. on a miss, ``html_to_pdf(html)`` makes the PDF: WeasyPrint, ``pdf_variant="pdf/ua-1"``,
   through :class:`StaticFetcher`, which reads only files under ``practice/static`` from disk
   (fonts live in ``static/fonts``) and refuses every other URL: no HTTP, so no redirect; no
   ``file:`` outside static; no ``data:``. A finisher refuses any embedded file (SECURITY.md I3-I5).

Why a helper process (SECURITY.md I6). A render past ``PDF_TIME_LIMIT_SECONDS`` must stop, and
the worker live on. Python cannot stop a thread: an async exception waits for the C call it is in
(Pango laying out a huge paragraph), leaves WeasyPrint's caches half-built, and ``SIGALRM`` only
reaches the main thread, which the threaded dev server's requests are not on. So the render runs
in a helper process that stays up between renders; the request thread waits on a pipe with the
time limit, and a helper that overruns is killed (with the temporary folder it wrote fonts to) and
replaced at the next render. This serves a gunicorn sync worker (one helper) and threads (one helper
per concurrent render, a few kept idle); an RQ job, which RQ's job timeout already bounds by killing
its work-horse, may call :func:`write_pdf` directly instead. A helper is a fresh interpreter
(``python -c``) that imports this module: not a fork of the worker, so none of its threads,
locks or database sockets come along, and not ``multiprocessing``, which would re-run the
server's main script in it. It is warmed with one small render before its first real one, and
keeps one ``FontConfiguration`` and an image cache across renders, so our fonts are loaded once
per helper rather than per PDF as a bare ``HTML(...).write_pdf()`` does: that more than pays for
the pipe (well under a millisecond for a handout) and keeps a cold render within the budget of raw
WeasyPrint on the same HTML. Helpers are recycled after ``RECYCLE_AFTER`` renders. Measured on two
shared cores, a one-page handout: about 110 ms through a helper, 110 ms in-process, 130 ms for a
bare ``HTML(string=...).write_pdf()`` of the same HTML; from the cache 0.5 ms; a helper's start
and warm-up about 0.7 s, once per worker process (``warm_up`` can take it out of the first request).
"""

import atexit
import base64
import functools
import hashlib
import hmac
import logging
import mimetypes
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from flask import Response, abort, current_app, has_app_context
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from practice import config
from practice.crypto import DecryptionError, decrypt, encrypt
from practice.extensions import db

log = logging.getLogger(__name__)

#: Everything a PDF may load: our stylesheet, fonts (``static/fonts``) and images.
STATIC = (Path(__file__).resolve().parent / "static").resolve()
STATIC_URL = STATIC.as_uri() + "/"
#: Paper names as config and callers give them, to the CSS ``size`` the templates set.
PAPERS = {"a4": "A4", "letter": "letter"}
VARIANT = "pdf/ua-1"
#: A helper is replaced after this many renders, so whatever WeasyPrint caches stays bounded.
RECYCLE_AFTER = 200
#: Idle helpers kept per worker process; a busier moment starts more and stops them after.
IDLE_HELPERS = 2
#: Seconds a new helper may take to start and warm up before it counts as broken.
START_LIMIT = 60
WARM_UP = ('<link rel="stylesheet" href="css/pdf.css"><p>Анна, José, O\'Brien <b>1</b> <i>2</i></p>')


class PdfError(Exception):
    """A PDF could not be made; the message says why, never what the document contains."""


class PdfTimeout(PdfError):
    """A render ran past the time limit and was stopped; the views show a friendly page."""


# ---- the fetcher: only our static files, from disk ----------------------------------------------


class StaticFetcher(URLFetcher):
    """Serve ``file:`` URLs under ``practice/static`` from disk; refuse every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        """Return a static file as a WeasyPrint response; raise ``ValueError`` for anything else."""
        path = static_path(url)
        stat = path.stat()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mime.startswith("text/"):
            mime += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), _read(path, stat.st_mtime_ns, stat.st_size),
                                  {"Content-Type": mime})

    def open(self, url, data=None, timeout=None):
        """urllib-style use, checked the same way: everything goes through :meth:`fetch`."""
        return self.fetch(url if isinstance(url, str) else url.full_url)


def static_path(url: str) -> Path:
    """The file under ``practice/static`` that a ``file:`` URL names; ``ValueError`` for any other URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"refused {url[:200]!r}: a PDF may load only files under practice/static")
    path = Path(url2pathname(parts.path)).resolve()  # resolves "..", and symlinks out of static
    if not path.is_relative_to(STATIC) or not path.is_file():
        raise ValueError(f"refused {url[:200]!r}: a PDF may load only files under practice/static")
    return path


@functools.lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int, size: int) -> bytes:
    """A static file's bytes, read once per version of the file."""
    return path.read_bytes()


def static_url(name: str) -> str:
    """The absolute ``file:`` URL of a file under ``practice/static``, for PDF templates."""
    return (STATIC / name).as_uri()


# ---- rendering --------------------------------------------------------------------------------


def render(template: str, data: dict, *, paper: str | None = None) -> bytes:
    """Render ``templates/pdf/<template>`` with ``data`` to PDF bytes; the caller checks access first."""
    if not template.endswith(".html"):
        raise ValueError("PDF templates are .html files, so that autoescaping is on")
    size = paper_size(paper)
    html = current_app.jinja_env.get_template(f"pdf/{template}").render(
        {**data, "paper": size, "static_url": static_url})
    key = cache_key(html, size)
    store = _store()
    pdf = store.get(key)
    if pdf is None:
        pdf = html_to_pdf(html)
        store.put(key, pdf)
    return pdf


def download(template: str, data: dict, filename: str) -> Response:
    """:func:`render` as a download named ``filename``; a render that fails or runs too long is a calm 503."""
    try:
        body = render(template, data)
    except PdfError:
        db.session.rollback()
        abort(503)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def paper_size(paper: str | None = None) -> str:
    """The CSS page size for a paper name (``A4`` or ``Letter``), by default ``PDF_PAPER``."""
    name = paper or current_app.config.get("PDF_PAPER", "A4")
    try:
        return PAPERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown paper {name!r}: use A4 or Letter") from None


def html_to_pdf(html: str, *, time_limit: float | None = None) -> bytes:
    """Turn HTML into tagged PDF bytes in a helper process; :class:`PdfTimeout` past the time limit."""
    if time_limit is None:
        time_limit = current_app.config.get("PDF_TIME_LIMIT_SECONDS", 20) if has_app_context() else 20
    helper = _take_helper()
    try:
        ok, reply = helper.render(html, time_limit)
    except BaseException:
        helper.stop()  # its answer is unread, and the next render would get it
        raise
    _give_back(helper)
    if not ok:
        raise PdfError(f"the PDF could not be made ({reply.decode()})")
    return reply


def write_pdf(html: str) -> bytes:
    """Render HTML to tagged PDF bytes in this process, through :class:`StaticFetcher` (the helper's job)."""
    return HTML(string=html, base_url=STATIC_URL, url_fetcher=_FETCHER).write_pdf(
        pdf_variant=VARIANT, font_config=_font_config(), cache=_IMAGES, finisher=_refuse_attachments)


def warm_up() -> None:
    """Start a helper ahead of the first PDF, e.g. from gunicorn's ``post_worker_init`` hook."""
    _give_back(_take_helper())


def clear_cache() -> None:
    """Forget this app's cached PDFs (after rotating keys, or to time a cold render)."""
    _store().clear()


_FETCHER = StaticFetcher()
_IMAGES: dict = {}


@functools.cache
def _font_config() -> FontConfiguration:
    """One font configuration per process: our @font-face fonts are loaded once, not per PDF."""
    return FontConfiguration()


def _refuse_attachments(document, pdf) -> None:
    """Refuse a PDF with an embedded file: handouts never carry attachments (SECURITY.md I3)."""
    if "EmbeddedFiles" in pdf.catalog.get("Names", {}) or "AF" in pdf.catalog:
        raise PdfError("a PDF handout may not embed files")
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Subtype") == "/FileAttachment":
            raise PdfError("a PDF handout may not embed files")


# ---- helper processes -------------------------------------------------------------------------

OK, FAILED = b"\x00", b"\x01"
#: How the helper is started: a fresh interpreter that imports this module, nothing of the server's.
HELPER_COMMAND = "from practice.pdf import serve_helper; serve_helper()"
#: Environment variables a helper does without: it renders HTML and needs none of the app's secrets.
HIDDEN_FROM_HELPER = {*config.SECRET_NAMES, "DATABASE_URL", "REDIS_URL", "MAIL_USERNAME", "MAIL_PASSWORD"}


def _send(stream, payload: bytes) -> None:
    """Write one frame: its length, then its bytes."""
    stream.write(len(payload).to_bytes(8, "big") + payload)
    stream.flush()


def _receive(stream) -> bytes:
    """Read one frame; ``EOFError`` if the other side has gone."""
    size = int.from_bytes(_read_exactly(stream, 8), "big")
    return _read_exactly(stream, size)


def _read_exactly(stream, size: int) -> bytes:
    """Read ``size`` bytes from an unbuffered pipe."""
    chunks, left = [], size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def serve_helper() -> None:
    """The helper process: warm up, then answer each HTML frame on stdin with a PDF frame on stdout."""
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # whatever a library prints goes to stderr, not into our frames
    requests = os.fdopen(0, "rb", buffering=0)
    write_pdf(WARM_UP)
    _send(replies, OK)
    while True:
        try:
            html = _receive(requests).decode()
        except EOFError:  # the server process has gone: so do we
            return
        try:
            reply = OK + write_pdf(html)
        except Exception as exc:  # the request raises PdfError; a library's message may quote the document
            reply = FAILED + (str(exc) if isinstance(exc, PdfError) else type(exc).__name__).encode()
        _send(replies, reply)


class _Helper:
    """One helper process and the pipes to it."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="securebase-pdf-")
        path = os.pathsep.join(filter(None, [str(STATIC.parent.parent), os.environ.get("PYTHONPATH")]))
        env = {name: value for name, value in os.environ.items() if name not in HIDDEN_FROM_HELPER}
        try:
            # Its own session: Ctrl-C in the dev server's terminal is not sent to it; it ends when
            # our end of its stdin closes. TMPDIR: WeasyPrint's font copies go where we clean up.
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command: this interpreter, our module)
                [sys.executable, "-c", HELPER_COMMAND], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                bufsize=0, env={**env, "TMPDIR": self.folder, "PYTHONPATH": path}, start_new_session=True)
        except OSError as exc:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise PdfError("the PDF helper process did not start") from exc
        self.owner, self.renders = os.getpid(), 0
        try:
            started = self._wait(START_LIMIT) and _receive(self.process.stdout) == OK
        except (EOFError, OSError):
            started = False
        if not started:
            self.stop()
            raise PdfError("the PDF helper process did not start")

    def _wait(self, seconds: float) -> bool:
        """Whether the helper has something for us (or has ended) within some seconds."""
        poller = select.poll()
        poller.register(self.process.stdout, select.POLLIN)
        return bool(poller.poll(max(seconds, 0) * 1000))

    def render(self, html: str, time_limit: float) -> tuple[bool, bytes]:
        """Send HTML; within ``time_limit`` seconds, (True, the PDF) or (False, the helper's error)."""
        self.renders += 1
        deadline = time.monotonic() + time_limit
        try:
            _send(self.process.stdin, html.encode())
            if not self._wait(deadline - time.monotonic()):
                raise PdfTimeout(f"the PDF took longer than {time_limit:g} seconds and was stopped")
            reply = _receive(self.process.stdout)
        except (EOFError, OSError) as exc:
            raise PdfError("the PDF helper process stopped unexpectedly") from exc
        return reply[:1] == OK, reply[1:]

    def stop(self) -> None:
        """In the process that started it: kill the helper, close its pipes, delete its folder."""
        if self.owner != os.getpid():
            return
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_idle: list[_Helper] = []
_idle_lock = threading.Lock()


def _take_helper() -> _Helper:
    """An idle helper of this process, or a new one."""
    with _idle_lock:
        while _idle:
            helper = _idle.pop()
            if helper.owner == os.getpid():  # not one inherited through a fork
                return helper
    return _Helper()


def _give_back(helper: _Helper) -> None:
    """Keep a helper for the next render, unless enough are idle or it is due for recycling."""
    with _idle_lock:
        if len(_idle) < IDLE_HELPERS and helper.renders < RECYCLE_AFTER:
            _idle.append(helper)
            return
    helper.stop()


@atexit.register
def _stop_helpers() -> None:
    """Stop the idle helpers when this process exits."""
    with _idle_lock:
        helpers, _idle[:] = list(_idle), []
    for helper in helpers:
        helper.stop()


# ---- the cache: ciphertext only ---------------------------------------------------------------


def cache_key(html: str, size: str) -> str:
    """An HMAC of the HTML, the paper and our static files: nothing about the answers can be guessed."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    own_key = hashlib.sha256(b"securebase-pdf-cache:" + secret).digest()  # not the session-signing key
    message = "\0".join((_static_fingerprint(), size, html)).encode()
    return hmac.new(own_key, message, hashlib.sha256).hexdigest()


@functools.cache
def _static_fingerprint() -> str:
    """A hash of WeasyPrint's version and every static file, so a new stylesheet or font is a miss."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(STATIC)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _seal(pdf: bytes, key: str) -> str:
    """Encrypt PDF bytes with crypto.py, bound to their cache key."""
    return encrypt(base64.b64encode(pdf).decode("ascii"), f"pdf-cache:{key}")


def _unseal(token: str, key: str) -> bytes:
    """Decrypt PDF bytes sealed by :func:`_seal`; raises DecryptionError if tampered or moved."""
    return base64.b64decode(decrypt(token, f"pdf-cache:{key}"))


class MemoryCache:
    """A bounded in-process LRU of sealed PDFs (by total size), each kept ``seconds`` at most."""

    def __init__(self, max_bytes: int, seconds: int):
        self.items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self.max_bytes, self.seconds, self.size = max_bytes, seconds, 0
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The cached PDF for a key, or None."""
        with self.lock:
            expires, token = self.items.get(key, (0.0, ""))
            if expires <= time.monotonic():
                self._drop(key)
                return None
            self.items.move_to_end(key)
        return _opened(token, key)

    def put(self, key: str, pdf: bytes) -> None:
        """Keep a PDF, sealed, dropping the least recently used past the size bound."""
        token = _seal(pdf, key)
        if len(token) > self.max_bytes:
            return
        with self.lock:
            self._drop(key)
            self.items[key] = (time.monotonic() + self.seconds, token)
            self.size += len(token)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.items)))

    def clear(self) -> None:
        """Forget every entry."""
        with self.lock:
            self.items.clear()
            self.size = 0

    def _drop(self, key: str) -> None:
        """Forget one entry (the lock is held)."""
        entry = self.items.pop(key, None)
        if entry is not None:
            self.size -= len(entry[1])


class RedisCache:
    """Sealed PDFs in Redis, each kept ``seconds``; a Redis failure is a miss, not a failed download."""

    def __init__(self, url: str, prefix: str, seconds: int):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix, self.seconds = prefix, seconds

    def redis_key(self, key: str) -> str:
        """The one place a Redis key of ours is built: ``<prefix>:pdf:<key>``."""
        return f"{self.prefix}:pdf:{key}" if self.prefix else f"pdf:{key}"

    def get(self, key: str) -> bytes | None:
        """The cached PDF for a key, or None."""
        try:
            token = self.client.get(self.redis_key(key))
        except self.errors as exc:
            log.warning("PDF cache unavailable: %s", exc)
            return None
        return None if token is None else _opened(token.decode("ascii"), key)

    def put(self, key: str, pdf: bytes) -> None:
        """Keep a PDF, sealed, for ``seconds``."""
        try:
            self.client.set(self.redis_key(key), _seal(pdf, key), ex=self.seconds)
        except self.errors as exc:
            log.warning("PDF cache unavailable: %s", exc)


    def clear(self) -> None:
        """Delete every PDF of ours from Redis."""
        try:
            for name in self.client.scan_iter(match=self.redis_key("*"), count=500):
                self.client.delete(name)
        except self.errors as exc:
            log.warning("PDF cache unavailable: %s", exc)


def _opened(token: str, key: str) -> bytes | None:
    """Decrypt a cached PDF; one sealed with a retired key or tampered with is a miss."""
    try:
        return _unseal(token, key)
    except DecryptionError:
        log.warning("a cached PDF did not decrypt; rendering it again")
        return None


def _store() -> MemoryCache | RedisCache:
    """This app's PDF cache: Redis when ``REDIS_URL`` is set, otherwise in memory."""
    store = current_app.extensions.get("pdf_cache")
    if store is None:
        config = current_app.config
        seconds = int(config.get("PDF_CACHE_SECONDS", 3600))
        if config.get("REDIS_URL"):
            store = RedisCache(config["REDIS_URL"], config.get("REDIS_KEY_PREFIX", "securebase"), seconds)
        else:
            store = MemoryCache(int(config.get("PDF_CACHE_MAX_BYTES", 32 * 1024 * 1024)), seconds)
        store = current_app.extensions.setdefault("pdf_cache", store)
    return store
