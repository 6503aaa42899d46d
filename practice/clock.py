"""The practice's clock: every timestamp SecureBase stores is made here, in UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time in UTC (callable default for columns)."""
    return datetime.now(UTC)
