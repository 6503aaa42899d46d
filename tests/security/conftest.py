"""Fixtures for the security tests: a database file kept in memory."""

import os
import uuid

import pytest

# Re-exported: with this file on sys.path as ``conftest`` too, ``from conftest import ...``
# elsewhere in the suite must still find the shared helpers.
from tests.conftest import PASSWORD, Auth, csrf_from, totp_code  # noqa: F401

SHM = "/dev/shm"


@pytest.fixture
def app_config(app_config):
    """Keep the SQLite file on tmpfs: hundreds of commits, without waiting on the disk."""
    path = None
    if app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:") and os.path.isdir(SHM):
        path = os.path.join(SHM, f"securebase-test-{uuid.uuid4().hex}.sqlite")
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    yield app_config
    if path:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
