"""Users, roles and the server-side record of each sign-in."""

import uuid
from datetime import datetime

from flask_security import RoleMixin, UserMixin
from flask_security.models.fsqla_v3 import AsaList
from sqlalchemy import Column, ForeignKey, String, Table, false
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.clock import utcnow
from practice.extensions import db

ROLES = ("admin", "counselor", "partner")
#: Roles that must sign in with a second factor.
STAFF_ROLES = frozenset({"admin", "counselor"})

roles_users = Table(
    "roles_users",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model, RoleMixin):
    """A role: admin, counselor or partner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))
    #: Flask-Security reads this; SecureBase checks roles, not permissions.
    permissions: Mapped[list | None] = mapped_column(MutableList.as_mutable(AsaList()))

    def __repr__(self) -> str:
        return f"<Role {self.name}>"


class User(db.Model, UserMixin):
    """Anyone who signs in: an admin, a counselor or a partner."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    #: The name shown to the user and, for counselors, to their clients.
    name: Mapped[str] = mapped_column(String(120), default="")
    password: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Flask-Security keeps this in the session; changing it ends every session.
    fs_uniquifier: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None]
    tf_primary_method: Mapped[str | None] = mapped_column(String(64))
    #: Encrypted by Flask-Security with SECURITY_TOTP_SECRETS.
    tf_totp_secret: Mapped[str | None] = mapped_column(String(255))
    tf_phone_number: Mapped[str | None] = mapped_column(String(128))
    #: The time step of the last accepted code, so a code cannot be used twice.
    tf_totp_last_counter: Mapped[int | None]
    #: SHA-256 digests of unused recovery codes (practice.auth.twofactor).
    mf_recovery_codes: Mapped[list | None] = mapped_column(MutableList.as_mutable(AsaList()))
    fs_webauthn_user_handle: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Discreet mode: every browser tab title is one neutral word, so a tab list reveals nothing.
    discreet: Mapped[bool] = mapped_column(default=False, server_default=false())
    roles: Mapped[list[Role]] = relationship(secondary=roles_users, lazy="selectin")

    @property
    def role(self) -> str:
        """The user's one role name."""
        return self.roles[0].name if self.roles else ""

    @property
    def display_name(self) -> str:
        """The name to greet the user by."""
        return self.name or self.email

    def check_tf_required(self, tf_setup_methods, tf_fresh):
        """Staff must pass a second factor; partners only once they have set one up."""
        if self.role in STAFF_ROLES or tf_setup_methods:
            return True, tf_setup_methods
        return False, tf_setup_methods

    def check_tf_required_setup(self) -> bool:
        """Staff may not switch two-factor off."""
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.role} {self.id}>"


class WebAuthn(db.Model):
    """Declared because Flask-Security expects the model; WebAuthn sign-in is off."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    credential_id: Mapped[bytes] = mapped_column(unique=True)

    def __repr__(self) -> str:
        return f"<WebAuthn {self.id}>"


class LoginSession(db.Model):
    """One sign-in on one device; the cookie names it, and deleting it signs the device out."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Updated at most once a minute; idle timeout is measured from it.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.user_id}>"
