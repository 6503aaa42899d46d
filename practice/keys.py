"""Key rotation: ``flask keys rotate`` adds a new data key and re-encrypts every encrypted value.

The new key is saved first, as the first (encrypting) key, and every old key is kept, so session
cookies and a run cut short still decrypt. Then each column registered with
``crypto.register_sealed`` is re-encrypted in batches by primary key, one commit per batch. A value is
swapped only if it is still the one that was read (one ``UPDATE ... WHERE id AND value``), so a save
made meanwhile is never overwritten, and version counters and "updated" times are left alone. Only
values not on the current key are read: ``keys reencrypt`` finishes a run that was cut short, and
changes nothing once all is done. ``keys rotate`` always adds another key.
"""

import base64
import fcntl
import json
import os
import secrets
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select, update

from practice import crypto
from practice.extensions import db

#: Rows read, re-encrypted and committed at a time.
BATCH_SIZE = 500
REENCRYPT = "flask --app practice keys reencrypt"

keys_cli = AppGroup("keys", help="Rotate the data encryption key and re-encrypt what it protects.")


class RotationError(Exception):
    """Rotation stopped before changing anything unsafe: a value does not decrypt, or the keys file moved."""


def init_app(app: Flask) -> None:
    """Register the core's encrypted column (form drafts) and the ``flask keys`` commands."""
    from practice.auth.drafts import FormDraft, _context

    crypto.register_sealed(app, FormDraft, "body", lambda draft: _context(draft.user_id, draft.path))
    app.cli.add_command(keys_cli)


# -- keys -------------------------------------------------------------------------------------


def current_key_id() -> str:
    """The id of the key new values are encrypted with (the first configured one)."""
    return next(iter(current_app.config["DATA_ENCRYPTION_KEYS"]))


def with_new_key(keys: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A fresh 32-byte key with an unused id, and the keys with it first and every old one kept."""
    numbers = [int(kid[1:]) for kid in keys if kid[:1] == "k" and kid[1:].isdigit()]
    new_id = f"k{max(numbers, default=0) + 1}"
    while new_id in keys:
        new_id += "x"
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return new_id, {new_id: key, **keys}


def secrets_file() -> Path:
    """The instance folder's secrets file."""
    return Path(current_app.instance_path) / "secrets.json"


def save_keys(loaded: dict[str, str], keys: dict[str, str]) -> None:
    """Write ``keys`` into ``instance/secrets.json`` if it still holds ``loaded``: atomically, owner-only.

    The instance folder is locked meanwhile, so two rotations at once cannot both write.
    """
    path = secrets_file()
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        content = json.loads(path.read_text()) if path.exists() else {}
        if content.get("DATA_ENCRYPTION_KEYS") != loaded:
            raise RotationError(f"{path} does not hold the keys this command started with (they are set "
                                "elsewhere, or another rotation changed them); nothing was changed.")
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(json.dumps({**content, "DATA_ENCRYPTION_KEYS": keys}, indent=2))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        os.fsync(folder)
    finally:
        os.close(folder)  # and the lock with it


# -- re-encryption ----------------------------------------------------------------------------


def label(sealed: crypto.SealedColumn) -> str:
    """``table.column`` of a registered column, as messages name it."""
    return f"{sealed.model.__table__.name}.{getattr(sealed.model, sealed.column).property.columns[0].name}"


def _stale(sealed: crypto.SealedColumn, key_id: str):
    """The condition for a value of the column that is not on key ``key_id`` (empty values hold nothing)."""
    column = getattr(sealed.model, sealed.column)
    return (column != "") & ~column.startswith(f"{key_id}:", autoescape=True)


def reencrypt_column(sealed: crypto.SealedColumn, batch_size: int = BATCH_SIZE,
                     progress: Callable[[str], None] = lambda line: None) -> tuple[int, int]:
    """Move one column's values to the current key, a batch per commit; returns (re-encrypted, skipped).

    Skipped values were changed by someone else between the read and the write; they are kept.
    """
    primary = inspect(sealed.model).primary_key
    if len(primary) != 1:
        raise RotationError(f"{label(sealed)}: key rotation needs a single-column primary key")
    key_id, last, done, skipped = current_key_id(), None, 0, 0
    while True:
        query = select(sealed.model).where(_stale(sealed, key_id)).order_by(primary[0]).limit(batch_size)
        if last is not None:
            query = query.where(primary[0] > last)
        rows = db.session.scalars(query.execution_options(populate_existing=True)).all()
        if not rows:
            return done, skipped
        last = inspect(sealed.model).primary_key_from_instance(rows[-1])[0]
        changed = _reencrypt_batch(sealed, rows)
        done, skipped = done + changed, skipped + len(rows) - changed
        progress(f"  {label(sealed)}: {done} so far")


def _reencrypt_batch(sealed: crypto.SealedColumn, rows: list) -> int:
    """Decrypt a batch (all of it, before writing any), write it back on the current key, commit."""
    mapper = inspect(sealed.model)
    table, primary = mapper.local_table, mapper.primary_key[0]
    column = mapper.get_property(sealed.column).columns[0]
    # Naming a column with an ``onupdate`` (an "updated at") keeps it as it was.
    untouched = {c: c for c in table.c if c.onupdate is not None and c is not column}
    changes = []
    for row in rows:
        row_id, old = mapper.primary_key_from_instance(row)[0], getattr(row, sealed.column)
        context = sealed.context(row)
        try:
            plaintext = crypto.decrypt(old, context)
        except crypto.DecryptionError as error:
            db.session.rollback()
            raise RotationError(
                f"Cannot decrypt {label(sealed)} in row {row_id} (key id {crypto.key_id(old)!r}: {error}). "
                f"Rotation stopped; this batch was not changed, earlier ones are done. Restore that value "
                f"from a backup (or put its key back in DATA_ENCRYPTION_KEYS), then run `{REENCRYPT}` to "
                "finish.") from error
        changes.append((row_id, old, crypto.encrypt(plaintext, context)))
    changed = 0
    for row_id, old, new in changes:
        swap = update(table).where(primary == row_id, column == old).values({column: new, **untouched})
        changed += db.session.execute(swap).rowcount
    db.session.commit()
    return changed


def reencrypt(batch_size: int = BATCH_SIZE, progress: Callable[[str], None] = lambda line: None) -> dict:
    """Move every registered column's values to the current key; returns ``{label: (done, skipped)}``.

    Also empties the PDF cache, whose entries are sealed with the key they were cached under.
    """
    from practice import pdf

    summary = {label(sealed): reencrypt_column(sealed, batch_size, progress)
               for sealed in crypto.sealed_columns()}
    pdf.clear_cache()
    return summary


def counts() -> dict[str, Counter]:
    """How many non-empty values each registered column holds per key id (``?`` for an unknown one)."""
    key_ids = list(current_app.config["DATA_ENCRYPTION_KEYS"])
    result = {}
    for sealed in crypto.sealed_columns():
        column = getattr(sealed.model, sealed.column)
        per_key = Counter()
        for kid in key_ids:
            per_key[kid] = db.session.scalar(select(func.count()).select_from(sealed.model).where(
                column.startswith(f"{kid}:", autoescape=True)))
        total = db.session.scalar(select(func.count()).select_from(sealed.model).where(column != ""))
        per_key["?"] = total - sum(per_key.values())
        result[label(sealed)] = +per_key
    return result


# -- commands ---------------------------------------------------------------------------------


def _run_reencrypt(batch_size: int) -> None:
    """Re-encrypt everything with progress lines and a summary; a value that fails stops the command."""
    click.echo(f"Re-encrypting every encrypted value with key {current_key_id()}, {batch_size} rows a batch.")
    try:
        summary = reencrypt(batch_size, progress=click.echo)
    except RotationError as error:
        raise click.ClickException(str(error)) from error
    except (Exception, KeyboardInterrupt):
        click.echo(f"Stopped before the end; what was committed is kept. Run `{REENCRYPT}` to finish.",
                   err=True)
        raise
    click.echo("Summary (values re-encrypted; skipped ones changed meanwhile, on whatever key saved them):")
    for name, (done, skipped) in summary.items():
        click.echo(f"  {name}: {done} re-encrypted" + (f", {skipped} skipped" if skipped else ""))
    click.echo("Cached PDFs cleared. Old keys are kept: `flask --app practice keys status` shows what is on "
               "each.")


@keys_cli.command("rotate")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1))
@click.option("--add-only", is_flag=True,
              help=f"Only add the key; restart the app, then run `{REENCRYPT}` (no moment when running "
                   "workers meet values they have no key for).")
