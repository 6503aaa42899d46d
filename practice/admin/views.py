"""Staff accounts, managed by the practice owner: invitations, deactivation, two-factor resets."""

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from marshmallow import ValidationError

from practice import audit, pages
from practice.admin import invitations
from practice.admin.models import StaffInvitation
from practice.admin.schemas import CounselorSchema
from practice.auth import drafts, services
from practice.auth.guards import role_required
from practice.auth.models import STAFF_ROLES, User
from practice.clock import utcnow
from practice.couples import access
from practice.extensions import db
from practice.fields import form_errors
from practice.mail import where_mail_went

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Links to invitations sent from this browser, kept in the session while they still work.
FRESH_LINKS = "fresh_staff_invitation_links"


@bp.before_request
@role_required("admin")
def _admins_only():
    """Every admin page is for admins."""


@bp.route("/counselors", methods=["GET", "POST"])
def counselors():
    """List staff and pending invitations, and invite a new counselor."""
    form, errors, status = _restored(), {}, 200
    if request.method == "POST":
        form = request.form
        try:
            data = CounselorSchema().load({k: v for k, v in request.form.items() if k != "csrf_token"})
            invitation, link = invitations.invite_counselor(data["email"], data["name"], current_user)
            return _sent(invitation, link)
        except ValidationError as error:
            errors = form_errors(error)
        except services.AccountError as error:
            errors = {error.field: str(error)}
        status = 422
    data = _staff_page(form, errors)
    if status != 200:
        return render_template("admin/counselors.html", **data), status
    return pages.read_page("admin/counselors.html", data, action="staff.view", object_type="staff")


def _staff_page(form, errors) -> dict:
    """The staff page as plain data: counselors, administrators, open invitations, the invite form."""
    now = utcnow()
    return {
        "counselors": [_person(user) for user in services.counselors()],
        "admins": [_person(user) for user in services.administrators()],
        "invitations": [{"id": str(invitation.id), "name": invitation.name, "email": invitation.email,
                         "expires_at": invitation.expires_at, "expired": invitation.expires_at <= now}
                        for invitation in invitations.pending_invitations()],
        "links": _open_links(), "form": form, "errors": errors,
    }


def _person(user: User) -> dict:
    """A staff account as the staff page shows it."""
    return {"id": user.id, "name": user.name, "display_name": user.display_name, "email": user.email,
            "two_factor": bool(user.tf_primary_method), "active": user.active,
            "you": user.id == current_user.id}


def _sent(invitation: StaffInvitation, link: str):
    """Commit a sent invitation, keep its link for this browser if shown, and go back to the list."""
    db.session.commit()
    if current_app.config["SHOW_INVITE_LINKS"]:
        session[FRESH_LINKS] = {**session.get(FRESH_LINKS, {}), str(invitation.id): link}
    flash(f"{where_mail_went(invitation.email)} The link works once, for "
          f"{current_app.config['INVITATION_HOURS']} hours.", "success")
    return redirect(url_for("admin.counselors"))


def _restored() -> dict:
    """What the admin typed into "Invite a counselor" before their session ended, if anything."""
    if request.method != "GET":
        return {}
    draft = drafts.take(request.path)
    if draft:
        flash("Here is what you were typing before you were signed out. Check it and send.", "info")
    return draft or {}


def _open_links() -> dict[str, str]:
    """Links sent from this browser that still work, by invitation id."""
    sent = session.get(FRESH_LINKS, {})
    kept = {key: link for key, link in sent.items() if invitations.is_current_link(key, link)}
    if kept != sent:
        session[FRESH_LINKS] = kept
    return kept


def _invitation(invitation_id: uuid.UUID) -> StaffInvitation:
    """The invitation, or a 404 that is audited as a refused lookup."""
    invitation = db.session.get(StaffInvitation, invitation_id)
    if invitation is None:
        access.deny("staff_invitation", invitation_id)
    return invitation


@bp.post("/invitations/<uuid:invitation_id>/resend")
def resend_invitation(invitation_id: uuid.UUID):
    """Send a new link to someone invited before; the old link stops working."""
    invitation = _invitation(invitation_id)
    try:
        fresh, link = invitations.resend_invitation(invitation, current_user)
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.counselors"))
    return _sent(fresh, link)


@bp.post("/invitations/<uuid:invitation_id>/revoke")
def revoke_invitation(invitation_id: uuid.UUID):
    """Make an invitation link stop working."""
    invitation = _invitation(invitation_id)
    if invitations.revoke_invitation(invitation):
        db.session.commit()
        flash(f"The invitation to {invitation.email} no longer works.", "success")
    else:
        flash(f"The invitation to {invitation.email} had already been used or replaced.", "info")
    return redirect(url_for("admin.counselors"))


@bp.post("/counselors/<uuid:user_id>/active")
def set_active(user_id: uuid.UUID):
    """Deactivate or reactivate a counselor account."""
    user = db.session.get(User, user_id)
    if user is None or user.role != "counselor":
        access.deny("user", user_id)
    active = request.form.get("active") == "1"
    services.set_active(user, active)
    db.session.commit()
    flash(f"{user.name} {'can sign in again' if active else 'is deactivated and signed out'}.", "success")
    return redirect(url_for("admin.counselors"))


@bp.route("/staff/<uuid:user_id>/two-factor", methods=["GET", "POST"])
def reset_two_factor(user_id: uuid.UUID):
    """Confirm, then reset another staff member's two-factor sign-in (a lost phone)."""
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        access.deny("user", user_id)
    if user.id == current_user.id:
        # Resetting your own second factor here would need nothing but this open session.
        if request.method == "POST":
            audit.record("user.two_factor_reset", object_type="user", object_id=user.id, outcome="denied")
            db.session.commit()
        return render_template("admin/reset_two_factor.html", user=_person(user), yourself=True), 409
    if request.method == "GET":
        return render_template("admin/reset_two_factor.html", user=_person(user), yourself=False)
    services.reset_two_factor(user, actor=current_user._get_current_object())
    db.session.commit()
    flash(f"Two-factor sign-in is reset for {user.display_name}, and they are signed out everywhere. "
          "At their next sign-in they set it up again with their new phone.", "success")
    return redirect(url_for("admin.counselors"))
