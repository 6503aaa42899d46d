"""Account operations: creating staff accounts, deactivating them, resetting two-factor sign-in."""

import secrets

from flask import render_template
from flask_mailman import EmailMessage
from flask_security import EmailValidateException, hash_password
from sqlalchemy import select

from practice import audit
from practice.auth import sessions
from practice.auth.models import ROLES, STAFF_ROLES, Role, User
from practice.auth.passwords import password_problems
from practice.clock import utcnow
from practice.extensions import db, security


class AccountError(ValueError):
    """An account cannot be created as asked; ``field`` says which input is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def ensure_roles() -> None:
    """Create the three roles if they are missing."""
    existing = set(db.session.scalars(select(Role.name)))
    for name in ROLES:
        if name not in existing:
            db.session.add(Role(name=name))
    db.session.flush()


def stored_email(email: str) -> str:
    """The address as sign-in will look it up: Flask-Security's normal form, lowercased.

    Stored any other way (``user@ｅxample.com`` kept as typed), an account could never sign in.
    """
    try:
        return security.mail_util.normalize(email.strip()).lower()
    except EmailValidateException:
        return email.strip().lower()


def create_user(email: str, name: str, password: str, role: str) -> User:
    """Create an active account with a checked password; raises :class:`AccountError`."""
    email = stored_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("email", "An account with this email already exists.")
    problems = password_problems(password)
    if problems:
        raise AccountError("password", problems[0])
    ensure_roles()
    role_row = db.session.scalar(select(Role).where(Role.name == role))
    user = User(email=email, name=name.strip(), password=hash_password(password),
                fs_uniquifier=secrets.token_hex(32), roles=[role_row], active=True)
    db.session.add(user)
    db.session.flush()
    audit.record("account.create", obj=user, object_type="user")
    return user


def set_active(user: User, active: bool) -> None:
    """Deactivate (signing out everywhere) or reactivate an account."""
    user.active = active
    if not active:
        sessions.end_all(user)
        user.fs_uniquifier = secrets.token_hex(32)
    audit.record("account.activate" if active else "account.deactivate", obj=user, object_type="user")


def reset_two_factor(user: User, actor: User | None = None) -> None:
    """Forget the user's authenticator and recovery codes and sign them out everywhere.

    For someone who lost their phone: at their next sign-in, after the password, staff are taken
    to set up two-factor again (partners may). The user is told by email, so a reset they did not
    ask for does not go unnoticed. ``actor`` is the admin who did it (None from the command line).
    """
    # Clears the TOTP secret, method and recovery codes, and changes fs_uniquifier, which ends
    # every cookie, half-finished two-factor sign-in and remember token the user had.
    security.datastore.reset_user_access(user)
    user.tf_totp_last_counter = None
    sessions.end_all(user)
    audit.record("user.two_factor_reset", object_type="user", object_id=user.id, actor=actor)
    EmailMessage(
        subject="Your SecureBase two-factor sign-in was reset",
        body=render_template("email/two_factor_reset.txt", user=user, actor=actor, at=utcnow(),
                             staff=user.role in STAFF_ROLES),
        to=[user.email],
    ).send()


def counselors() -> list[User]:
    """All counselor accounts, by name."""
    return _with_role("counselor")


def administrators() -> list[User]:
    """All admin accounts, by name."""
    return _with_role("admin")


def _with_role(role: str) -> list[User]:
    """Every account with ``role``, by name."""
    query = select(User).join(User.roles).where(Role.name == role).order_by(User.name)
    return list(db.session.scalars(query))
