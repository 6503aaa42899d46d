"""SQL statements per request, counted in-process on the bench database with a browser's cookies."""

import contextlib

from sqlalchemy import event

from practice import create_app
from practice.extensions import db


@contextlib.contextmanager
def counting(engine):
    """Count the statements ``engine`` executes inside the block."""
    counts = {"statements": 0}

    def on_execute(*args, **kwargs):
        counts["statements"] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


class Counter:
    """An in-process copy of the served app that counts what one request costs in statements."""

    def __init__(self, app_settings: dict):
        self.app = create_app(app_settings)
        self.client = self.app.test_client(use_cookies=False)  # sends the browser's cookies as they are
        with self.app.app_context():
            self.engine = db.engine

    def count(self, headers: dict, method: str, path: str, body: str) -> int:
        """Statements one request issues, after a warm-up request of the same kind."""
        send = lambda: self.client.open(path, method=method, data=body or None,  # noqa: E731
                                        headers={**headers, "Content-Type": "application/json"})
        send()
        with counting(self.engine) as counts:
            send()
        return counts["statements"]

    def close(self) -> None:
        """Let go of the database connections."""
        self.engine.dispose()
