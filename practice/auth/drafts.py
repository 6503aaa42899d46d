"""What a person was typing when their session ended, kept encrypted until they sign in again."""

import json
import uuid
from datetime import datetime, timedelta

from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from practice import crypto
from practice.clock import utcnow
from practice.extensions import db

#: A draft older than this is dropped rather than restored.
KEEP_FOR = timedelta(hours=24)
#: Form fields never kept: the token, a password or code ("secret": what signs a note), and the idle
#: warning's mark on its post (sessions.DRAFT_FIELD).
SKIPPED = ("csrf_token", "password", "secret", "_idle_draft")


class FormDraft(db.Model):
    """A form submission that arrived after its session had ended."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The page the form was posted to; the draft is offered there again.
    path: Mapped[str] = mapped_column(String(255))
    #: The form's fields as JSON, AES-GCM encrypted.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<FormDraft {self.id}>"


def _context(user_id, path) -> str:
    """Bind the ciphertext to its owner and page."""
    return f"draft:{user_id}:{path}"


def keep(user, path: str, form) -> bool:
    """Save a submitted form for ``user`` at ``path``; returns whether anything was kept."""
    # A field with several values (ticked boxes) keeps them all, as a list.
    lists = form.lists() if hasattr(form, "lists") else ((k, [v]) for k, v in form.items())
    fields = {k: (values if len(values) > 1 else values[0]) for k, values in lists
              if not any(s in k for s in SKIPPED) and any(values)}
    if not fields:
        return False
    db.session.execute(delete(FormDraft).where(FormDraft.user_id == user.id, FormDraft.path == path))
    body = crypto.encrypt(json.dumps(fields), _context(user.id, path))
    db.session.add(FormDraft(user_id=user.id, path=path, body=body))
    return True


def take(path: str) -> dict | None:
    """Return and forget the signed-in user's draft for this page, if a recent one exists."""
    if not current_user.is_authenticated:
        return None
    draft = db.session.scalar(
        select(FormDraft).where(FormDraft.user_id == current_user.id, FormDraft.path == path)
    )
    if draft is None:
        return None
    fresh = utcnow() - draft.created_at <= KEEP_FOR
    try:
        fields = json.loads(crypto.decrypt(draft.body, _context(draft.user_id, path))) if fresh else None
    except crypto.DecryptionError:
        # Kept, not lost: a process started before a key rotation lacks the new key; a restarted one reads it.
        return None
    db.session.delete(draft)
    db.session.commit()
    return fields
