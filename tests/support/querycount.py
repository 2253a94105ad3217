"""Count the SQL statements a piece of code runs (for the no-N+1 guards)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from webapp.extensions import db


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def _record(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def count_queries(app: Flask, action: Callable[[], object]) -> int:
    """How many statements ``action`` runs; a response it returns must be a 200."""
    with recorded_statements(app) as statements:
        result = action()
        assert getattr(result, "status_code", 200) == 200
    return len(statements)
