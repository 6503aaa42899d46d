"""The only way to load a couple or anything under it: scoped to the signed-in user.

Someone else's object and an object that does not exist both give 404, and the miss is audited.
"""

import uuid

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from practice import audit
from practice.auth.models import User
from practice.couples.models import Couple, CoupleStatus, Invitation, Partner
from practice.couples.summaries import summarise
from practice.extensions import db
from practice.paging import page_of_total

#: A couple's partners and their invitations, in the query that loads the couple: the number of
#: statements stays the same however many couples, partners or invitations there are.
WITH_PARTNERS = joinedload(Couple.partners).joinedload(Partner.invitations)
#: The statements every couple page and portal page runs, built once (building one per request
#: costs more than running it).
_COUPLE = select(Couple).where(Couple.id == bindparam("couple_id")).options(WITH_PARTNERS)
_OWN_PARTNER = select(Partner).where(Partner.user_id == bindparam("user_id")).options(
    joinedload(Partner.couple).joinedload(Couple.counselor).lazyload(User.roles),
    joinedload(Partner.couple).options(WITH_PARTNERS),
)


def deny(object_type: str, object_id, couple_id=None) -> None:
    """Audit a refused lookup and answer 404, exactly as for a missing object.

    ``couple_id`` files the refusal under the couple it was about, so it shows in that couple's
    audit trail (for a refused couple, the id that was asked for).
    """
    audit.record("access.denied", object_type=object_type, object_id=str(object_id),
                 couple_id=couple_id, outcome="denied")
    db.session.commit()
    abort(404)


def _caseload_couples(searching: bool):
    """The signed-in counselor's couples with a status, matching ``pattern`` when ``searching``."""
    query = select(Couple.id, Couple.label, Couple.status, Couple.time_zone, Couple.confidentiality,
                   Couple.counselor_id, Couple.sort_label).where(
        Couple.counselor_id == bindparam("counselor_id"), Couple.status == bindparam("status"))
    if searching:
        pattern = bindparam("pattern")
        # Only this counselor's couples' partners are looked at, not every partner in the practice.
        named = select(Partner.id).where(Partner.couple_id == Couple.id,
                                         Partner.search_name.like(pattern, escape="\\")).exists()
        query = query.where(or_(Couple.sort_label.like(pattern, escape="\\"), named))
    return query


def _caseload_statements(searching: bool) -> tuple:
    """The caseload's count and its page of rows (couples, partners, invitations), built once."""
    couples = _caseload_couples(searching)
    count = select(func.count()).select_from(couples.subquery())
    # Ordered as ix_couple_caseload is, so a page is read off the index, not sorted per request.
    shown = couples.order_by(Couple.sort_label, Couple.id).limit(bindparam("limit")).offset(
        bindparam("offset")).subquery()
    rows = (select(shown, Partner.id.label("partner_id"), Partner.position, Partner.name, Partner.pronouns,
                   Partner.email, Partner.user_id, Invitation.id.label("invitation_id"),
                   Invitation.expires_at, Invitation.revoked_at)
            .outerjoin(Partner, Partner.couple_id == shown.c.id)
            .outerjoin(Invitation, Invitation.partner_id == Partner.id)
            .order_by(shown.c.sort_label, shown.c.id, Partner.position, Invitation.created_at.desc()))
    return count, rows


#: (count, rows) for the whole caseload and for a search: building them per request cost more
#: than running them.
_CASELOAD = {searching: _caseload_statements(searching) for searching in (False, True)}


def caseload_page(search: str, status: CoupleStatus, number, per_page: int):
    """One page of the signed-in counselor's couples, optionally matching a name, as plain rows.

    Returns the page's numbers and one row per couple, partner and invitation (each couple's rows
    together, partners in order, newest invitation first), read in one statement after the count.
    """
    count, rows = _CASELOAD[bool(search)]
    values = {"counselor_id": current_user.id, "status": status}
    if search:
        # %, _ and the escape character itself are plain characters in a name search.
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values["pattern"] = f"%{escaped}%"
    page = page_of_total(db.session.scalar(count, values) or 0, number, per_page)
    return page, db.session.execute(rows, {**values, "limit": per_page, "offset": page.offset}).all()


def counselor_couple(couple_id: uuid.UUID) -> Couple:
    """Return one of the signed-in counselor's couples, partners and invitations loaded, or 404."""
    couple = db.session.execute(_COUPLE, {"couple_id": couple_id}).unique().scalar_one_or_none()
    if couple is None or couple.counselor_id != current_user.id:
        deny("couple", couple_id, couple_id=couple_id)
    return couple


def counselor_partner(couple: Couple, partner_id: uuid.UUID) -> Partner:
    """Return a partner of a couple the counselor already holds, or 404."""
    for partner in couple.partners:
        if partner.id == partner_id:
            return partner
    deny("partner", partner_id, couple_id=couple.id)


def own_partner() -> Partner | None:
    """Return the signed-in partner's own record, or None; their couple, its counselor and partners loaded."""
    return db.session.execute(_OWN_PARTNER, {"user_id": current_user.id}).unique().scalar_one_or_none()


def own_couple(partner: Partner | None = None) -> Couple | None:
    """Return the signed-in partner's couple while it is active (pass their record if loaded)."""
    partner = partner or own_partner()
    if partner is None or partner.couple.status != CoupleStatus.active:
        return None
    return partner.couple


def own_partner_and_couple():
    """The signed-in partner's record and their active couple as plain data; 404 when it is closed."""
    partner = own_partner()
    row = own_couple(partner)
    if row is None:
        abort(404)
    return partner, summarise(row, row.counselor.display_name)
