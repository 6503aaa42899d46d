"""Account operations: creating staff accounts, deactivating and reactivating them."""

import secrets

from flask_security import hash_password
from sqlalchemy import select

from practice import audit
from practice.auth import sessions
from practice.auth.models import ROLES, Role, User
from practice.auth.passwords import password_problems
from practice.extensions import db


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


def create_user(email: str, name: str, password: str, role: str) -> User:
    """Create an active account with a checked password; raises :class:`AccountError`."""
    email = email.strip().lower()
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


def counselors() -> list[User]:
    """All counselor accounts, by name."""
    query = select(User).join(User.roles).where(Role.name == "counselor").order_by(User.name)
    return list(db.session.scalars(query))
