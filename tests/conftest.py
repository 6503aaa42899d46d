"""Fixtures: a fresh app and database per test, clients, and people to sign in as.

The database is SQLite (a file per test, schema from ``create_all``) unless
``SB_TEST_DB=postgres``, when each xdist worker gets its own PostgreSQL database built by the
Alembic migrations once, and every test starts from truncated tables.
"""

import os
import re
import uuid

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from practice import create_app
from practice.audit import AuditEvent
from practice.extensions import db as _db
from practice.extensions import security
from practice.instance_setup import new_secrets
from tests.routes import build_route_ids

PASSWORD = "a long and quiet river bend"

#: Passwords an invited person might choose that the page sends back, with the field and message
#: (practice.auth.passwords.ChoosePasswordSchema; both /invite and /join use it).
PASSWORD_MISTAKES = pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short one", None, "password",
         "Use at least 12 characters. A short sentence you will remember works well."),
        ("qwerty123456", None, "password",
         "That password is on a list of commonly used passwords. Choose a less predictable one."),
        ("x" * 257, None, "password", "Use at most 256 characters."),
        ("willow branches by the pond", "willow branches by the lake", "password_confirm",
         "The two passwords are not the same."),
    ],
    ids=["too short", "common", "too long", "confirmation differs"],
)
POSTGRES = os.environ.get("SB_TEST_DB") == "postgres"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_secrets() -> dict:
    """Fresh secrets for one app, made the way first run makes them."""
    return new_secrets()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """The database this worker's tests use; on PostgreSQL, migrated once."""
    if not POSTGRES:
        return None
    name = f"securebase_test_{worker_id}".replace("-", "_")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = re.sub(r"/[^/]*$", f"/{name}", PG_URL)
    app = create_app({**test_secrets(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


def _truncate_postgres():
    """Empty every table and put back the rows the migrations seed."""
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    _db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _db.session.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    _db.session.execute(sa.text("INSERT INTO role (name) VALUES ('admin'), ('counselor'), ('partner')"))
    _db.session.commit()


@pytest.fixture
def app_config(tmp_path, database_url):
    """The config dict a test's app is built from; tests may change it before ``app``."""
    return {
        **test_secrets(),
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "MAIL_BACKEND": "locmem",
        "SHOW_INVITE_LINKS": True,
        "SECURITY_PASSWORD_HASH": "argon2",
        # Still argon2id, with light parameters so the suite stays quick (production keeps the defaults).
        "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"argon2__memory_cost": 1024, "argon2__rounds": 1,
                                                  "argon2__parallelism": 1},
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
    }


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test body keeps an app context open for its own queries; without this, requests would
    share its ``g`` (Flask-Login's cached user, Principal's identity) and its session. The test's
    pending work is committed first, so the request sees it and no read lock is held.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config):
    """A fresh app with an empty, ready database."""
    app = create_app(app_config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if POSTGRES:
            _truncate_postgres()
        else:
            _db.create_all()
            from practice.auth.services import ensure_roles

            ensure_roles()
            _db.session.commit()
        yield app
        _db.session.remove()
        if not POSTGRES:
            _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``flask --app practice`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account: ``make_user("counselor")``; staff get a TOTP secret set up."""

    def make(role="counselor", email=None, name=None, password=PASSWORD, two_factor=None):
        from practice.auth.services import create_user

        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        user = create_user(email, name or role.title() + " " + email[:6], password, role)
        if two_factor if two_factor is not None else role in ("counselor", "admin"):
            user.tf_totp_secret = security.totp_factory.generate_totp_secret()
            user.tf_primary_method = "authenticator"
        _db.session.commit()
        return user

    return make


def totp_code(user) -> str:
    """The user's current two-factor code."""
    return security.totp_factory.generate_totp_password(user.tf_totp_secret)


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form (the one reader of it for the whole suite)."""
    match = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def last_seq() -> int:
    """The newest audit event's number."""
    return _db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0


def events_since(seq: int) -> list[AuditEvent]:
    """Audit events written after ``seq``, oldest first."""
    _db.session.expire_all()
    return list(_db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def couple_form(token: str = "", **fields) -> dict:
    """A valid add-couple form as the page posts it, with fresh emails; ``fields`` override it."""
    tag = uuid.uuid4().hex[:6]
    form = {
        "label": "",
        "time_zone": "America/Chicago",
        "confidentiality": "no_secrets",
        "partner_a.name": "Quinn Ledger",
        "partner_a.email": f"quinn-{tag}@example.com",
        "partner_a.pronouns": "",
        "partner_b.name": "Rae Ledger",
        "partner_b.email": f"rae-{tag}@example.com",
        "partner_b.pronouns": "",
        "csrf_token": token,
    }
    form.update(fields)
    return form


class Auth:
    """Sign people in and out through the real forms, two-factor included."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path="/login") -> str:
        """A CSRF token from a page this client can open."""
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def login(self, user, password=PASSWORD):
        """Sign in with password and, when required, the current TOTP code."""
        response = self.client.post("/login", data={
            "email": user.email, "password": password, "csrf_token": self.csrf("/login"),
        })
        if response.status_code == 302 and "/tf-validate" in response.headers["Location"]:
            page = self.client.get("/tf-validate").get_data(as_text=True)
            response = self.client.post("/tf-validate", data={
                "code": totp_code(user), "csrf_token": csrf_from(page),
            })
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        """Sign out with the footer's POST form."""
        return self.client.post("/logout", data={"csrf_token": self.csrf("/account")})


@pytest.fixture
def auth(client):
    """Sign-in actions for the default client."""
    return Auth(client)


@pytest.fixture
def new_client(app):
    """Open another browser: ``other = new_client()``; ``other.auth.login(user)`` signs in."""

    def make():
        other = app.test_client()
        other.auth = Auth(other)
        return other

    return make


@pytest.fixture
def make_couple(app):
    """Create a couple for a counselor: ``make_couple(counselor, joined=True)``."""

    def make(counselor, joined=False, label="", names=("Alex Morgan", "Sam Lee")):
        from practice.couples.invitations import accept_invitation, invite_partner
        from practice.couples.models import Confidentiality
        from practice.couples.services import add_couple

        tag = uuid.uuid4().hex[:6]
        couple = add_couple(counselor, {
            "label": label, "time_zone": "America/Chicago",
            "confidentiality": Confidentiality.no_secrets,
            "partner_a": {"name": names[0], "email": f"a-{tag}@example.com", "pronouns": ""},
            "partner_b": {"name": names[1], "email": f"b-{tag}@example.com", "pronouns": ""},
        })
        _db.session.flush()
        if joined:
            with app.test_request_context():
                for partner in couple.partners:
                    invite_partner(partner)
                    accept_invitation(partner.invitations[0], PASSWORD)
        _db.session.commit()
        return couple

    return make


@pytest.fixture
def world(make_user, make_couple):
    """SECURITY.md's cast: counselor X owns couple 1 (P1A, P1B); Y owns couple 2 (P2A, P2B)."""
    x = make_user("counselor", email="x@example.com", name="Counselor X")
    y = make_user("counselor", email="y@example.com", name="Counselor Y")
    admin = make_user("admin", email="admin@example.com", name="Admin")
    couple1 = make_couple(x, joined=True, names=("Pat One", "Bea One"))
    couple2 = make_couple(y, joined=True, names=("Pia Two", "Ben Two"))
    return {
        "X": x, "Y": y, "admin": admin, "couple1": couple1, "couple2": couple2,
        "P1A": couple1.partners[0].user, "P1B": couple1.partners[1].user,
        "P2A": couple2.partners[0].user, "P2B": couple2.partners[1].user,
    }


@pytest.fixture
def route_ids(app, world, make_user, make_couple):
    """A value for every URL parameter in the app, for tests that walk the URL map (tests/routes.py)."""
    return build_route_ids(app, world, make_user, make_couple)
