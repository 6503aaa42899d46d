"""The Alembic migrations build exactly the schema the models describe."""

import pprint
from datetime import UTC, datetime
from types import SimpleNamespace

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from practice import create_app
from practice.extensions import db


def migrated_app(app_config, tmp_path):
    """An app on a fresh SQLite file that only the migrations have touched."""
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    return create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})


def differences(connection) -> list:
    """What autogenerate would change to make the database match the models."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_migrations_produce_the_models_schema(app_config, tmp_path):
    app = migrated_app(app_config, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = differences(connection)
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()

    assert diff == [], pprint.pformat(diff)
    assert {"user", "couple", "partner", "invitation", "audit_event"} <= tables


def test_migrations_seed_the_roles_and_the_audit_head(app_config, tmp_path):
    app = migrated_app(app_config, tmp_path)
    with app.app_context():
        upgrade()
        roles = set(db.session.scalars(sa.text("SELECT name FROM role")))
        head = db.session.execute(sa.text("SELECT seq, hash FROM audit_head")).one()
        db.session.remove()
        db.engine.dispose()

    assert roles == {"admin", "counselor", "partner"}
    assert head == (0, "0" * 64)


def test_migrations_downgrade_to_an_empty_database(app_config, tmp_path):
    app = migrated_app(app_config, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        db.engine.dispose()

    assert tables == set()


def test_0005_keeps_an_existing_chain_provable_and_seals_new_events_after_it(app_config, tmp_path):
    """Events chained before 0005 (position was seq) still verify, and new ones follow them."""
    from practice import audit
    from practice.audit import GENESIS, digest_of

    app = migrated_app(app_config, tmp_path)
    with app.app_context():
        upgrade(revision="0004")
        prev = GENESIS
        for seq in (1, 2, 3):
            row = {"position": seq, "at": datetime(2026, 11, seq, tzinfo=UTC), "actor_id": None,
                   "role": "", "action": "couple.view", "object_type": "couple", "object_id": str(seq),
                   "couple_id": None, "outcome": "ok", "request_id": "", "ip": "", "prev_hash": prev}
            digest = digest_of(SimpleNamespace(**row))
            db.session.execute(sa.text(
                "INSERT INTO audit_event (seq, at, role, action, object_type, object_id, outcome, "
                "request_id, ip, prev_hash, hash) VALUES (:seq, :at, '', 'couple.view', 'couple', :oid, "
                "'ok', '', '', :prev, :hash)"),
                {"seq": seq, "at": row["at"].strftime("%Y-%m-%d %H:%M:%S.%f"), "oid": str(seq),
                 "prev": prev, "hash": digest})
            prev = digest
        db.session.execute(sa.text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": prev})
        db.session.commit()
        upgrade()
        assert audit.verify() == []
        audit.record("couple.view", object_type="couple", object_id="4")
        db.session.commit()
        db.session.expire_all()
        assert audit.verify() == []
        positions = db.session.execute(sa.text("SELECT seq, position FROM audit_event ORDER BY seq")).all()
        db.session.remove()
        db.engine.dispose()

    assert positions == [(1, 1), (2, 2), (3, 3), (4, 4)]
