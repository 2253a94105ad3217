"""The batch writer's statements, one SQLAlchemy Core definition for PostgreSQL and SQLite.

Each step is one statement whatever the batch size: lock the batch's rows, insert the
new ones, update the others, add to the day totals, count new viewers. A batch's rows
travel as one JSON parameter that the statement spreads into a table (``batch_rows``):
``json_to_recordset`` on PostgreSQL, ``json_each`` on SQLite. That is the only place the
dialects differ; the column lists, joins, conflict targets and lock order below are
written once. The statement text never changes with the batch size, so PostgreSQL's
driver prepares it once, and one ``json.dumps`` (C code) replaces the driver adapting
parameters one by one, which ``bench/heartbeats.py`` measured at a tenth of the server's
CPU per beat.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    FromClause,
    Insert,
    Integer,
    Select,
    Update,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from webapp.models import Module, WatchProgress
from webapp.models.progress import WatchDay
from webapp.progress.rows import ModuleKey, columns_of, standing_of
from webapp.progress.rules import Standing

PROGRESS = WatchProgress.__table__
DAYS = WatchDay.__table__
MODULES = Module.__table__
KEY = ("user_id", "video_id", "clip_id")
STATE = tuple(columns_of(Standing()))  # the columns a standing is stored in
ROWS = "rows"  # the one parameter of every statement
Row = dict[str, Any]
Statement = Select[Any] | Insert | Update


# --------------------------------------------------------------------------- rows


def _types(columns: Iterable[str], table: Any = PROGRESS) -> dict[str, TypeEngine]:
    return {name: table.c[name].type for name in columns}


def batch_rows(dialect: str, types: dict[str, TypeEngine], name: str = "v") -> FromClause:
    """The ``rows`` parameter (a JSON array of objects) as a table with ``types``' columns."""
    if dialect == "postgresql":
        records = func.json_to_recordset(cast(bindparam(ROWS), JSON))
        columns = [column(n, t) for n, t in types.items()]
        return records.table_valued(*columns).render_derived(name=name, with_types=True)
    each = func.json_each(bindparam(ROWS)).table_valued("value")
    fields = [
        func.json_extract(each.c.value, literal_column(f"'$.{n}'"), type_=t).label(n)
        for n, t in types.items()
    ]
    return select(*fields).subquery(name)


def _from_rows(rows: FromClause, fields: Iterable[str]) -> Select:
    # SQLite needs a WHERE in an INSERT ... SELECT that an ON CONFLICT follows.
    return select(*(rows.c[n] for n in fields)).where(literal_column("1") == literal_column("1"))


def encode(dialect: Dialect, types: dict[str, TypeEngine], rows: Iterable[Row]) -> str:
    """``rows`` as the ``rows`` parameter: each value as the dialect stores its column's
    type (SQLite keeps dates and times as text in its own format), JSON left as JSON."""
    processors = _processors(dialect, tuple(types.items()))
    if processors:
        rows = [
            {n: v if v is None or (p := processors.get(n)) is None else p(v) for n, v in r.items()}
            for r in rows
        ]
    return json.dumps(list(rows), separators=(",", ":"), default=_iso)


@lru_cache(maxsize=64)  # per engine's dialect and step
def _processors(
    dialect: Dialect, types: tuple[tuple[str, TypeEngine], ...]
) -> dict[str, Callable[[Any], Any]]:
    processors = {
        n: t.dialect_impl(dialect).bind_processor(dialect)
        for n, t in types
        if not isinstance(t, JSON)
    }
    return {n: p for n, p in processors.items() if p is not None}


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _insert(dialect: str) -> Callable[..., Any]:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _same_key(table: Any, rows: FromClause) -> ColumnElement[bool]:
    return and_(
        table.c.user_id == rows.c.user_id,
        table.c.video_id == rows.c.video_id,
        table.c.clip_id.is_not_distinct_from(rows.c.clip_id),
    )


# --------------------------------------------------------------------------- statements
# Built once per dialect; SQLAlchemy caches each one's compiled form.


@dataclass(frozen=True)
class Step:
    """A statement and the fields (with their column types) of its ``rows`` parameter."""

    statement: Statement
    fields: dict[str, TypeEngine]
    typed_result: bool = False  # False: no result, or plain integers (ids)

    def run(self, conn: Connection, rows: Iterable[Row]) -> Any:
        """Execute with ``rows`` (dicts with the step's fields) as its one parameter."""
        value = encode(conn.dialect, self.fields, rows)
        if self.typed_result:
            return conn.execute(self.statement, {ROWS: value})
        # The statement compiled once for the dialect, run as the driver's SQL: no
        # per-execution work in SQLAlchemy for a result nobody converts.
        text, positional = _compiled(self.statement, conn.dialect)
        return conn.exec_driver_sql(text, (value,) if positional else {ROWS: value})


@lru_cache(maxsize=64)  # per engine's dialect and statement
def _compiled(statement: Statement, dialect: Dialect) -> tuple[str, bool]:
    compiled = statement.compile(dialect=dialect)
    assert list(compiled.params) == [ROWS]  # the one parameter
    return compiled.string, compiled.positional


