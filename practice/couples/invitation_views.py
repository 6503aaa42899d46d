"""The page a partner reaches from their invitation email."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_security import login_user
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from practice import pages
from practice.auth.passwords import ChoosePasswordSchema
from practice.couples import invitations
from practice.extensions import db, limiter
from practice.fields import form_errors

bp = Blueprint("invitations", __name__, url_prefix="/invite")


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def accept(token: str):
    """Let an invited partner choose a password and enter the portal."""
    invitation = invitations.find_open_invitation(token)
    if invitation is None:
        if invitations.link_was_used(token):
            # Still 404 (the invitation is gone), but its holder is the partner who joined.
            return _link_invalid(joined=True), 404
        return _link_invalid(), 404
    partner = invitation.partner
    if current_user.is_authenticated:
        return render_template("invitations/signed_in.html", name=partner.name), 409
    if invitations.email_taken(partner.email):
        return _link_invalid(taken=True), 409
    errors = {}
    if request.method == "POST":
        typed = {k: v for k, v in request.form.items() if k in ("password", "password_confirm")}
        try:
            password = ChoosePasswordSchema().load(typed)["password"]
        except ValidationError as error:
            errors = form_errors(error)
        else:
            try:
                user = invitations.accept_invitation(invitation, password)
                db.session.flush()
            except IntegrityError:
                # The same link accepted twice at once: the first one wins.
                db.session.rollback()
                return _link_invalid(), 404
            login_user(user, authn_via=["invitation"])
            db.session.commit()
            return redirect(url_for("portal.home"))
    # The page names the partner and their counselor to whoever holds the link: audited.
    return pages.read_page("couples/invitation_accept.html", {**_who(invitation), "errors": errors},
                           action="invitation.view", object_type="invitation", object_id=invitation.id,
                           couple_id=partner.couple_id, status=422 if errors else 200)


def _link_invalid(**why) -> str:
    """The page for an invitation link that cannot be used (``joined`` or ``taken`` say why)."""
    return render_template("invitations/link_invalid.html", sender="your counselor", **why)


def _who(invitation) -> dict:
    """The invitation page's plain data: who is invited, and by which counselor."""
    partner = invitation.partner
    return {"partner": {"name": partner.name, "email": partner.email},
            "counselor": {"display_name": partner.couple.counselor.display_name}}
