"""Staff invitations: the admin invites a counselor by email; the link works once and expires.

Like partners' invitations (``practice.couples.invitations``), only a hash of the token is
stored, a new invitation to the same address replaces the open one, and the account is made
only when the invited person chooses their password.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_mailman import EmailMessage
from sqlalchemy import select

from practice import audit, mail
from practice.admin.models import StaffInvitation
from practice.auth.models import User
from practice.auth.services import AccountError, create_user, stored_email
from practice.clock import utcnow
from practice.extensions import db


def token_hash(token: str) -> str:
    """Return the stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_expired(invitation: StaffInvitation) -> bool:
    """Whether the invitation's link has run out of time."""
    return invitation.expires_at <= utcnow()


def pending_invitations() -> list[StaffInvitation]:
    """Invitations not yet used or revoked, expired ones included, newest first."""
    query = (select(StaffInvitation)
             .where(StaffInvitation.accepted_at.is_(None), StaffInvitation.revoked_at.is_(None))
             .order_by(StaffInvitation.created_at.desc()))
    return list(db.session.scalars(query))


def _account_exists(email: str) -> bool:
    """Whether an account already uses this email."""
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def invite_counselor(email: str, name: str, invited_by: User | None) -> tuple[StaffInvitation, str]:
    """Email a new counselor (once committed) a link to choose their password; return invitation, link.

    Raises :class:`AccountError` when the address already has an account. An open invitation
    to the same address stops working: the newest link is the only one.
    """
    email = stored_email(email)
    if _account_exists(email):
        raise AccountError("email", "An account with this email already exists.")
    now = utcnow()
    for old in db.session.scalars(select(StaffInvitation).where(
            StaffInvitation.email == email, StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None))):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    hours = current_app.config["INVITATION_HOURS"]
    invitation = StaffInvitation(email=email, name=name.strip(), role="counselor",
                                 token_hash=token_hash(token), invited_by=invited_by,
                                 created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(invitation)
    db.session.flush()
    link = url_for("join.accept", token=token, _external=True)
    inviter = " ".join((invited_by.display_name if invited_by else "Your practice").split())
    mail.send_after_commit(EmailMessage(
        # One line: a line break in a header makes the mail library refuse to send.
        subject=f"{inviter} invited you to SecureBase",
        body=render_template("admin/invitation_email.txt", invitation=invitation, inviter=inviter,
                             link=link, hours=hours),
        to=[email],
    ))
    audit.record("staff_invitation.send", obj=invitation, object_type="staff_invitation")
    return invitation, link


def resend_invitation(invitation: StaffInvitation, invited_by: User | None) -> tuple[StaffInvitation, str]:
    """Send the same person a fresh link; the old one stops working."""
    if invitation.accepted_at is not None:
        raise AccountError("email", f"{invitation.name} has already joined.")
    return invite_counselor(invitation.email, invitation.name, invited_by)


def revoke_invitation(invitation: StaffInvitation) -> bool:
    """Make an unused invitation link stop working; return False if it had already stopped."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return False
    invitation.revoked_at = utcnow()
    audit.record("staff_invitation.revoke", obj=invitation, object_type="staff_invitation")
    return True


def is_current_link(invitation_id: str, link: str) -> bool:
    """Whether ``link`` is still the usable link of that invitation (for showing it again)."""
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = find_open_invitation(token)
    return invitation is not None and str(invitation.id) == invitation_id


def find_invitation(token: str) -> StaffInvitation | None:
    """Return the invitation a link was made for, usable or not."""
    return db.session.scalar(select(StaffInvitation).where(StaffInvitation.token_hash == token_hash(token)))


def find_open_invitation(token: str) -> StaffInvitation | None:
    """Return the invitation for a link if it can still be used."""
    invitation = find_invitation(token)
    if invitation is None or invitation.accepted_at or invitation.revoked_at or is_expired(invitation):
        return None
    return invitation


def email_taken(invitation: StaffInvitation) -> bool:
    """Whether an account was made for the invited address some other way since it was sent."""
    return _account_exists(invitation.email)


def accept_invitation(invitation: StaffInvitation, password: str) -> User:
    """Create the staff account with the chosen password and spend the invitation."""
    user = create_user(invitation.email, invitation.name, password, invitation.role)
    invitation.accepted_at = utcnow()
    audit.record("staff_invitation.accept", obj=invitation, object_type="staff_invitation", actor=user)
    return user
