"""Field encryption: what goes in comes out, tampering is caught, old keys keep working."""

import base64
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practice.crypto import DecryptionError, decrypt, encrypt

CONTEXT = "session_note:1f0c:body"


def new_key() -> str:
    """A fresh 256-bit key as the config holds it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_round_trip(app):
    token = encrypt("We argued about the dishes; repaired it the same night.", CONTEXT)
    assert decrypt(token, CONTEXT) == "We argued about the dishes; repaired it the same night."


def test_ciphertext_hides_the_text_and_names_its_key(app):
    first = encrypt("reassurance", CONTEXT)
    second = encrypt("reassurance", CONTEXT)
    assert first.startswith("k1:")
    assert "reassurance" not in first
    assert first != second


def flip_one_byte(token: str, index: int) -> str:
    """The token with one byte of its sealed body changed."""
    key_id, _, body = token.partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[index] ^= 0x01
    return f"{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 12, -1], ids=["nonce", "ciphertext", "tag"])
def test_a_tampered_value_raises(app, index):
    token = encrypt("private answer", CONTEXT)
    with pytest.raises(DecryptionError):
        decrypt(flip_one_byte(token, index), CONTEXT)


@pytest.mark.parametrize("broken", ["k1:", "k1:not base64!!", "k1:" + "A" * 8, "", "no-key-id"])
def test_garbage_raises_instead_of_returning_something(app, broken):
    with pytest.raises(DecryptionError):
        decrypt(broken, CONTEXT)


def test_a_value_moved_to_another_row_or_field_raises(app):
    token = encrypt("private answer", "worksheet_response:1:answers")
    with pytest.raises(DecryptionError):
        decrypt(token, "worksheet_response:2:answers")
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_an_unknown_key_id_raises(app):
    token = encrypt("private answer", CONTEXT)
    with pytest.raises(DecryptionError, match="unknown key id"):
        decrypt("k9:" + token.partition(":")[2], CONTEXT)


def test_rotation_keeps_old_values_readable(app):
    old_token = encrypt("written under k1", CONTEXT)
    k1 = app.config["DATA_ENCRYPTION_KEYS"]["k1"]

    app.config["DATA_ENCRYPTION_KEYS"] = {"k2": new_key(), "k1": k1}

    assert decrypt(old_token, CONTEXT) == "written under k1"
    new_token = encrypt("written under k2", CONTEXT)
    assert new_token.startswith("k2:")
    assert decrypt(new_token, CONTEXT) == "written under k2"

    app.config["DATA_ENCRYPTION_KEYS"] = {"k2": app.config["DATA_ENCRYPTION_KEYS"]["k2"]}
    with pytest.raises(DecryptionError):
        decrypt(old_token, CONTEXT)


@settings(max_examples=150, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), context=st.text(max_size=60))
def test_any_text_survives_the_round_trip(app, text, context):
    assert decrypt(encrypt(text, context), context) == text