@cache
def lock_step(dialect: str) -> Step:
    """The batch's existing rows, locked in id order (SQLite: the transaction's lock)."""
    fields = _types(KEY)
    keys = batch_rows(dialect, fields, "k")
    statement = (
        select(PROGRESS)
        .join(keys, _same_key(PROGRESS, keys))
        .order_by(PROGRESS.c.id)
        .with_for_update(of=PROGRESS)
    )
    return Step(statement, fields, typed_result=True)


@cache
def insert_step(dialect: str) -> Step:
    """New rows from keys and standings; a row another process created is left alone."""
    fields = _types((*KEY, *STATE))
    rows = batch_rows(dialect, fields)
    statement = (
        _insert(dialect)(PROGRESS)
        .from_select(list(fields), _from_rows(rows, fields))
        .on_conflict_do_nothing()
        .returning(PROGRESS.c.id, *(PROGRESS.c[n] for n in KEY))
    )
    return Step(statement, fields)


@cache
def update_step(dialect: str) -> Step:
    """Existing rows' standings, by id."""
    fields = {"id": PROGRESS.c.id.type, **_types(STATE)}
    rows = batch_rows(dialect, fields)
    statement = (
        update(PROGRESS).where(PROGRESS.c.id == rows.c.id).values({n: rows.c[n] for n in STATE})
    )
    return Step(statement, fields)


@cache
def add_days_step(dialect: str) -> Step:
    """Add to each row's seconds of the day (a new day row, or the existing one)."""
    fields = _types(("progress_id", *KEY, "day", "seconds"), DAYS)
    rows = batch_rows(dialect, fields)
    statement = _insert(dialect)(DAYS).from_select(list(fields), _from_rows(rows, fields))
    statement = statement.on_conflict_do_update(
        index_elements=[DAYS.c.progress_id, DAYS.c.day],
        set_={"seconds": DAYS.c.seconds + statement.excluded.seconds},
    )
    return Step(statement, fields)


@cache
def count_viewers_step(dialect: str) -> Step:
    """Add ``n`` viewers to each module (whole video or clip), locked in id order."""
    fields: dict[str, TypeEngine[Any]] = {
        "video_id": Integer(),
        "clip_id": Integer(),
        "n": Integer(),
    }
    counts = batch_rows(dialect, fields, "c")
    whole = and_(
        counts.c.clip_id.is_(None),
        MODULES.c.clip_id.is_(None),
        MODULES.c.video_id == counts.c.video_id,
    )
    locked = (
        select(MODULES.c.id, counts.c.n)
        .join(counts, or_(MODULES.c.clip_id == counts.c.clip_id, whole))
        .order_by(MODULES.c.id)
        .with_for_update(of=MODULES)
        .cte("locked")
    )
    statement = (
        update(MODULES)
        .where(MODULES.c.id == locked.c.id)
        .values(views=MODULES.c.views + locked.c.n)
    )
    return Step(statement, fields)


# --------------------------------------------------------------------------- the writer's calls


def lock(conn: Connection, keys: Sequence[ModuleKey]) -> dict[ModuleKey, tuple[int, Standing]]:
    """The existing rows of ``keys``, locked in id order."""
    rows = lock_step(conn.dialect.name).run(conn, [k._asdict() for k in keys])
    return {
        ModuleKey(row.user_id, row.video_id, row.clip_id): (row.id, standing_of(row))
        for row in rows
    }


def insert(
    conn: Connection, keys: Sequence[ModuleKey], standings: dict[ModuleKey, Standing]
) -> dict[ModuleKey, int]:
    """Create rows for ``keys`` (in that order); the ids of those this call created."""
    rows = [{**k._asdict(), **columns_of(standings[k])} for k in keys]
    return {
        ModuleKey(r.user_id, r.video_id, r.clip_id): r.id
        for r in insert_step(conn.dialect.name).run(conn, rows)
    }


def update_rows(conn: Connection, rows: Sequence[tuple[int, Standing]]) -> None:
    """Write the standings of existing rows, by id."""
    update_step(conn.dialect.name).run(
        conn, [{"id": row_id, **columns_of(s)} for row_id, s in rows]
    )


def add_days(
    conn: Connection, ids: dict[ModuleKey, int], added: dict[tuple[ModuleKey, date], float]
) -> None:
    """Add new watched seconds to each row's total for the day."""
    rows = [
        {"progress_id": ids[key], **key._asdict(), "day": day, "seconds": seconds}
        for (key, day), seconds in added.items()
    ]
    add_days_step(conn.dialect.name).run(conn, rows)


def count_viewers(conn: Connection, keys: Sequence[ModuleKey]) -> None:
    """A module's first heartbeat from a learner counts one viewer ("most popular")."""
    counts = Counter((key.video_id, key.clip_id) for key in keys)
    rows = [{"video_id": v, "clip_id": c, "n": n} for (v, c), n in counts.items()]
    count_viewers_step(conn.dialect.name).run(conn, rows)
