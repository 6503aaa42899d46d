"""Security headers on every response, and no caching of anything personal."""

import uuid

from flask import g, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
])

#: Static files carry no client data and may be cached.
CACHEABLE_PREFIXES = ("/static/",)


def start_request() -> None:
    """Give each request an id for the logs and the audit trail."""
    g.request_id = uuid.uuid4().hex


def add_headers(response):
    """Set CSP, framing, sniffing, referrer and caching headers."""
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: CSRF checks over HTTPS (WTF_CSRF_SSL_STRICT) need our own
    # pages to send a Referer to us; other sites still get none.
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers["X-Request-ID"] = g.get("request_id", "")
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if not request.path.startswith(CACHEABLE_PREFIXES):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_app(app) -> None:
    """Hook the request id and headers into every request."""
    app.before_request(start_request)
    app.after_request(add_headers)
