"""Flask-Security signals turned into server-side sessions and audit events."""

from flask_login import user_logged_out
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
from practice.extensions import db


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


def connect(app) -> None:
    """Subscribe to the sign-in signals of this app."""
    user_authenticated.connect(on_login, app)
    user_failed_authn.connect(on_failed, app)
    user_logged_out.connect(on_logout, app)
    password_changed.connect(on_password_changed, app)
    password_reset.connect(on_password_reset, app)
    tf_profile_changed.connect(on_two_factor_changed, app)
    tf_disabled.connect(on_two_factor_disabled, app)
