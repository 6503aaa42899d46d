"""A demo practice for trying SecureBase: one admin, two counselors, four couples."""

import secrets

from sqlalchemy import func, select

from practice.auth.models import User
from practice.auth.services import create_user, ensure_roles
from practice.clock import utcnow
from practice.couples import invitations
from practice.couples.models import Confidentiality, Invitation
from practice.couples.services import add_couple
from practice.extensions import db, security
from practice.homework.demo import seed_habits
from practice.homework.week import today_for
from practice.notes.demo import seed_notes
from practice.worksheets.demo import seed_feeling_words, seed_worksheets

DEMO_PASSWORD = "calm harbor morning tea"  # noqa: S105  (printed for testers; demo data only)
DEMO_DOMAIN = "demo.example.com"

STAFF = [
    ("admin", "Priya Natarajan", "admin@demo.example.com"),
    ("counselor", "Dr. Elena Moreno", "elena@demo.example.com"),
    ("counselor", "Samuel Okafor, LMFT", "samuel@demo.example.com"),
]

#: (counselor email, time zone, policy, partner A, partner B, partners accept their invitations)
COUPLES = [
    ("elena@demo.example.com", "America/Chicago", Confidentiality.no_secrets,
     ("Maya Chen", "maya@demo.example.com", "she/her"),
     ("Jordan Rivera", "jordan@demo.example.com", "they/them"), True),
    ("elena@demo.example.com", "America/New_York", Confidentiality.limited_secrets,
     ("Aisha Bello", "aisha@demo.example.com", "she/her"),
     ("Daniel Bello", "daniel@demo.example.com", "he/him"), False),
    ("samuel@demo.example.com", "America/Los_Angeles", Confidentiality.no_secrets,
     ("Tomás Alvarez", "tomas@demo.example.com", "he/him"),
     ("Grace Kim", "grace@demo.example.com", "she/her"), True),
    ("samuel@demo.example.com", "Europe/London", Confidentiality.limited_secrets,
     ("Olivia Brooks", "olivia@demo.example.com", ""),
     ("Nadia Haddad", "nadia@demo.example.com", "she/her"), False),
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
        if zone == "America/Chicago":  # Maya & Jordan: a few weeks of habits, so the grid has a story
            seed_habits(couple, users[counselor_email], today_for(zone))
            seed_worksheets(couple, users[counselor_email], today_for(zone))
            seed_notes(couple, users[counselor_email], today_for(zone), DEMO_PASSWORD)
        elif zone == "America/Los_Angeles":  # Tomás & Grace: a retro to start, a feeling-words entry shared
            seed_feeling_words(couple, users[counselor_email], today_for(zone))
            seed_notes(couple, users[counselor_email], today_for(zone), DEMO_PASSWORD)
    return logins
