"""Server-side sign-in sessions: idle timeout, absolute lifetime and revocation."""

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user
from flask_security import logout_user
from flask_security.utils import set_request_attr
from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.orm import joinedload

from practice import audit, seams
from practice.auth import drafts
from practice.auth.models import LoginSession, User
from practice.clock import utcnow
from practice.extensions import db

SESSION_KEY = "sb_sid"
TOUCH_EVERY = timedelta(minutes=1)
#: Stylesheets and scripts neither need nor extend a session.
STATIC_ENDPOINTS = {"static", "security.static"}
#: The idle warning's own calls answer for the session themselves (practice.main). ``check``
#: leaves them alone so that a session that has just run out is still there to be ended by the
#: page's next request, the one that carries what the person typed (drafts.keep).
SELF_CHECKED_ENDPOINTS = {"main.session_status", "main.keep_alive"}
#: The idle warning adds this field (value "1") to the form it posts when time runs out. Such a
#: post is only ever kept as a draft: its view never runs, even if another tab kept the session
#: alive, so a half-typed form cannot send an invitation or save a change by itself.
DRAFT_FIELD = "_idle_draft"
#: Session keys starting with this hold what only this sign-in may see, such as the invitation
#: links it just sent (practice.couples.views, practice.admin.views); they go when it ends.
SIGN_IN_ONLY_PREFIX = "fresh_"


def _digest(sid: str) -> str:
    """Return the stored form of a session id."""
    return hashlib.sha256(sid.encode()).hexdigest()


def start(user) -> None:
    """Record a new sign-in for this browser and put its id in the session cookie."""
    sid = secrets.token_urlsafe(32)
    _forget_sign_in_only()
    db.session.add(LoginSession(id=_digest(sid), user_id=user.id))
    session[SESSION_KEY] = sid
    session.permanent = True


def _forget_sign_in_only() -> None:
    """Drop what only the sign-in that is ending may see (a live counselor-creating link, say).

    Flask-Security's logout clears its own keys and the CSRF token, not the rest of the cookie.
    """
    for key in [key for key in session if key.startswith(SIGN_IN_ONLY_PREFIX)]:
        session.pop(key)


def end_current() -> None:
    """Forget this browser's sign-in and what only it could see."""
    _forget_sign_in_only()
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
    seams.access_ended(user)


def idle_timeout() -> timedelta:
    """How long a session may sit unused (IDLE_TIMEOUT_MINUTES; a fraction is allowed)."""
    return timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])


def _touch_every() -> timedelta:
    """At most once a minute, and often enough that a short timeout (a test's) stays exact."""
    return min(TOUCH_EVERY, idle_timeout() / 10)


#: The signed-in user, their roles and this browser's session record (built once: a statement
#: built per request costs more than the query).
_USER_AND_SESSION = (
    select(User, LoginSession)
    .outerjoin(LoginSession, and_(LoginSession.user_id == User.id,
                                  LoginSession.id == bindparam("session_id")))
    .where(User.fs_uniquifier == bindparam("uniquifier"))
    .options(joinedload(User.roles))
)


def load_user(fs_uniquifier):
    """Flask-Login's user loader: the user and this browser's session record in one query.

    Does what Flask-Security's own loader does (an inactive account is nobody), and leaves the
    session record in the database session, so :func:`check` finds it without asking again.
    """
    if not fs_uniquifier:
        return None
    sid = session.get(SESSION_KEY)
    found = db.session.execute(_USER_AND_SESSION, {"uniquifier": str(fs_uniquifier),
                                                   "session_id": _digest(sid) if sid else ""})
    user, g.login_session_row = found.unique().first() or (None, None)
    # ``g`` holds the row for the request: the database session keeps rows only while referred to.
    if user is None or not user.active:
        return None
    set_request_attr("fs_authn_via", "session")
    set_request_attr("fs_paa", session.get("fs_paa", 0))
    return user


def _current_row() -> LoginSession | None:
    """This browser's session record, if it still belongs to the signed-in user."""
    sid = session.get(SESSION_KEY)
    row = db.session.get(LoginSession, _digest(sid)) if sid else None
    return row if row is not None and row.user_id == current_user.id else None


