"""Friendly error pages, and JSON errors under /api."""

from flask import current_app, json, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from practice.extensions import db

TITLES = {
    400: ("Something in that request was not right", "Go back, check what you entered and try again."),
    401: ("Please sign in", "Sign in to continue."),
    403: ("This page is not available to you", "It belongs to another part of SecureBase."),
    404: ("We could not find that page", "It may have moved, or it is not yours to see."),
    405: ("That action is not available here", "Go back and try again from the page."),
    409: ("That changed while you were working", "Reload to see the latest version."),
    410: ("That link has expired", "Ask for a new one."),
    413: ("That was too large to accept", "Shorten what you entered and try again."),
    422: ("Some answers need another look", "Check the fields marked in the form."),
    429: ("Too many attempts", "For your safety, please wait a little before trying again."),
    500: ("Something went wrong on our side", "Your last change was not saved. Please try again."),
    503: ("That took too long to prepare", "Nothing is lost. Try again in a moment."),
}


def wants_json() -> bool:
    """Whether this request should get a JSON error rather than a page."""
    return request.path.startswith("/api/") or (
        request.is_json and not request.accept_mimetypes.accept_html
    )


def json_error(code: int, message: str, errors=None):
    """A JSON error body in the shape ErrorSchema documents."""
    body = {"code": code, "status": TITLES.get(code, ("Error",))[0], "message": message}
    if errors:
        body["errors"] = errors
    return json.jsonify(body), code


def handle_http(error: HTTPException):
    """Render an HTTP error as a page or as JSON."""
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    if error.response is not None and not wants_json():
        return error.response  # a page the view made for this error (a note's words kept past a limit)
    kept = {k: v for k, v in error.get_response().headers.items() if k in ("Retry-After", "Allow")}
    if wants_json():
        data = getattr(error, "data", {}) or {}
        errors = data.get("messages") or data.get("errors")
        if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in ("json", "query", "form"):
            errors = next(iter(errors.values()))
        if isinstance(errors, list):  # about the body as a whole (e.g. not JSON): still field -> messages
            errors = {"_schema": errors}
        body, _ = json_error(code, _message(error, code), errors)
        return body, code, kept
    title, hint = TITLES.get(code, (error.name, ""))
    return render_template("errors/error.html", code=code, title=title, hint=hint), code, kept


def _message(error: HTTPException, code: int) -> str:
    """A plain sentence for a JSON client."""
    if code == 429:
        return "Too many attempts. Wait a little before trying again."
    if code == 422:
        return "Some fields are not valid."
    return TITLES.get(code, (error.name,))[0] + "."


def handle_csrf(error: CSRFError):
    """A missing or stale form token: explain, keep the user's trust."""
    if wants_json():
        return json_error(400, "The security token is missing or expired. Reload and try again.")
    return render_template("errors/error.html", code=400, title="This form expired",
                           hint="For your security, forms expire. Go back, reload the page and "
                           "submit again."), 400


def handle_unexpected(error: Exception):
    """Any other exception: roll back, log, and show a calm 500."""
    db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error)
    return handle_http(InternalServerError())


def register(app) -> None:
    """Install the error handlers, after flask-smorest's, so these win."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
