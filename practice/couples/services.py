"""What a counselor does with their caseload: add, edit, archive and restore couples."""

from marshmallow import ValidationError

from practice import audit
from practice.auth import sessions
from practice.clock import utcnow
from practice.couples import invitations
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.extensions import db


def default_label(first: str, second: str) -> str:
    """Name a couple after its partners' first names, e.g. "Maya & Jordan" (at most 120 characters)."""
    return f"{first.split()[0][:58]} & {second.split()[0][:58]}"


def add_couple(counselor, data: dict) -> Couple:
    """Add a couple and its two partners to the counselor's caseload."""
    a, b = data["partner_a"], data["partner_b"]
    couple = Couple(
        counselor_id=counselor.id,
        label=data.get("label") or default_label(a["name"], b["name"]),
        time_zone=data["time_zone"],
        confidentiality=data["confidentiality"],
    )
    couple.partners = [
        Partner(position=1, name=a["name"], email=a["email"], pronouns=a.get("pronouns") or None),
        Partner(position=2, name=b["name"], email=b["email"], pronouns=b.get("pronouns") or None),
    ]
    db.session.add(couple)
    db.session.flush()
    audit.record("couple.create", obj=couple, couple_id=couple.id)
    return couple


def edit_couple(couple: Couple, data: dict) -> Couple:
    """Change a couple's details; a joined partner's email is fixed, a new one voids old links."""
    a, b = data["partner_a"], data["partner_b"]
    kept = [p.email if p.user_id else e["email"] for p, e in zip(couple.partners, (a, b), strict=True)]
    if kept[0] == kept[1]:
        raise ValidationError({"partner_b.email": ["Each partner needs their own email address."]})
    couple.label = data.get("label") or default_label(a["name"], b["name"])
    couple.time_zone = data["time_zone"]
    couple.confidentiality = data["confidentiality"]
    for partner, entered in zip(couple.partners, (a, b), strict=True):
        partner.name = entered["name"]
        partner.pronouns = entered.get("pronouns") or None
        if partner.user_id is None and partner.email != entered["email"]:
            # A link sent to the old address must not open an account under the new one.
            invitations.revoke_invitation(partner)
            partner.email = entered["email"]
    audit.record("couple.edit", obj=couple, couple_id=couple.id)
    return couple


def archive_couple(couple: Couple) -> None:
    """Move a couple out of the active caseload and sign its partners out of the portal."""
    couple.status = CoupleStatus.archived
    couple.archived_at = utcnow()
    for partner in couple.partners:
        if partner.user is not None:
            sessions.end_all(partner.user)
    audit.record("couple.archive", obj=couple, couple_id=couple.id)


def restore_couple(couple: Couple) -> None:
    """Bring an archived couple back into the active caseload."""
    couple.status = CoupleStatus.active
    couple.archived_at = None
    audit.record("couple.restore", obj=couple, couple_id=couple.id)
