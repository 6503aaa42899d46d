"""D6 and issue 10: ``flask keys rotate`` adds a key and re-encrypts every encrypted value, safely.

Each test's app reads its keys from its own instance/secrets.json, as a server does, so rotation
writes there and a fresh app built from that folder must read every value afterwards.
"""

import json
import os
import re
import stat
import uuid

import pytest
import sqlalchemy as sa

from practice import create_app, crypto, keys
from practice.config import SECRET_NAMES
from practice.extensions import db
from tests.conftest import PASSWORD
from tests.routes import worksheet_ids_of

#: What a value from crypto.encrypt looks like, for any of the test keys (k1 and the k2 rotation adds).
TOKEN = re.compile(r"^k\d+:[A-Za-z0-9_-]{20,}=*$")


@pytest.fixture
def app_config(app_config, tmp_path, monkeypatch):
    """The usual test config, with the secrets also in this test's own instance/secrets.json."""
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    secrets_file = instance / "secrets.json"
    secrets_file.touch(mode=0o600)
    secrets_file.write_text(json.dumps({name: app_config[name] for name in SECRET_NAMES}, indent=2))
    return {**app_config, "INSTANCE_PATH": str(instance)}


@pytest.fixture
def everything(app, world):
    """One of every kind of encrypted value: a form draft, a habit log's feeling and note, worksheet
    answers, a counselor's comment and safety note, a draft and a signed session note, an addendum."""
    from practice.auth import drafts
    from practice.homework import services as habits
    from practice.homework.catalogue import catalogue
    from practice.homework.frequency import Frequency
    from practice.homework.week import today_for
    from practice.notes import services as notes
    from practice.notes.formats import formats
    from practice.worksheets import services as worksheets
    from practice.worksheets.models import SafetyCheck, WorksheetEntry

    couple = world["couple1"]
    ids = worksheet_ids_of(app, couple)
    with app.test_request_context():
        today = today_for(couple.time_zone)
        habit = habits.assign_habit(couple, world["X"], {
            "catalogue_key": "connection_bids", "frequency": Frequency("per_day", 3, 5),
            "log_fields": ["count", "feeling", "note"]}, today)
        feeling = next(iter(catalogue().feeling_keys))
        for note in ("a hug at the door", "asked about the interview", ""):
            data = {"count": 1, "feeling": feeling, "note": note}
            habits.log_habit(habit, couple.partners[0].id, data, today)
        entry = db.session.get(WorksheetEntry, uuid.UUID(ids["entry_id"]))
        worksheets.acknowledge(db.session.get(SafetyCheck, uuid.UUID(ids["check_id"])), world["X"],
                               "called them both on Tuesday")
        worksheets.comment(entry, couple.id, world["X"], None, "thank you for writing this down")
        drafts.keep(world["X"], "/couples/new", {"partner_a.name": "Rosa Díaz", "csrf_token": "x"})
        for words in ("still being written", "signed and locked"):
            note = notes.start(couple.id, world["X"], formats()["free"],
                               {"session_on": today, "minutes": 50, "modality": "video"})
            db.session.flush()
            notes.save_draft(note, note.version, sections={key: words for key, _ in note.titles})
        notes.sign(note, world["X"], PASSWORD)
        notes.add_addendum(note, world["X"], "they called the next morning", PASSWORD)
    db.session.commit()
    return ids


def stored() -> dict[tuple[str, str], tuple[str, str]]:
    """Every non-empty encrypted value, decrypted: ``{(table.column, row id): (token, plaintext)}``."""
    db.session.expire_all()
    found = {}
    for sealed in crypto.sealed_columns():
        for row in db.session.scalars(sa.select(sealed.model)):
            token = getattr(row, sealed.column)
            if token:
                row_id = sa.inspect(row).identity[0]
                found[(keys.label(sealed), str(row_id))] = (token, crypto.decrypt(token, sealed.context(row)))
    return found


