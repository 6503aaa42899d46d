"""Writes the instance folder's secrets file on first run; never overwrites it."""

import base64
import json
import secrets
import sys
from pathlib import Path


def new_secrets():
    """Return a fresh set of application secrets."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SECURITY_PASSWORD_SALT": secrets.token_urlsafe(32),
        "SECURITY_TOTP_SECRETS": {"1": secrets.token_urlsafe(32)},
        "DATA_ENCRYPTION_KEYS": {"k1": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()},
    }


def ensure_secrets(instance: Path) -> bool:
    """Create ``instance/secrets.json`` with owner-only permissions if it is missing."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secrets.json"
    if path.exists():
        return False
    path.touch(mode=0o600)
    path.write_text(json.dumps(new_secrets(), indent=2))
    return True


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "instance")
    if ensure_secrets(folder):
        print(f"Wrote new secrets to {folder / 'secrets.json'}")
