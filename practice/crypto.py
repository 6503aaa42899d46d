"""AES-GCM field encryption with key ids, so keys can be rotated without losing old data."""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app


class DecryptionError(Exception):
    """Raised when ciphertext was tampered with or its key is unknown."""


def _keys():
    """Return the configured keys as {key_id: AESGCM}; the first is used to encrypt."""
    return {
        key_id: AESGCM(base64.urlsafe_b64decode(key))
        for key_id, key in current_app.config["DATA_ENCRYPTION_KEYS"].items()
    }


def encrypt(plaintext: str, context: str = "") -> str:
    """Encrypt text with the current key; ``context`` binds it to its row and field."""
    key_id, aead = next(iter(_keys().items()))
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), context.encode())
    return f"{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, context: str = "") -> str:
    """Decrypt a value from :func:`encrypt`; raises :class:`DecryptionError` if tampered."""
    key_id, _, body = token.partition(":")
    aead = _keys().get(key_id)
    if aead is None:
        raise DecryptionError(f"unknown key id {key_id!r}")
    try:
        raw = base64.urlsafe_b64decode(body)
        return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # InvalidTag, bad padding, short input
        raise DecryptionError("ciphertext failed authentication") from exc
