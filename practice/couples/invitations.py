"""Partner invitations: single-use links that expire, stored only as hashes."""

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from flask import current_app, render_template, url_for
from flask_mailman import EmailMessage
from flask_security import hash_password
from sqlalchemy import select

from practice import audit, mail
from practice.auth.models import Role, User
from practice.clock import utcnow
from practice.couples.models import CoupleStatus, Invitation, Partner
from practice.extensions import db


class InvitationState(StrEnum):
    """Where a partner stands with the portal, as the counselor sees it."""

    not_invited = "not invited"
    pending = "invited"
    expired = "invitation expired"
    revoked = "invitation revoked"
    accepted = "joined"


def token_hash(token: str) -> str:
    """Return the stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def state_of(partner: Partner) -> InvitationState:
    """Return the partner's invitation state from their latest invitation."""
    return state_from(partner.user_id, partner.invitations[0] if partner.invitations else None)


def state_from(user_id, latest) -> InvitationState:
    """The invitation state of a partner with this user id and latest invitation (or None)."""
    if user_id is not None:
        return InvitationState.accepted
    if latest is None:
        return InvitationState.not_invited
    if latest.revoked_at is not None:
        return InvitationState.revoked
    if latest.expires_at <= utcnow():
        return InvitationState.expired
    return InvitationState.pending


def invite_partner(partner: Partner) -> str:
    """Revoke any open invitation, make a new one, email it once committed, return the link."""
    now = utcnow()
    for old in partner.invitations:
        if old.accepted_at is None and old.revoked_at is None:
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    hours = current_app.config["INVITATION_HOURS"]
    invitation = Invitation(partner=partner, token_hash=token_hash(token), created_at=now,
                            expires_at=now + timedelta(hours=hours))
    db.session.add(invitation)
    db.session.flush()
    link = url_for("invitations.accept", token=token, _external=True)
    counselor = partner.couple.counselor
    message = EmailMessage(
        # Collapsed to one line: a line break in a header makes the mail library refuse to send.
        subject=f"{' '.join(counselor.display_name.split())} invited you to SecureBase",
        body=render_template("couples/invitation_email.txt", partner=partner, counselor=counselor,
                             link=link, hours=hours),
        to=[partner.email],
    )
    mail.send_after_commit(message)
    audit.record("invitation.send", obj=invitation, couple_id=partner.couple_id)
    return link


def is_current_link(partner: Partner, link: str) -> bool:
    """Whether ``link`` is the partner's newest invitation and can still be used."""
    token = link.rstrip("/").rsplit("/", 1)[-1]
    return state_of(partner) == InvitationState.pending and (
        partner.invitations[0].token_hash == token_hash(token)
    )


def revoke_invitation(partner: Partner) -> None:
    """Make the partner's open invitation link stop working."""
    now = utcnow()
    for invitation in partner.invitations:
        if invitation.accepted_at is None and invitation.revoked_at is None:
            invitation.revoked_at = now
            audit.record("invitation.revoke", obj=invitation, couple_id=partner.couple_id)


def find_invitation(token: str) -> Invitation | None:
    """Return the invitation a link was made for, usable or not."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def link_was_used(token: str) -> bool:
    """Whether this is a real link that a partner already used to join.

    A token nobody issued finds nothing, so a stranger guessing tokens learns nothing about
    who has an account; only the link's own holder, the partner it was emailed to, is told.
    """
    invitation = find_invitation(token)
    return invitation is not None and invitation.accepted_at is not None


def find_open_invitation(token: str) -> Invitation | None:
    """Return the invitation for a link if it can still be used."""
    invitation = find_invitation(token)
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if invitation.expires_at <= utcnow() or invitation.partner.user_id is not None:
        return None
    if invitation.partner.couple.status != CoupleStatus.active:
        return None  # an archived couple's portal is closed, so its links are too
    return invitation


def email_taken(email: str) -> bool:
    """Whether an account already uses this email."""
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Create the partner's account with their chosen password and spend the invitation."""
    partner = invitation.partner
    role = db.session.scalar(select(Role).where(Role.name == "partner"))
    user = User(email=partner.email, name=partner.name, password=hash_password(password),
                fs_uniquifier=secrets.token_hex(32), roles=[role], active=True)
    db.session.add(user)
    db.session.flush()
    partner.user_id = user.id
    invitation.accepted_at = utcnow()
    audit.record("invitation.accept", obj=invitation, couple_id=partner.couple_id, actor=user)
    return user
