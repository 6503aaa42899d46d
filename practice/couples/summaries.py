"""Couples as plain data for pages, panels and the API: what a template may read.

Pages never hand a template an ORM row (DESIGN.md, "Read pages"): the views gather these frozen
summaries first, with a fixed number of queries whatever a couple's history, and the template
reads only them.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from practice.couples.invitations import InvitationState, state_of
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
    state = state_of(partner)
    expires = partner.invitations[0].expires_at if state is InvitationState.pending else None
    return PartnerSummary(
        id=partner.id, position=partner.position, name=partner.name,
        first_name=(partner.name.split() or [partner.name])[0], pronouns=partner.pronouns or "",
        email=partner.email, user_id=partner.user_id, state=state.value,
        invitation_expires_at=expires,
    )


def summarise(couple: Couple, counselor_name: str = "") -> CoupleSummary:
    """A couple as plain data (its partners and their invitations must be loaded)."""
    title, text = CONFIDENTIALITY_TEXT[couple.confidentiality]
    return CoupleSummary(
        id=couple.id, label=couple.label, status=couple.status.value, time_zone=couple.time_zone,
        confidentiality=couple.confidentiality.value, agreement_title=title, agreement_text=text,
        counselor_id=couple.counselor_id, counselor_name=counselor_name,
        partners=tuple(summarise_partner(p) for p in couple.partners),
    )


def viewer_of(user, partner_id=None) -> Viewer:
    """The signed-in user as plain data."""
    return Viewer(user_id=user.id, role=user.role, name=user.display_name, partner_id=partner_id)
