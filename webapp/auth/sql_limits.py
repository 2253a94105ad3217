"""A ``limits`` storage in SQL, so every web process shares the sign-in counts without Redis.

``sqla+sqlite:///path`` (the embedded default: a file of its own beside the app's
database, whose write lock the request's own transaction may be holding) or
``sqla+postgresql+psycopg://...`` (the app's database, where ``flask db upgrade``
created the tables). Each call is one short transaction on a connection of its own,
committed at once: a count stays even when the request that made it rolls back.

Changing a bucket first writes its ``throttle_keys`` row, which PostgreSQL then keeps
locked and SQLite answers with its one write lock, so a count and the entry it
admits are one atomic step in every process (``acquire_entry`` cannot let a sixth
attempt through because two processes both saw four).
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import Connection, create_engine, delete, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from webapp.models.throttle import ThrottleEntry, ThrottleKey

SCHEME_PREFIX = "sqla+"
KEYS = ThrottleKey.__table__
ENTRIES = ThrottleEntry.__table__


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL: readers never wait; busy_timeout: a writer waits its turn instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class SqlStorage(Storage, MovingWindowSupport):
    """Fixed- and moving-window counts in the ``throttle_keys``/``throttle_entries`` tables."""

    STORAGE_SCHEME = [
        "sqla+sqlite",
        "sqla+postgresql",
        "sqla+postgresql+psycopg",
        "sqla+postgresql+psycopg2",
    ]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        # No pool: a connection per call is cheap next to a password hash, and nothing
        # pooled survives into a forked web worker.
        self.engine: Engine = create_engine(uri[len(SCHEME_PREFIX) :], poolclass=NullPool)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Its own file, which no migration manages: the tables are made here.
            KEYS.metadata.create_all(self.engine, tables=[KEYS, ENTRIES])

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """Any database error: the throttle then counts in memory for a while."""
        return SQLAlchemyError

    def _lock(self, conn: Connection, key: str, expires_at: float) -> dict[str, Any]:
        """Write the bucket's row (created if new) and return it as it was before."""
        insert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(KEYS).values(key=key, count=0, expires_at=expires_at)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[KEYS.c.key], set_={"key": statement.excluded.key}
            )
        )
        row = conn.execute(select(KEYS).where(KEYS.c.key == key)).mappings().one()
        return dict(row)

    # ------------------------------------------------------------------ fixed window

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's counter (a new window if it expired); the new count."""
        now = time.time()
        with self.engine.begin() as conn:
            row = self._lock(conn, key, now + expiry)
            if row["expires_at"] <= now or row["count"] == 0:
                values = {"count": amount, "expires_at": now + expiry}
            else:
                values = {"count": row["count"] + amount}
            conn.execute(update(KEYS).where(KEYS.c.key == key).values(**values))
            return int(values["count"])

    def get(self, key: str) -> int:
        """The key's counter in its current window (0 once it expired)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(KEYS).where(KEYS.c.key == key)).mappings().first()
        if row is None or row["expires_at"] <= time.time():
            return 0
        return int(row["count"])

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now, if it has none)."""
        with self.engine.connect() as conn:
            expires = conn.scalar(select(KEYS.c.expires_at).where(KEYS.c.key == key))
        return float(expires) if expires is not None else time.time()

    # ------------------------------------------------------------------ moving window

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count ``amount`` attempts now if the last ``expiry`` seconds leave room for them."""
        if amount > limit:
            return False
        with self.engine.begin() as conn:
            row = self._lock(conn, key, time.time() + expiry)
            now = time.time()  # after waiting for the lock
            since = now - expiry
            conn.execute(delete(ENTRIES).where(ENTRIES.c.key == key, ENTRIES.c.at <= since))
            counted = conn.scalar(
                select(func.count()).where(ENTRIES.c.key == key, ENTRIES.c.at > since)
            )
            if int(counted or 0) + amount > limit:
                return False
            conn.execute(ENTRIES.insert(), [{"key": key, "at": now}] * amount)
            expires_at = max(float(row["expires_at"]), now + expiry)
            conn.execute(update(KEYS).where(KEYS.c.key == key).values(expires_at=expires_at))
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """The oldest entry of the last ``expiry`` seconds (now, if none) and how many."""
        now = time.time()
        with self.engine.connect() as conn:
            oldest, counted = conn.execute(
                select(func.min(ENTRIES.c.at), func.count()).where(
                    ENTRIES.c.key == key, ENTRIES.c.at > now - expiry
                )
            ).one()
        return (float(oldest) if oldest is not None else now), int(counted or 0)

    # ------------------------------------------------------------------ housekeeping

    def clear(self, key: str) -> None:
        """Forget the key's counter and entries."""
        with self.engine.begin() as conn:
            conn.execute(delete(ENTRIES).where(ENTRIES.c.key == key))
            conn.execute(delete(KEYS).where(KEYS.c.key == key))

    def reset(self) -> int | None:
        """Forget every count; how many buckets there were."""
        with self.engine.begin() as conn:
            conn.execute(delete(ENTRIES))
            result = conn.execute(delete(KEYS))
        return int(result.rowcount)

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True
