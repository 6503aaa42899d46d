"""A demo practice for trying SecureBase: one admin, two counselors, four couples."""

import secrets

from sqlalchemy import func, select

from practice.auth.models import User, utcnow
from practice.auth.services import create_user, ensure_roles
from practice.couples import invitations
from practice.couples.models import Confidentiality, Invitation
from practice.couples.services import add_couple
from practice.extensions import db, security

DEMO_PASSWORD = "calm harbor morning tea"
DEMO_DOMAIN = "demo.securebase.local"

STAFF = [
    ("admin", "Priya Natarajan", "admin@demo.securebase.local"),
    ("counselor", "Dr. Elena Moreno", "elena@demo.securebase.local"),
    ("counselor", "Samuel Okafor, LMFT", "samuel@demo.securebase.local"),
]

#: (counselor email, time zone, policy, partner A, partner B, partners accept their invitations)
COUPLES = [
    ("elena@demo.securebase.local", "America/Chicago", Confidentiality.no_secrets,
     ("Maya Chen", "maya@demo.securebase.local", "she/her"),
     ("Jordan Rivera", "jordan@demo.securebase.local", "they/them"), True),
    ("elena@demo.securebase.local", "America/New_York", Confidentiality.limited_secrets,
     ("Aisha Bello", "aisha@demo.securebase.local", "she/her"),
     ("Daniel Bello", "daniel@demo.securebase.local", "he/him"), False),
    ("samuel@demo.securebase.local", "America/Los_Angeles", Confidentiality.no_secrets,
     ("Tomás Alvarez", "tomas@demo.securebase.local", "he/him"),
     ("Grace Kim", "grace@demo.securebase.local", "she/her"), True),
    ("samuel@demo.securebase.local", "Europe/London", Confidentiality.limited_secrets,
     ("Olivia Brooks", "olivia@demo.securebase.local", ""),
     ("Nadia Haddad", "nadia@demo.securebase.local", "she/her"), False),
]


def is_empty() -> bool:
    """Whether the database has no accounts yet."""
    return not db.session.scalar(select(func.count()).select_from(User))


def seed() -> list[dict]:
    """Create the demo practice and return its logins, with TOTP secrets for staff."""
    ensure_roles()
    logins, users = [], {}
    for role, name, email in STAFF:
        user = create_user(email, name, DEMO_PASSWORD, role)
        user.tf_totp_secret = security.totp_factory.generate_totp_secret()
        user.tf_primary_method = "authenticator"
        users[email] = user
        key = security.totp_factory.get_totp_b32_key(user.tf_totp_secret)
        logins.append({"role": role, "name": name, "email": email, "totp_secret": key})
    for counselor_email, zone, policy, a, b, accepted in COUPLES:
        couple = add_couple(users[counselor_email], {
            "time_zone": zone, "confidentiality": policy, "label": "",
            "partner_a": {"name": a[0], "email": a[1], "pronouns": a[2]},
            "partner_b": {"name": b[0], "email": b[1], "pronouns": b[2]},
        })
        if not accepted:
            continue
        for partner in couple.partners:
            invitation = Invitation(partner=partner,
                                    token_hash=invitations.token_hash(secrets.token_urlsafe(32)),
                                    expires_at=utcnow())
            db.session.add(invitation)
            db.session.flush()
            invitations.accept_invitation(invitation, DEMO_PASSWORD)
            logins.append({"role": "partner", "name": partner.name, "email": partner.email,
                           "totp_secret": None})
    return logins