def rotate_command(batch_size, add_only):
    """Add a new encrypting key (old ones kept) and re-encrypt every encrypted value with it.

    Each run adds another key. To finish a run that was cut short, use `keys reencrypt`.
    """
    loaded = current_app.config["DATA_ENCRYPTION_KEYS"]
    key_id, keys = with_new_key(loaded)
    if os.environ.get("DATA_ENCRYPTION_KEYS"):
        click.echo("The keys come from the environment (DATA_ENCRYPTION_KEYS), which this command cannot "
                   "change. Set it to this value (new key first, old ones kept):\n")
        click.echo(json.dumps(keys))
        click.echo(f"\nthen restart every app process and run `{REENCRYPT}`. Nothing was re-encrypted.")
        return
    try:
        save_keys(loaded, keys)
    except RotationError as error:
        raise click.ClickException(str(error)) from error
    current_app.config["DATA_ENCRYPTION_KEYS"] = keys
    click.echo(f"Added key {key_id} to {secrets_file()}; it now encrypts, and old keys still decrypt.")
    if add_only:
        click.echo(f"Restart every app process, then run `{REENCRYPT}`.")
        return
    _run_reencrypt(batch_size)
    click.echo(f"Restart the app so its processes encrypt with {key_id} and read the values now on it.")


@keys_cli.command("reencrypt")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1))
def reencrypt_command(batch_size):
    """Re-encrypt every value not yet on the current key (finishes a rotation; safe to repeat)."""
    _run_reencrypt(batch_size)


@keys_cli.command("status")
def status_command():
    """Show the keys and how many encrypted values each column holds on each."""
    click.echo(f"Keys: {', '.join(current_app.config['DATA_ENCRYPTION_KEYS'])} ({current_key_id()} encrypts)")
    behind = 0
    for name, per_key in counts().items():
        shown = ", ".join(f"{kid} {n}" for kid, n in per_key.items()) or "empty"
        click.echo(f"  {name}: {shown}")
        behind += sum(n for kid, n in per_key.items() if kid != current_key_id())
    if behind:
        click.echo(f"{behind} values are not on {current_key_id()} yet: run `{REENCRYPT}`.")
    else:
        click.echo(f"Every value is on {current_key_id()}.")
