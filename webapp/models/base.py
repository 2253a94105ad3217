"""Column helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware 'now' in UTC; every timestamp we store is UTC."""
    return datetime.now(UTC)
