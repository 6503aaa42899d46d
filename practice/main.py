"""Pages every visitor shares: the front door, help, and the account page."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from flask_security import auth_required

from practice.crisis import crisis_resources

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {"counselor": "couples.caseload", "admin": "admin.counselors", "partner": "portal.home"}


@bp.get("/")
def home():
    """Send each person to their own starting page."""
    if not current_user.is_authenticated:
        return redirect(url_for("security.login"))
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "main.account")))


@bp.get("/help")
def get_help():
    """Crisis lines and emergency numbers, reachable from every page, signed in or not."""
    return render_template("main/help.html", crisis=crisis_resources(current_app))


@bp.get("/account")
@auth_required()
def account():
    """The signed-in person's password, two-factor and sign-out."""
    return render_template("main/account.html")
