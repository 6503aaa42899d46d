"""Flask-Security signals turned into server-side sessions and audit events.

Also Flask-Security's answers to a visitor who is not signed in (sign in, or 401 JSON under
/api) and to a signed-in user outside their role (403, audited as a denial).
"""

from flask import abort, request
from flask_login import current_user, user_logged_out
from flask_security.decorators import default_unauthn_handler
from flask_security.signals import (
    password_changed,
    password_reset,
    tf_disabled,
    tf_profile_changed,
    user_authenticated,
    user_failed_authn,
)

from practice import audit
from practice.auth import sessions
from practice.extensions import db, security


def on_login(app, user, authn_via, **extra):
    """Start a server-side session and audit the sign-in."""
    sessions.start(user)
    audit.record("login.succeeded", actor=user, object_type="user", object_id=user.id)


def on_failed(app, user, auth_type, tfa=False, **extra):
    """Audit a wrong password or two-factor code for a known account."""
    action = "two_factor.failed" if tfa else "login.failed"
    audit.record(action, actor=user, object_type="user", object_id=user.id, outcome="failed")
    db.session.commit()


def on_logout(app, user, **extra):
    """End this browser's session and audit the sign-out."""
    sessions.end_current()
    if user is not None and getattr(user, "id", None):
        audit.record("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()


def on_password_changed(app, user, **extra):
    """A new password signs every other browser out."""
    sessions.end_all(user, keep_current=True)
    audit.record("password.changed", actor=user, object_type="user", object_id=user.id)


def on_password_reset(app, user, **extra):
    """A reset password signs every browser out."""
    sessions.end_all(user)
    audit.record("password.reset", actor=user, object_type="user", object_id=user.id)


def on_two_factor_changed(app, user, **extra):
    """Audit two-factor being set up or changed."""
    audit.record("two_factor.changed", actor=user, object_type="user", object_id=user.id)


def on_two_factor_disabled(app, user, **extra):
    """Audit two-factor being switched off."""
    audit.record("two_factor.disabled", actor=user, object_type="user", object_id=user.id)


def on_unauthenticated(mechanisms=None, headers=None):
    """Not signed in: the API answers 401 in its documented error shape, pages ask to sign in."""
    from practice import errors

    if errors.wants_json():
        body, code = errors.json_error(401, "Sign in to continue.")
        return body, code, headers or {}
    return default_unauthn_handler(mechanisms, headers)


def on_unauthorized(func_name, params):
    """Signed in but outside the page's role: audit the denial and answer 403."""
    if not current_user.is_authenticated:
        return on_unauthenticated()
    audit.record("access.denied", object_type="page", object_id=request.endpoint or "",
                 outcome="denied")
    db.session.commit()
    abort(403)


def connect(app) -> None:
    """Subscribe to the sign-in signals of this app."""
    user_authenticated.connect(on_login, app)
    user_failed_authn.connect(on_failed, app)
    user_logged_out.connect(on_logout, app)
    password_changed.connect(on_password_changed, app)
    password_reset.connect(on_password_reset, app)
    tf_profile_changed.connect(on_two_factor_changed, app)
    tf_disabled.connect(on_two_factor_disabled, app)
    security.unauthn_handler(on_unauthenticated)
    security.unauthz_handler(on_unauthorized)
