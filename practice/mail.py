"""Email that leaves only once the change it announces is saved, and words for where it went."""

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from practice.extensions import db

#: Where a session keeps the messages waiting for its commit.
WAITING = "mail_after_commit"


def send_after_commit(message) -> None:
    """Send ``message`` when the current transaction commits; a rollback drops it.

    An invitation's email carries a link that works only once its row is saved: sent before the
    commit, a failed commit would leave a dead link in someone's inbox.
    """
    db.session().info.setdefault(WAITING, []).append(message)


def where_mail_went(address: str) -> str:
    """Say where an invitation email went, so nobody waits for mail that was never sent."""
    if current_app.config["MAIL_BACKEND"] == "file":
        return (f"Invitation for {address} saved to the outbox (instance/outbox/); no email server "
                "is set, so copy the link below and send it yourself.")
    return f"Invitation sent to {address}."


@event.listens_for(Session, "after_commit")
def _send_waiting(session) -> None:
    """The transaction is saved: its messages may go."""
    waiting = session.info.pop(WAITING, [])
    for message in waiting:
        message.send()


@event.listens_for(Session, "after_rollback")
def _drop_waiting(session) -> None:
    """Nothing was saved, so nothing is announced."""
    session.info.pop(WAITING, None)
