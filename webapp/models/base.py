"""Column helpers shared by the models."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum


def utcnow() -> datetime:
    """Timezone-aware 'now' in UTC; every timestamp we store is UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (SQLite hands back naive values that are UTC by convention)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def str_enum(enum: type[StrEnum], length: int = 20) -> Enum:
    """A column type that stores ``enum``'s string values in a VARCHAR(``length``) (the
    same DDL as ``String(length)``, no CHECK) and reads them back as members; writing a
    string that is no member's value raises."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
