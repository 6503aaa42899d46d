"""Counselor accounts, managed by the practice owner."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from practice.admin.schemas import CounselorSchema
from practice.auth import services
from practice.auth.guards import role_required
from practice.auth.models import User
from practice.couples import access
from practice.extensions import db
from practice.fields import form_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def _admins_only():
    """Every admin page is for admins."""


@bp.route("/counselors", methods=["GET", "POST"])
def counselors():
    """List counselors and add a new one."""
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.form
        try:
            data = CounselorSchema().load({k: v for k, v in request.form.items() if k != "csrf_token"})
            user = services.create_user(data["email"], data["name"], data["password"], "counselor")
            db.session.commit()
            flash(f"Account created for {user.name}. They will set up two-factor sign-in the "
                  "first time they sign in.", "success")
            return redirect(url_for("admin.counselors"))
        except ValidationError as error:
            errors = form_errors(error)
        except services.AccountError as error:
            errors = {error.field: str(error)}
        status = 422
    return render_template("admin/counselors.html", counselors=services.counselors(),
                           form=form, errors=errors), status


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
