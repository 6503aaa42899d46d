"""API endpoints the portal's scripts use."""

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_security import auth_required

from practice import pages
from practice.api.schemas import CoupleSummarySchema, MeSchema
from practice.auth.guards import role_required
from practice.couples import access
from practice.couples.summaries import summarise
from practice.openapi import SIGNED_IN, ApiBlueprint, ApiErrorSchema

bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="The partner portal's data")


@bp.route("/me")
class Me(MethodView):
    """The signed-in person."""

    @auth_required()
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, MeSchema)
    @bp.alt_response(401, schema=ApiErrorSchema, description="Not signed in")
    def get(self):
        """Return who is signed in."""
        return {"name": current_user.display_name, "email": current_user.email,
                "role": current_user.role, "two_factor": bool(current_user.tf_primary_method)}


@bp.route("/couple")
class CoupleSummary(MethodView):
    """The signed-in partner's couple."""

    @role_required("partner")
    @bp.doc(security=SIGNED_IN)
    @bp.response(200, CoupleSummarySchema)
    @bp.alt_response(401, schema=ApiErrorSchema, description="Not signed in")
    @bp.alt_response(403, schema=ApiErrorSchema, description="Not a partner")
    @bp.alt_response(404, schema=ApiErrorSchema, description="The couple is archived")
    def get(self):
        """Return the partner's couple: label, counselor and both partners."""
        couple = access.own_couple()
        if couple is None:
            abort(404)
        summary = summarise(couple, couple.counselor.display_name)
        payload = CoupleSummarySchema().dump({
            "id": summary.id, "time_zone": summary.time_zone,
            "counselor": summary.counselor_name, "confidentiality": summary.confidentiality,
            "partners": [
                {"id": p.id, "name": p.name, "pronouns": p.pronouns or None,
                 "is_me": p.user_id == current_user.id, "joined": p.user_id is not None}
                for p in summary.partners
            ],
        })
        # The partner's portal reading its data: the trail says "viewed the portal", not the couple page.
        return pages.read_json(payload, action="portal.view", object_type="couple",
                               object_id=summary.id, couple_id=summary.id)
