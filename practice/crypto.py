"""AES-GCM field encryption with key ids, so keys can be rotated without losing old data.

Every column holding encrypted values is registered with :func:`register_sealed` by the package
that owns it, with how to rebuild each row's context; ``flask keys rotate`` re-encrypts them all.
"""

import base64
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app

#: Where the registered encrypted columns are kept on the app (key rotation reads them).
SEALED = "securebase.sealed_columns"


class DecryptionError(Exception):
    """Raised when ciphertext was tampered with or its key is unknown."""


def _keys():
    """Return the configured keys as {key_id: AESGCM}; the first is used to encrypt."""
    return _ciphers(tuple(current_app.config["DATA_ENCRYPTION_KEYS"].items()))


@functools.lru_cache(maxsize=8)
def _ciphers(keys: tuple[tuple[str, str], ...]) -> dict:
    """The AESGCM objects for a set of keys, built once (a search decrypts a thousand values)."""
    return {key_id: AESGCM(base64.urlsafe_b64decode(key)) for key_id, key in keys}


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


def key_id(token: str) -> str:
    """The id of the key a value from :func:`encrypt` was sealed with."""
    return token.partition(":")[0]


@dataclass(frozen=True)
class SealedColumn:
    """A column holding values from :func:`encrypt`, and how to rebuild the context of one row."""

    model: type
    column: str
    #: ``context(row) -> str``: the same context the owning feature passed to :func:`encrypt`.
    context: Callable[[Any], str]


def register_sealed(app: Flask, model: type, column: str, context: Callable[[Any], str]) -> None:
    """Tell key rotation that ``model.column`` holds encrypted values bound by ``context(row)``."""
    app.extensions.setdefault(SEALED, []).append(SealedColumn(model, column, context))


def sealed_columns(app: Flask | None = None) -> list[SealedColumn]:
    """Every encrypted column registered on the app, in registration order."""
    return list((app or current_app).extensions.get(SEALED, []))
