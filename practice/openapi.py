"""What every feature's JSON API shares: its blueprint class, its security schemes, its error shape.

Features (the portal's API, homework, worksheets) each register their own flask-smorest blueprint
built from :class:`ApiBlueprint` under ``/api/v1``; they name ``SIGNED_IN`` for reads and
``SIGNED_IN_WRITE`` for writes, and document their errors with :class:`ApiErrorSchema`.
"""

from collections.abc import Callable

from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from practice import audit
from practice.extensions import csrf, db

#: The security scheme every operation names: the signed-in browser's session cookie.
SESSION = "session"
#: What a write needs besides: the CSRF token of the signed-in page, in a header.
CSRF = "csrf"
SIGNED_IN = [{SESSION: []}]
#: A write: signed in, and the page's CSRF token in the X-CSRFToken header.
SIGNED_IN_WRITE = [{SESSION: [], CSRF: []}]


class ApiErrorSchema(Schema):
    """Every API error: a status, a message and, for bad input, per-field messages."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, whose document also says how to sign in and how to write."""

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        """Declare the session cookie and the CSRF header as security schemes, then the views."""
        if SESSION not in spec.components.security_schemes:
            spec.components.security_scheme(SESSION, {
                "type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"],
                "description": "The session cookie set by signing in at /login (two-factor "
                               "included for staff). Without it every operation answers 401.",
            })
            spec.components.security_scheme(CSRF, {
                "type": "apiKey", "in": "header", "name": "X-CSRFToken",
                "description": "The CSRF token of a signed-in page (its csrf-token meta tag). A "
                               "write without it, or with a stale one, answers 400.",
            })
        super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def document_errors(self, *errors: tuple[int, str]):
        """Decorate a view with the error answers it documents: (status, description) pairs."""
        def decorate(view):
            for status, description in errors:
                view = self.alt_response(status, schema=ApiErrorSchema, description=description)(view)
            return view
        return decorate


#: Methods that carry a body: it must be JSON, or its fields would be read as empty and lost.
WITH_BODY = ("POST", "PUT", "PATCH")


def guard(role: str, *, then: Callable[[], None] | None = None) -> None:
    """An API blueprint's ``before_request``: who may call it is settled before any body is read.

    A stranger hears 401 and another role 403 (not the CSRF check's 400); ``then`` may look up the
    object in the address (another couple's answers 404 whatever was sent); then a write needs the
    page's CSRF token, and a body that is JSON. The blueprint is exempt from the app-wide CSRF check,
    which runs before anyone is known, and checks the token here instead.
    """
    if not current_user.is_authenticated:
        abort(401)
    if current_user.role != role:
        # Audited as every signed-in refusal is (practice/auth/events.py, SECURITY.md L2).
        audit.record("access.denied", object_type="page", object_id=request.endpoint or "", outcome="denied")
        db.session.commit()
        abort(403)
    if then is not None:
        then()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    if request.method in WITH_BODY and not request.is_json:
        abort(415)
