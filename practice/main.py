"""Pages every visitor shares: the front door, help, the account page, and the page chrome.

The chrome is what ``base.html`` draws around every page: the quick exit for partners, the idle
warning for anyone signed in, and discreet mode's neutral tab title.
"""


from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_security import auth_required
from marshmallow import RAISE, Schema, ValidationError, fields

from practice import audit, errors
from practice.auth import sessions
from practice.crisis import crisis_lines, crisis_resources
from practice.extensions import db
from practice.fields import form_errors

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {"counselor": "couples.caseload", "admin": "admin.counselors", "partner": "portal.home"}
#: The one tab title every page has in discreet mode: an everyday word that names nothing.
DISCREET_TITLE = "Notes"
#: Remembers discreet mode in this browser after sign-out, so the sign-in page the idle timeout
#: leaves behind is neutral too. It holds "1" and nothing else: no account, no client data.
DISCREET_COOKIE = "sb_discreet"
#: Pages a partner may open before signing in (help, their invitation): they get the quick exit too.
PARTNER_FACING_ENDPOINTS = {"main.get_help"}
#: Signed out, a partner still types their password on the sign-in and reset pages.
PARTNER_FACING_BLUEPRINTS = {"invitations", "security"}


@bp.get("/")
def home():
    """Send each person to their own starting page."""
    if not current_user.is_authenticated:
        return redirect(url_for("security.login"))
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "main.account")))


@bp.get("/help")
def get_help():
    """Crisis lines and emergency numbers, reachable from every page, signed in or not."""
    resources = crisis_resources(current_app)
    return render_template("main/help.html", crisis=resources, lines=crisis_lines(resources))


@bp.get("/account")
@auth_required()
def account():
    """The signed-in person's password, two-factor, discreet mode and sign-out."""
    return render_template("main/account.html", errors={})


class DiscreetSchema(Schema):
    """The discreet-mode switch: the form says which way it goes."""

    class Meta:
        unknown = RAISE

    discreet = fields.Boolean(required=True, error_messages={"required": "Choose on or off."})


@bp.post("/account/discreet")
@auth_required()
def discreet_mode():
    """Turn discreet mode on or off for the signed-in person."""
    try:
        data = DiscreetSchema().load({k: v for k, v in request.form.items() if k != "csrf_token"})
    except ValidationError as error:
        return render_template("main/account.html", errors=form_errors(error)), 422
    choose_discreet_mode(current_user._get_current_object(), data["discreet"])
    db.session.commit()
    flash("Discreet mode is on: every tab now reads “Notes”." if data["discreet"]
          else "Discreet mode is off.", "success")
    return redirect(url_for("main.account"))


def choose_discreet_mode(user, on: bool) -> None:
    """Switch the user's discreet mode, audited (the event names the user, never the page)."""
    user.discreet = on
    audit.record("account.discreet_mode", object_type="user", object_id=user.id)


@bp.get("/session/status")
def session_status():
    """How long this browser's session has left, without extending it (the idle warning asks)."""
    left = sessions.seconds_left()
    if left is None:
        return errors.json_error(401, "Your session has ended. Sign in again.")
    return jsonify(seconds_left=left)


@bp.post("/session/keep-alive")
def keep_alive():
    """Stay signed in: the idle warning's button. 401 once the session is over."""
    left = sessions.extend()
    if left is None:
        return errors.json_error(401, "Your session has ended. Sign in again.")
    return jsonify(seconds_left=left)


@bp.app_context_processor
def page_chrome() -> dict:
    """What base.html needs for the quick exit, the idle warning and discreet mode."""
    if not has_request_context():
        return {}  # an email or a PDF rendered by a worker has no page chrome
    signed_in = current_user.is_authenticated
    partner = signed_in and current_user.has_role("partner")
    partner_facing = not signed_in and (
        request.endpoint in PARTNER_FACING_ENDPOINTS or request.blueprint in PARTNER_FACING_BLUEPRINTS
    )
    return {"chrome": {
        "quick_exit": partner or partner_facing,
        "discreet": discreet_here(),
        "discreet_title": DISCREET_TITLE,
        # Set by sessions.check on most requests; a page rendered by the request that signed
        # the person in (an accepted invitation) asks the session itself.
        "seconds_left": (g.get("session_seconds_left") or sessions.seconds_left()) if signed_in else None,
        "idle_timeout": sessions.describe(sessions.idle_timeout()),
    }}


def discreet_here() -> bool:
    """Whether this page gets the neutral title: the user's choice, or this browser's last one."""
    if current_user.is_authenticated:
        return bool(current_user.discreet)
    return request.cookies.get(DISCREET_COOKIE) == "1"


@bp.after_app_request
def remember_discreet_mode(response):
    """Keep this browser's discreet cookie in step with whoever is signed in."""
    if request.endpoint in sessions.STATIC_ENDPOINTS or not current_user.is_authenticated:
        return response
    remembered = request.cookies.get(DISCREET_COOKIE) == "1"
    if current_user.discreet and not remembered:
        response.set_cookie(DISCREET_COOKIE, "1", max_age=180 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    elif remembered and not current_user.discreet:
        response.delete_cookie(DISCREET_COOKIE, httponly=True, samesite="Lax",
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
