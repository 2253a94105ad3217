"""The batch writer's statements in portable SQL Core (SQLite; they run on PostgreSQL too).

Each step is one statement (an executemany for updates): lock or read the batch's rows,
insert the new ones, update the others, add to the day totals, count new viewers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, and_, bindparam, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.models import Module, User, WatchProgress
from webapp.models.progress import WatchDay
from webapp.progress.rows import ModuleKey, columns_of, standing_of
from webapp.progress.rules import Standing

PROGRESS = WatchProgress.__table__
DAYS = WatchDay.__table__
USERS = User.__table__
MODULES = Module.__table__


def _dialect_insert(conn: Connection) -> Callable:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _key_filter(keys: Iterable[ModuleKey]):
    whole = [(k.user_id, k.video_id) for k in keys if k.clip_id is None]
    clips = [(k.user_id, k.clip_id) for k in keys if k.clip_id is not None]
    conditions = []
    if whole:
        pair = tuple_(PROGRESS.c.user_id, PROGRESS.c.video_id)
        conditions.append(and_(PROGRESS.c.clip_id.is_(None), pair.in_(whole)))
    if clips:
        conditions.append(tuple_(PROGRESS.c.user_id, PROGRESS.c.clip_id).in_(clips))
    return or_(*conditions)


def inactive(conn: Connection, user_ids: set[int]) -> set[int]:
    """Which of ``user_ids`` are deactivated accounts."""
    query = select(USERS.c.id).where(USERS.c.id.in_(user_ids), USERS.c.active.is_(False))
    return set(conn.scalars(query))


def lock(conn: Connection, keys: Sequence[ModuleKey]) -> dict[ModuleKey, tuple[int, Standing]]:
    """The existing rows of ``keys``, locked (SQLite: the transaction holds the write lock)."""
    query = select(PROGRESS).where(_key_filter(keys)).order_by(PROGRESS.c.id).with_for_update()
    return {
        ModuleKey(row.user_id, row.video_id, row.clip_id): (row.id, standing_of(row))
        for row in conn.execute(query)
    }


def insert(
    conn: Connection, keys: Sequence[ModuleKey], standings: dict[ModuleKey, Standing]
) -> dict[ModuleKey, int]:
    """Create rows for ``keys`` (in that order); the ids of those this call created."""
    values = [{**key._asdict(), **columns_of(standings[key])} for key in keys]
    statement = (
        _dialect_insert(conn)(PROGRESS)
        .values(values)
        .on_conflict_do_nothing()
        .returning(PROGRESS.c.id, PROGRESS.c.user_id, PROGRESS.c.video_id, PROGRESS.c.clip_id)
    )
    return {ModuleKey(r.user_id, r.video_id, r.clip_id): r.id for r in conn.execute(statement)}


def update_rows(conn: Connection, rows: Sequence[tuple[int, Standing]]) -> None:
    """Write the standings of existing rows, by id."""
    # Bind names must differ from the column names an UPDATE sets.
    names = list(columns_of(Standing()))
    statement = (
        update(PROGRESS)
        .where(PROGRESS.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )
    conn.execute(
        statement,
        [
            {"row_id": row_id, **{f"new_{k}": v for k, v in columns_of(s).items()}}
            for row_id, s in rows
        ],
    )


def add_days(
    conn: Connection, ids: dict[ModuleKey, int], added: dict[tuple[ModuleKey, date], float]
) -> None:
    """Add new watched seconds to each row's total for the day."""
    statement = _dialect_insert(conn)(DAYS)
    statement = statement.on_conflict_do_update(
        index_elements=[DAYS.c.progress_id, DAYS.c.day],
        set_={"seconds": DAYS.c.seconds + statement.excluded.seconds},
    )
    conn.execute(
        statement,
        [
            {"progress_id": ids[key], **key._asdict(), "day": day, "seconds": seconds}
            for (key, day), seconds in added.items()
        ],
    )


def count_viewers(conn: Connection, keys: Sequence[ModuleKey]) -> None:
    """A module's first heartbeat from a learner counts one viewer ("most popular")."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for key in keys:
        counts[(key.video_id, -1 if key.clip_id is None else key.clip_id)] += 1
    for (video_id, clip_id), n in sorted(counts.items()):  # one lock order for every batch
        match = (
            and_(MODULES.c.video_id == video_id, MODULES.c.clip_id.is_(None))
            if clip_id == -1
            else MODULES.c.clip_id == clip_id
        )
        conn.execute(update(MODULES).where(match).values(views=MODULES.c.views + n))
