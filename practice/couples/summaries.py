"""Couples as plain data for pages, panels and the API: what a template may read.

Pages never hand a template an ORM row (DESIGN.md, "Read pages"): the views gather these frozen
summaries first, with a fixed number of queries whatever a couple's history, and the template
reads only them.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from practice.couples.invitations import InvitationState, state_from
from practice.couples.models import CONFIDENTIALITY_TEXT, Couple, Partner
from practice.seams import Viewer


@dataclass(frozen=True)
class PartnerSummary:
    """One partner as a page shows them."""

    id: uuid.UUID
    position: int
    name: str
    first_name: str
    pronouns: str
    email: str
    user_id: uuid.UUID | None
    #: "not invited", "invited", "expired", "revoked" or "joined".
    state: str
    #: When the open invitation stops working, if one is open.
    invitation_expires_at: datetime | None


@dataclass(frozen=True)
class CoupleSummary:
    """One couple as a page shows it."""

    id: uuid.UUID
    label: str
    status: str
    time_zone: str
    confidentiality: str
    agreement_title: str
    agreement_text: str
    counselor_id: uuid.UUID
    counselor_name: str
    partners: tuple[PartnerSummary, ...]

    @property
    def archived(self) -> bool:
        """Whether the couple is out of the active caseload."""
        return self.status == "archived"

    def partner(self, partner_id) -> PartnerSummary | None:
        """One of the two partners by id, or None."""
        return next((p for p in self.partners if p.id == partner_id), None)

    def other_than(self, partner_id) -> PartnerSummary:
        """The partner who is not ``partner_id``."""
        return next(p for p in self.partners if p.id != partner_id)


def summarise_partner(partner: Partner) -> PartnerSummary:
    """A partner as plain data (their invitations must be loaded)."""
    latest = partner.invitations[0] if partner.invitations else None
    return _partner(partner.id, partner.position, partner.name, partner.pronouns, partner.email,
                    partner.user_id, latest)


def _partner(partner_id, position, name, pronouns, email, user_id, latest) -> PartnerSummary:
    """A partner summary from their fields and their latest invitation (or None)."""
    state = state_from(user_id, latest)
    return PartnerSummary(
        id=partner_id, position=position, name=name, first_name=(name.split() or [name])[0],
        pronouns=pronouns or "", email=email, user_id=user_id, state=state.value,
        invitation_expires_at=latest.expires_at if state is InvitationState.pending else None,
    )


def summarise(couple: Couple, counselor_name: str = "") -> CoupleSummary:
    """A couple as plain data (its partners and their invitations must be loaded)."""
    return _couple(couple, tuple(summarise_partner(p) for p in couple.partners), counselor_name)


def _couple(couple, partners: tuple[PartnerSummary, ...], counselor_name: str) -> CoupleSummary:
    """A couple summary from anything with a couple's fields (a row or a record)."""
    title, text = CONFIDENTIALITY_TEXT[couple.confidentiality]
    return CoupleSummary(
        id=couple.id, label=couple.label, status=couple.status.value, time_zone=couple.time_zone,
        confidentiality=couple.confidentiality.value, agreement_title=title, agreement_text=text,
        counselor_id=couple.counselor_id, counselor_name=counselor_name, partners=partners,
    )


def summarise_rows(rows) -> list[CoupleSummary]:
    """Couples as plain data from joined rows (``access.caseload_page``), without ORM records.

    A couple's rows come together, its partners in order, each partner's newest invitation first.
    """
    couples: dict = {}
    for row in rows:
        partners = couples.setdefault(row.id, (row, {}))[1]
        if row.partner_id is not None and row.partner_id not in partners:
            partners[row.partner_id] = _partner(
                row.partner_id, row.position, row.name, row.pronouns, row.email, row.user_id,
                row if row.invitation_id is not None else None)
    return [_couple(row, tuple(partners.values()), "") for row, partners in couples.values()]


def viewer_of(user, partner_id=None) -> Viewer:
    """The signed-in user as plain data."""
    return Viewer(user_id=user.id, role=user.role, name=user.display_name, partner_id=partner_id)
