"""Two-factor rules: required for staff, replay-proof codes, recovery codes stored hashed."""

import hashlib
import hmac

from flask import current_app
from flask_security.recovery_codes import MfRecoveryCodesUtil
from flask_security.totp import Totp

from practice.extensions import db


class ReplayProtectedTotp(Totp):
    """TOTP that remembers the last accepted time step, so a code works once."""

    def get_last_counter(self, user):
        """Return the time step of the user's last accepted code."""
        return user.tf_totp_last_counter

    def set_last_counter(self, user, tmatch):
        """Remember the time step of the code just accepted."""
        user.tf_totp_last_counter = tmatch.counter
        db.session.add(user)


def _digest(code: str) -> str:
    """Return the keyed SHA-256 of a recovery code."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.strip().lower().encode(), hashlib.sha256).hexdigest()


class HashedRecoveryCodes(MfRecoveryCodesUtil):
    """Recovery codes kept as keyed hashes: shown once when made, never again."""

    def create_recovery_codes(self, user):
        """Make new codes, store their hashes and return the plain codes once."""
        from flask_security.proxies import _security

        codes = _security.totp_factory.generate_recovery_codes(
            current_app.config["SECURITY_MULTI_FACTOR_RECOVERY_CODES_N"]
        )
        user.mf_recovery_codes = [_digest(code) for code in codes]
        db.session.add(user)
        return codes

    def get_recovery_codes(self, user):
        """Stored codes cannot be shown again; the page offers to make new ones."""
        return []

    def check_recovery_code(self, user, code):
        """Return whether the code matches an unused one."""
        digest = _digest(code)
        return any(hmac.compare_digest(digest, stored) for stored in user.mf_recovery_codes or [])

    def delete_recovery_code(self, user, code):
        """Spend a code so it cannot be used again."""
        digest = _digest(code)
        user.mf_recovery_codes = [c for c in user.mf_recovery_codes or [] if c != digest]
        db.session.add(user)
        return True
