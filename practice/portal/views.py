"""The partner's home, phone first."""

from flask import Blueprint, render_template

from practice import audit
from practice.auth.guards import role_required
from practice.couples import access
from practice.couples.hub import PORTAL_PANELS
from practice.couples.models import CONFIDENTIALITY_TEXT
from practice.extensions import db

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@role_required("partner")
def home():
    """The partner's couple, counselor, homework and worksheets."""
    partner = access.own_partner()
    couple = access.own_couple(partner)
    if couple is None:
        return render_template("portal/closed.html", partner=partner)
    audit.record("portal.view", obj=couple, couple_id=couple.id)
    other = next(p for p in couple.partners if p.id != partner.id)
    panels = [(panel, panel.context(couple, partner)) for panel in PORTAL_PANELS]
    html = render_template("portal/home.html", partner=partner, other=other, couple=couple,
                           policy=CONFIDENTIALITY_TEXT[couple.confidentiality], panels=panels)
    db.session.commit()  # the view's audit event, after rendering so nothing reloads
    return html
