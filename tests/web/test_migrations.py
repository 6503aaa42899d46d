"""The Alembic migrations build exactly the schema the models describe."""

import pprint

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
