"""Database engine tuning that depends on the backend."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from webapp.catalogue.search_sqlite import register_functions
from webapp.extensions import db

# SQLSTATE classes of a database that is away or too slow, not of a bug: connection
# exceptions (08), operator intervention (57: statement timeout 57014, terminated
# backend 57P01, starting up 57P03), insufficient resources (53), transaction rollback
# (40: deadlock, serialization).
_OUTAGE_SQLSTATE_CLASSES = ("08", "57", "53", "40")
_OUTAGE_SQLITE = ("database is locked", "unable to open database", "disk i/o error")


def database_unavailable(exc: OperationalError) -> bool:
    """Whether ``exc`` says the database is unreachable, saturated or timed out (worth a
    retry later) rather than that a statement is wrong."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is None:  # psycopg: no server answer at all (refused, DNS, timeout)
        return exc.orig.__class__.__module__.startswith("psycopg") or any(
            text in str(exc.orig).lower() for text in _OUTAGE_SQLITE
        )
    return str(sqlstate)[:2] in _OUTAGE_SQLSTATE_CLASSES


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the web process read while the worker writes; busy_timeout makes a writer
    # wait for the lock instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    register_functions(dbapi_conn)  # the catalogue search's typo comparison


def init_app(app: Flask) -> None:
    """Install per-connection settings on the app's engine."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
