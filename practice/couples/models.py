"""Couples, partners and the invitations that bring partners to the portal."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from practice.auth.models import User
from practice.clock import utcnow
from practice.extensions import db


class CoupleStatus(enum.StrEnum):
    """Whether a couple is in the active caseload."""

    active = "active"
    archived = "archived"


class Confidentiality(enum.StrEnum):
    """The couple's agreement about what one partner tells the counselor alone."""

    no_secrets = "no_secrets"
    limited_secrets = "limited_secrets"


CONFIDENTIALITY_TEXT = {
    Confidentiality.no_secrets: (
        "No secrets",
        "Anything either partner submits to the counselor may be brought into joint sessions.",
    ),
    Confidentiality.limited_secrets: (
        "Limited secrets",
        "A partner may tell the counselor something in confidence; the counselor will not raise "
        "it with the other partner without permission, and may hold chosen worksheets private "
        "until their author submits them.",
    ),
}


def sort_label_of(label: str) -> str:
    """How a couple's label or a partner's name sorts and is searched: in lower case."""
    return label.lower()


class Couple(db.Model):
    """A client couple in one counselor's caseload."""

    #: The caseload reads a page of one counselor's couples in name order straight off this index.
    __table_args__ = (Index("ix_couple_caseload", "counselor_id", "status", "sort_label", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    counselor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id"), index=True)
    #: How the couple appears in the caseload, e.g. "Maya & Jordan".
    label: Mapped[str] = mapped_column(String(120))
    #: The label in lower case, set with it: the caseload's order and name search, without
    #: lowering every couple's label in SQL on each page (lowering may lengthen a name).
    sort_label: Mapped[str] = mapped_column(String(360))
    status: Mapped[CoupleStatus] = mapped_column(
        Enum(CoupleStatus, native_enum=False, length=16), default=CoupleStatus.active
    )
    confidentiality: Mapped[Confidentiality] = mapped_column(
        Enum(Confidentiality, native_enum=False, length=32), default=Confidentiality.no_secrets
    )
    #: IANA name, e.g. "America/Chicago"; days and due dates are counted in it.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    counselor: Mapped[User] = relationship()
    partners: Mapped[list["Partner"]] = relationship(
        back_populates="couple", order_by="Partner.position", lazy="selectin",
        cascade="all, delete-orphan",
    )

    @validates("label")
    def _keep_sort_label(self, key: str, label: str) -> str:
        """Set the sort label whenever the label is set."""
        self.sort_label = sort_label_of(label)
        return label

    def __repr__(self) -> str:
        return f"<Couple {self.id}>"


class Partner(db.Model):
    """One of the two people in a couple; linked to a user once they accept their invitation."""

    __table_args__ = (UniqueConstraint("couple_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    couple_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"))
    #: 1 or 2: the order the counselor entered them in ("partner A", "partner B").
    position: Mapped[int]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The name in lower case, set with it: the caseload search matches it without lowering
    #: every partner's name in SQL on each search.
    search_name: Mapped[str] = mapped_column(String(360))
    email: Mapped[str] = mapped_column(String(255))
    pronouns: Mapped[str | None] = mapped_column(String(40))

    couple: Mapped[Couple] = relationship(back_populates="partners")
    user: Mapped[User | None] = relationship()
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="partner", order_by="Invitation.created_at.desc()",
        cascade="all, delete-orphan",
    )

    @validates("name")
    def _keep_search_name(self, key: str, name: str) -> str:
        """Set the search name whenever the name is set."""
        self.search_name = sort_label_of(name)
        return name

    def __repr__(self) -> str:
        return f"<Partner {self.id}>"


class Invitation(db.Model):
    """A single-use link that lets a partner set a password; only its hash is stored."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: Indexed: every couple page and caseload page reads a partner's invitations by it.
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship(back_populates="invitations")

    def __repr__(self) -> str:
        return f"<Invitation {self.id}>"