def plaintexts(values: dict) -> dict[tuple[str, str], str]:
    """The plaintexts of :func:`stored` values, without their tokens."""
    return {where: plain for where, (_, plain) in values.items()}


def key_ids(values: dict) -> set[str]:
    """The key ids the values are sealed with."""
    return {crypto.key_id(token) for token, _ in values.values()}


def secrets_json(app) -> dict:
    """The instance's secrets file as it is now."""
    with open(f"{app.instance_path}/secrets.json") as file:
        return json.load(file)


def test_rotate_reencrypts_every_value_with_a_new_key(app, app_config, runner, everything):
    from practice.homework.models import HabitLog
    from practice.notes import services as notes
    from practice.notes.models import NoteAddendum, SessionNote
    from practice.worksheets.models import WorksheetResponse

    before = stored()
    assert {name for name, _ in before} == {keys.label(s) for s in crypto.sealed_columns()}, \
        "the fixture makes a value for every registered column"
    assert key_ids(before) == {"k1"}
    versions = sa.union_all(sa.select(WorksheetResponse.id, WorksheetResponse.version),
                            sa.select(SessionNote.id, SessionNote.version)).order_by("id")
    updated = sa.select(HabitLog.id, HabitLog.updated_at).order_by(HabitLog.id)
    versions_before, updated_before = db.session.execute(versions).all(), db.session.execute(updated).all()
    old_key = app.config["DATA_ENCRYPTION_KEYS"]["k1"]

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert "Added key k2" in result.output and "habit_log.note_sealed: 2 re-encrypted" in result.output
    assert list(app.config["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"]
    saved = secrets_json(app)
    assert list(saved["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"], "the new key encrypts, the old one is kept"
    assert saved["DATA_ENCRYPTION_KEYS"]["k1"] == old_key
    assert saved["SECRET_KEY"] == app_config["SECRET_KEY"], "the other secrets are as they were"
    assert stat.S_IMODE(os.stat(f"{app.instance_path}/secrets.json").st_mode) == 0o600
    after = stored()
    assert after.keys() == before.keys()
    assert key_ids(after) == {"k2"}
    assert plaintexts(after) == plaintexts(before)
    # Rotation changes no version (an open draft saves without a 409) and no "updated" time.
    assert db.session.execute(versions).all() == versions_before
    assert db.session.execute(updated).all() == updated_before
    # A signed note's hash is over its words, so it still holds; so does an addendum's.
    signed = db.session.scalar(sa.select(SessionNote).where(SessionNote.signed_at.is_not(None)))
    assert signed.signed and notes.intact(signed, notes.sections_of(signed))
    addendum = db.session.scalar(sa.select(NoteAddendum))
    assert notes.addendum_intact(addendum, notes.addendum_body(addendum))

    # Raw SQL shows ciphertext only.
    for sealed in crypto.sealed_columns():
        table, column = keys.label(sealed).split(".")
        for (raw,) in db.session.execute(sa.text(f'SELECT "{column}" FROM "{table}"')):
            assert raw == "" or TOKEN.match(raw), f"{table}.{column} holds {raw!r}"
            assert not any(plain and plain in raw for _, plain in before.values())

    # A restarted app, its keys read from the instance folder alone, reads every value.
    restarted = create_app({k: v for k, v in app_config.items() if k not in SECRET_NAMES})
    with restarted.app_context():
        assert list(restarted.config["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"]
        assert plaintexts(stored()) == plaintexts(before)
        db.session.remove()
        db.engine.dispose()


def test_a_second_run_changes_nothing(app, runner, everything):
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    after = stored()

    result = runner.invoke(args=["keys", "reencrypt"])

    assert result.exit_code == 0, result.output
    assert re.findall(r": (\d+) re-encrypted", result.output) == ["0"] * len(crypto.sealed_columns())
    assert stored() == after, "not one token was rewritten"
    status = runner.invoke(args=["keys", "status"]).output
    assert "Keys: k2, k1 (k2 encrypts)" in status and "Every value is on k2." in status
    assert "habit_log.note_sealed: k2 2" in status


def test_rotating_again_adds_another_key(app, runner, everything):
    before = stored()
    for _ in range(2):
        assert runner.invoke(args=["keys", "rotate"]).exit_code == 0

    assert list(secrets_json(app)["DATA_ENCRYPTION_KEYS"]) == ["k3", "k2", "k1"]
    after = stored()
    assert key_ids(after) == {"k3"}
    assert plaintexts(after) == plaintexts(before)


def test_an_interrupted_run_leaves_readable_values_and_resumes(app, runner, everything, monkeypatch):
    before = stored()
    real_batch, calls = keys._reencrypt_batch, []

    def power_cut(sealed, rows):
        calls.append(len(rows))
        if len(calls) > 1:
            raise RuntimeError("power cut")
        return real_batch(sealed, rows)

    monkeypatch.setattr(keys, "_reencrypt_batch", power_cut)
    result = runner.invoke(args=["keys", "rotate", "--batch-size", "1"])

    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert "keys reencrypt" in result.output
    assert list(secrets_json(app)["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"], "the key was saved first"
    db.session.rollback()
    halfway = stored()
    assert sorted(crypto.key_id(t) for t, _ in halfway.values()).count("k2") == 1, "one batch of one row"
    assert plaintexts(halfway) == plaintexts(before)

    monkeypatch.setattr(keys, "_reencrypt_batch", real_batch)
    result = runner.invoke(args=["keys", "reencrypt", "--batch-size", "1"])

    assert result.exit_code == 0, result.output
    assert sum(int(n) for n in re.findall(r": (\d+) re-encrypted", result.output)) == len(before) - 1
    after = stored()
    assert key_ids(after) == {"k2"}
    assert plaintexts(after) == plaintexts(before)
    assert list(secrets_json(app)["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"], "resuming adds no key"


def test_a_tampered_value_stops_rotation_and_names_its_row(app, runner, everything):
    from practice.homework.models import HabitLog

    before = stored()
    notes = sa.select(HabitLog.id, HabitLog.note_sealed).where(HabitLog.note_sealed != "")
    (_, moved), (second, _) = db.session.execute(notes.order_by(HabitLog.id)).all()
    # Another row's note moved into this one: valid ciphertext, bound to the other row.
    db.session.execute(sa.update(HabitLog).where(HabitLog.id == second).values(note_sealed=moved))
    db.session.commit()

    result = runner.invoke(args=["keys", "rotate"])

    assert result.exit_code == 1
    assert f"Cannot decrypt habit_log.note_sealed in row {second}" in result.output
    assert "keys reencrypt" in result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(HabitLog.note_sealed).where(HabitLog.id == second)) == moved, \
        "the tampered value is left as it was, for a person to look at"
    # Put it back (from a backup, say): every value reads, on either key, and the rotation finishes.
    db.session.execute(sa.update(HabitLog).where(HabitLog.id == second)
                       .values(note_sealed=before[("habit_log.note_sealed", str(second))][0]))
    db.session.commit()
    assert plaintexts(stored()) == plaintexts(before)
    assert runner.invoke(args=["keys", "reencrypt"]).exit_code == 0
    after = stored()
    assert key_ids(after) == {"k2"}
    assert plaintexts(after) == plaintexts(before)


def test_a_save_made_during_rotation_is_kept(app, runner, everything, monkeypatch):
    from practice.worksheets.models import WorksheetComment

    comment = db.session.scalar(sa.select(WorksheetComment))
    context = f"worksheet_comment:{comment.id}:body"
    original = comment.sealed
    # A worker that has not restarted yet still encrypts with k1.
    saved_meanwhile = crypto.encrypt("changed while rotating", context)
    real_decrypt = crypto.decrypt

    def decrypt_then_save(token, context=""):
        if token == original:
            db.session.execute(sa.update(WorksheetComment).where(WorksheetComment.id == comment.id)
                               .values(sealed=saved_meanwhile))
        return real_decrypt(token, context)

    monkeypatch.setattr(crypto, "decrypt", decrypt_then_save)
    result = runner.invoke(args=["keys", "rotate"])
    monkeypatch.setattr(crypto, "decrypt", real_decrypt)

    assert result.exit_code == 0, result.output
    assert "worksheet_comment.sealed: 0 re-encrypted, 1 skipped" in result.output
    db.session.expire_all()
    assert db.session.get(WorksheetComment, comment.id).sealed == saved_meanwhile, "the save is kept"
    assert runner.invoke(args=["keys", "reencrypt"]).exit_code == 0
    db.session.expire_all()
    token = db.session.get(WorksheetComment, comment.id).sealed
    assert crypto.key_id(token) == "k2" and crypto.decrypt(token, context) == "changed while rotating"


def test_add_only_saves_the_key_and_reencrypt_does_the_rest(app, runner, everything):
    before = stored()

    result = runner.invoke(args=["keys", "rotate", "--add-only"])

    assert result.exit_code == 0, result.output
    assert "then run `flask --app practice keys reencrypt`" in result.output
    assert list(secrets_json(app)["DATA_ENCRYPTION_KEYS"]) == ["k2", "k1"]
    assert stored() == before, "nothing re-encrypted yet"
    assert "values are not on k2 yet" in runner.invoke(args=["keys", "status"]).output
    assert runner.invoke(args=["keys", "reencrypt"]).exit_code == 0
    assert key_ids(stored()) == {"k2"}


def test_keys_changed_meanwhile_are_not_overwritten(app, runner, everything):
    """Another rotation saved its key after this command started: this one must not replace it."""
    before, other = stored(), secrets_json(app)
    other["DATA_ENCRYPTION_KEYS"] = {"k2": "someone-elses-key", **other["DATA_ENCRYPTION_KEYS"]}
    with open(f"{app.instance_path}/secrets.json", "w") as file:
        json.dump(other, file)

    result = runner.invoke(args=["keys", "rotate"])

    assert result.exit_code == 1 and "does not hold the keys this command started with" in result.output
    assert secrets_json(app) == other and list(app.config["DATA_ENCRYPTION_KEYS"]) == ["k1"]
    assert stored() == before


def test_keys_from_the_environment_are_printed_not_changed(app, runner, everything, monkeypatch):
    before, file_before = stored(), secrets_json(app)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", json.dumps(app.config["DATA_ENCRYPTION_KEYS"]))

    result = runner.invoke(args=["keys", "rotate"])

    assert result.exit_code == 0, result.output
    printed = json.loads(next(line for line in result.output.splitlines() if line.startswith("{")))
    assert list(printed) == ["k2", "k1"] and printed["k1"] == app.config["DATA_ENCRYPTION_KEYS"]["k1"]
    assert "keys reencrypt" in result.output and "Nothing was re-encrypted" in result.output
    assert secrets_json(app) == file_before and list(app.config["DATA_ENCRYPTION_KEYS"]) == ["k1"]
    assert stored() == before


def test_every_column_holding_ciphertext_is_registered(app, everything):
    """A feature that stores encrypted values without ``crypto.register_sealed`` fails here."""
    registered = {keys.label(s) for s in crypto.sealed_columns()}
    holding = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String):  # Text is a String
                continue
            for (value,) in db.session.execute(sa.select(column).where(column.is_not(None))):
                if isinstance(value, str) and TOKEN.match(value):
                    holding.add(f"{table.name}.{column.name}")
    assert holding <= registered, f"encrypted but not registered for key rotation: {holding - registered}"
    assert holding == registered, "the fixture makes one of every kind of encrypted value"
