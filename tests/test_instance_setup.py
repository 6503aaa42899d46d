"""First run writes the instance secrets once; the app refuses to start without them."""

import json
import stat

import pytest

from practice import create_app
from practice.instance_setup import ensure_secrets


def test_first_run_writes_private_secrets_and_never_overwrites_them(tmp_path):
    assert ensure_secrets(tmp_path) is True
    path = tmp_path / "secrets.json"
    first = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {"SECRET_KEY", "SECURITY_PASSWORD_SALT", "SECURITY_TOTP_SECRETS",
                          "DATA_ENCRYPTION_KEYS"}
    assert ensure_secrets(tmp_path) is False
    assert json.loads(path.read_text()) == first


def test_the_app_will_not_start_without_secrets(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "SECURITY_TOTP_SECRETS", "DATA_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="Missing secrets: SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_the_app_starts_from_the_secrets_first_run_wrote(tmp_path):
    ensure_secrets(tmp_path)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == json.loads((tmp_path / "secrets.json").read_text())["SECRET_KEY"]
