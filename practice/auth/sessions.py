"""Server-side sign-in sessions: idle timeout, absolute lifetime and revocation."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from flask_security import logout_user
from sqlalchemy import delete

from practice import audit
from practice.auth import drafts
from practice.auth.models import LoginSession
from practice.clock import utcnow
from practice.extensions import db

SESSION_KEY = "sb_sid"
TOUCH_EVERY = timedelta(minutes=1)
#: Stylesheets and scripts neither need nor extend a session.
STATIC_ENDPOINTS = {"static", "security.static"}


def _digest(sid: str) -> str:
    """Return the stored form of a session id."""
    return hashlib.sha256(sid.encode()).hexdigest()


def start(user) -> None:
    """Record a new sign-in for this browser and put its id in the session cookie."""
    sid = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=_digest(sid), user_id=user.id))
    session[SESSION_KEY] = sid
    session.permanent = True


def end_current() -> None:
    """Forget this browser's sign-in."""
    sid = session.pop(SESSION_KEY, None)
    if sid:
        db.session.execute(delete(LoginSession).where(LoginSession.id == _digest(sid)))


def end_all(user, keep_current=False) -> None:
    """Sign the user out everywhere, optionally except in this browser."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    sid = session.get(SESSION_KEY)
    if keep_current and sid:
        query = query.where(LoginSession.id != _digest(sid))
    db.session.execute(query)


def check():
    """Sign out a browser whose session was revoked, sat idle too long or is too old.

    The request then stops here: the page asks to sign in again (a JSON client gets 401), so
    no view runs for a user who was signed out a moment ago.
    """
    if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
        return
    sid = session.get(SESSION_KEY)
    row = db.session.get(LoginSession, _digest(sid)) if sid else None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    lifetime = timedelta(hours=current_app.config["ABSOLUTE_SESSION_HOURS"])
    reason = None
    if row is None or row.user_id != current_user.id:
        reason = "revoked"
    elif now - row.last_seen_at > idle:
        reason = "idle"
    elif now - row.started_at > lifetime:
        reason = "expired"
    if reason is None:
        if now - row.last_seen_at > TOUCH_EVERY:
            row.last_seen_at = now
            db.session.commit()
        return
    user = current_user._get_current_object()
    audit.record(f"session.{reason}", actor=user)
    kept = request.method == "POST" and reason != "revoked" and drafts.keep(user, request.path, request.form)
    if row is not None:
        db.session.delete(row)
    db.session.commit()
    session.pop(SESSION_KEY, None)
    logout_user()
    if reason == "idle":
        flash(
            f"For your privacy you were signed out after {idle.seconds // 60} minutes without "
            "activity. Please sign in again.",
            "info",
        )
    else:
        flash("Your session has ended. Please sign in again.", "info")
    if kept:
        flash("What you were typing is saved. Sign in and it will be back in the form.", "info")
    return signed_out_response(request.path if kept else None)


def signed_out_response(back=None):
    """Ask to sign in again: 401 JSON for the API, otherwise the sign-in page."""
    from practice import errors

    if errors.wants_json():
        return errors.json_error(401, "Your session has ended. Sign in again.")
    if back is None and request.method == "GET":
        back = request.full_path.rstrip("?")
    if request.blueprint == "security":
        back = None
    return redirect(url_for("security.login", next=back))
