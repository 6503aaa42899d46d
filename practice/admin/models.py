"""Invitations that bring new counselors into the practice."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.auth.models import User
from practice.clock import utcnow
from practice.extensions import db


class StaffInvitation(db.Model):
    """A single-use link that lets a new staff member choose their password; only its hash is stored."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: Lower-cased, as sign-in compares it; becomes the account's email.
    email: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The role the account is made with: "counselor" for now.
    role: Mapped[str] = mapped_column(String(20), default="counselor")
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<StaffInvitation {self.id}>"
