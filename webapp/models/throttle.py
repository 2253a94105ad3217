"""Sign-in throttling counts kept in SQL, for deployments without Redis.

``webapp.auth.sql_limits`` reads and writes these tables through its own connection
(never the request's session): a count must stay even when the request rolls back.
"""

from __future__ import annotations

from sqlalchemy import Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model


class ThrottleKey(Model):
    """One row per bucket: written first by every change to the bucket, so changes to
    one bucket take turns (PostgreSQL locks the row, SQLite takes its write lock).

    ``count`` and ``expires_at`` are the fixed-window counter; for the moving window,
    ``expires_at`` is when the newest entry leaves every window it was counted in.
    """

    __tablename__ = "throttle_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class ThrottleEntry(Model):
    """One counted attempt in a moving-window bucket, at a Unix time in seconds."""

    __tablename__ = "throttle_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    at: Mapped[float] = mapped_column(Double)
