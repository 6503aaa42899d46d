"""The page a new counselor reaches from their invitation email: choose a password, then two-factor."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from practice.admin import invitations
from practice.auth.passwords import ChoosePasswordSchema
from practice.auth.services import AccountError
from practice.extensions import db, limiter, security
from practice.fields import form_errors

bp = Blueprint("join", __name__, url_prefix="/join")


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def accept(token: str):
    """Let an invited counselor choose a password, then take them to set up two-factor."""
    invitation = invitations.find_open_invitation(token)
    if invitation is None:
        used = invitations.find_invitation(token)
        if used is not None and used.accepted_at is not None:
            # Only the real link's holder gets here: the person who joined with it.
            return _link_invalid(joined=True), 404
        return _link_invalid(), 404
    if current_user.is_authenticated:
        return render_template("invitations/signed_in.html", name=invitation.name), 409
    if invitations.email_taken(invitation):
        return _link_invalid(taken=True), 409
    errors = {}
    if request.method == "POST":
        typed = {k: v for k, v in request.form.items() if k in ("password", "password_confirm")}
        try:
            data = ChoosePasswordSchema().load(typed)
            user = invitations.accept_invitation(invitation, data["password"])
            db.session.commit()
        except ValidationError as error:
            errors = form_errors(error)
        except (AccountError, IntegrityError):
            # The same link used twice at once, or the address taken meanwhile: the first one wins.
            db.session.rollback()
            return _link_invalid(), 404
        else:
            flash("Your account is ready. One more step: set up two-factor sign-in.", "success")
            # Flask-Security's own path after a correct password: a staff member with no second
            # factor yet is sent to set one up, and is signed in only once it works.
            return security.two_factor_plugins.tf_enter(user, False, "password", None) or redirect(
                url_for("security.login"))
    page = render_template("admin/join.html", invitation=_shown(invitation), errors=errors)
    return page, 422 if errors else 200


def _link_invalid(**why) -> str:
    """The page for a join link that cannot be used (``joined`` or ``taken`` say why)."""
    return render_template("invitations/link_invalid.html", sender="your practice", **why)


def _shown(invitation) -> dict:
    """The join page's plain data: who is invited, and who invited them."""
    inviter = invitation.invited_by
    return {"name": invitation.name, "email": invitation.email,
            "inviter": inviter.display_name if inviter else "Your practice"}
