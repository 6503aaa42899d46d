"""The partner's home, phone first."""

from flask import Blueprint, render_template
from flask_login import current_user

from practice import pages, seams
from practice.auth.guards import role_required
from practice.couples import access
from practice.couples.summaries import summarise, viewer_of

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@role_required("partner")
def home():
    """The partner's couple, counselor, and whatever each feature adds for them."""
    partner = access.own_partner()
    couple_row = access.own_couple(partner)
    if couple_row is None:
        return render_template("portal/closed.html")
    couple = summarise(couple_row, couple_row.counselor.display_name)
    me = couple.partner(partner.id)
    data = {"partner": me, "other": couple.other_than(partner.id), "couple": couple,
            "panels": seams.portal_panels(couple, viewer_of(current_user, partner_id=me.id))}
    return pages.read_page("portal/home.html", data, action="portal.view", object_type="couple",
                           object_id=couple.id, couple_id=couple.id)
