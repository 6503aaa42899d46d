"""Signing a note or an addendum: the author proves it is them again, and the content gets a hash.

The hash is SHA-256 over a canonical JSON of everything the signature covers (the session's
details, the section titles and words, the signed time). It is shown on the note and its PDF, and
recomputed whenever the note is read: a stored note whose words no longer match it says so.
"""

import hashlib
import json
from datetime import datetime

from flask import current_app
from flask_security.utils import verify_password

from practice.extensions import security

#: A six-digit code is a TOTP code; anything else is tried as the password.
CODE_LENGTH = 6


def confirm_identity(user, secret: str) -> bool:
    """Whether ``secret`` is the user's password or a current two-factor code (a code works once)."""
    secret = secret or ""
    code = secret.replace(" ", "")
    if len(code) == CODE_LENGTH and code.isdigit() and user.tf_totp_secret:
        window = current_app.config["SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY"]  # as its own form
        return bool(security.totp_factory.verify_totp(code, user.tf_totp_secret, user, window=window))
    return bool(secret) and bool(user.password) and verify_password(secret, user.password)


def _digest(content: dict) -> str:
    """SHA-256 of a canonical JSON of ``content``."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def note_hash(note, sections: dict[str, str], signed_at: datetime) -> str:
    """The content hash of a note as signed at ``signed_at``."""
    return _digest({
        "note": str(note.id), "couple": str(note.couple_id), "author": str(note.author_id),
        "format": note.format, "session_on": note.session_on.isoformat(), "minutes": note.minutes,
        "attended": note.attended, "modality": str(note.modality), "titles": note.titles,
        "sections": {key: sections.get(key, "") for key, _ in note.titles},
        "signed_at": signed_at.isoformat(),
    })


def addendum_hash(addendum, body: str) -> str:
    """The content hash of an addendum as signed."""
    return _digest({"addendum": str(addendum.id), "note": str(addendum.note_id),
                    "author": str(addendum.author_id), "body": body,
                    "signed_at": addendum.signed_at.isoformat()})