def _ended(row: LoginSession | None, now: datetime) -> str | None:
    """Why this session is over ("revoked", "idle" or "expired"), or None while it is live."""
    if row is None:
        return "revoked"
    if now - row.last_seen_at > idle_timeout():
        return "idle"
    if now - row.started_at > timedelta(hours=current_app.config["ABSOLUTE_SESSION_HOURS"]):
        return "expired"
    return None


def _seconds_left(row: LoginSession, now: datetime) -> int:
    """Whole seconds until idleness or age ends a live session, never 0 (0 means it has ended)."""
    lifetime = timedelta(hours=current_app.config["ABSOLUTE_SESSION_HOURS"])
    end = min(row.last_seen_at + idle_timeout(), row.started_at + lifetime)
    return max(1, math.ceil((end - now).total_seconds()))


def seconds_left() -> int | None:
    """Seconds this browser's session has left, without extending it.

    0 once it has run out (the next request ends it); None when it is gone or nobody signed in.
    """
    if not current_user.is_authenticated:
        return None
    row, now = _current_row(), utcnow()
    reason = _ended(row, now)
    if reason == "revoked":
        return None
    return 0 if reason else _seconds_left(row, now)


def extend() -> int | None:
    """Count this moment as activity and return the seconds left; None once the session is over.

    A session that has already run out is not revived: the page's next request ends it.
    """
    if not current_user.is_authenticated:
        return None
    row, now = _current_row(), utcnow()
    if _ended(row, now):
        return None
    row.last_seen_at = now
    db.session.commit()
    return _seconds_left(row, now)


def describe(duration: timedelta) -> str:
    """A duration as a person says it: "15 minutes", "1 minute", "30 seconds"."""
    seconds = round(duration.total_seconds())
    if seconds % 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    return f"{seconds // 60} minute{'' if seconds == 60 else 's'}"


def is_draft_post() -> bool:
    """Whether this request is the idle warning's post of a half-typed form (DRAFT_FIELD)."""
    return request.method == "POST" and request.form.get(DRAFT_FIELD) == "1"


def check():
    """Sign out a browser whose session was revoked, sat idle too long or is too old.

    The request then stops here: the page asks to sign in again (a JSON client gets 401), so
    no view runs for a user who was signed out a moment ago. A live session is touched, and the
    seconds it has left go to ``g.session_seconds_left`` for the page's idle warning. The idle
    warning's draft post never reaches its view (``keep_draft``).
    """
    if request.endpoint in STATIC_ENDPOINTS:
        return
    draft = is_draft_post()
    if not current_user.is_authenticated:
        # Nobody to keep it for (another tab's request ended the session first): still no view.
        return signed_out_response() if draft else None
    if request.endpoint in SELF_CHECKED_ENDPOINTS:
        return
    row = _current_row()
    now = utcnow()
    idle = idle_timeout()
    reason = _ended(row, now)
    if reason is None and draft:
        return keep_draft()
    if reason is None:
        if now - row.last_seen_at > _touch_every():
            row.last_seen_at = now
            db.session.commit()
        g.session_seconds_left = _seconds_left(row, now)
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
            f"For your privacy you were signed out after {describe(idle)} without "
            "activity. Please sign in again.",
            "info",
        )
    else:
        flash("Your session has ended. Please sign in again.", "info")
    if kept:
        flash("What you were typing is saved. Sign in and it will be back in the form.", "info")
    return signed_out_response(request.path if kept else None)


def keep_draft():
    """Keep the idle warning's post as a draft while the session is still live, and answer 409.

    The page asked /session/status, heard "over", and posted; meanwhile another tab kept the
    session alive. The view must not run for a form nobody pressed Send on, so the text is only
    kept (the page offers it again when reopened) and the session is neither touched nor ended.
    """
    kept = drafts.keep(current_user, request.path, request.form)
    db.session.commit()
    message = ("You are still signed in; nothing was sent. "
               + ("What you typed is kept for this page." if kept else "There was nothing to keep."))
    return message, 409, {"Content-Type": "text/plain; charset=utf-8"}


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
