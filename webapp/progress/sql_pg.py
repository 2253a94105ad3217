"""The batch writer's statements for PostgreSQL: one statement per step whatever the
batch size, its rows passed as arrays and spread out by ``unnest``, so the statement
text never changes (the driver prepares it once) and a step is one round trip.

Each array goes as the text of an array literal (``{1,2,NULL}``) that the statement
casts: the driver would adapt a Python list element by element, looking up each
element's type, which ``bench/heartbeats.py`` measured at a tenth of the server's CPU
per beat; joining strings costs a fraction of that.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from webapp.progress.rows import ModuleKey, standing_of
from webapp.progress.rules import Standing

KEYS = "%(users)s::int[], %(videos)s::int[], %(clips)s::int[]"
STATE = (
    "%(positions)s::float8[], %(intervals)s::text[], %(watched)s::float8[],"
    " %(completed)s::timestamptz[], %(sessions)s::text[], %(seqs)s::int8[],"
    " %(credits)s::float8[], %(ats)s::timestamptz[], %(views)s::int[]"
)
LOCK = f"""
SELECT p.id, p.user_id, p.video_id, p.clip_id, p.position, p.intervals, p.watched_seconds,
       p.completed_at, p.beat_session, p.beat_seq, p.beat_credit, p.beat_at, p.view_count
FROM watch_progress p
JOIN unnest({KEYS}) AS k(user_id, video_id, clip_id)
  ON p.user_id = k.user_id AND p.video_id = k.video_id
 AND p.clip_id IS NOT DISTINCT FROM k.clip_id
ORDER BY p.id
FOR UPDATE OF p
"""
INSERT = f"""
INSERT INTO watch_progress (user_id, video_id, clip_id, position, intervals, watched_seconds,
  completed_at, beat_session, beat_seq, beat_credit, beat_at, updated_at, view_count)
SELECT user_id, video_id, clip_id, position, intervals::json, watched, completed_at,
  session, seq, credit, at, at, views
FROM unnest({KEYS}, {STATE})
  AS v(user_id, video_id, clip_id, position, intervals, watched, completed_at, session, seq,
       credit, at, views)
ON CONFLICT DO NOTHING
RETURNING id, user_id, video_id, clip_id
"""
UPDATE = f"""
UPDATE watch_progress p
SET position = v.position, intervals = v.intervals::json, watched_seconds = v.watched,
    completed_at = v.completed_at, beat_session = v.session, beat_seq = v.seq,
    beat_credit = v.credit, beat_at = v.at, updated_at = v.at, view_count = v.views
FROM unnest(%(ids)s::int[], {STATE})
  AS v(id, position, intervals, watched, completed_at, session, seq, credit, at, views)
WHERE p.id = v.id
"""
ADD_DAYS = f"""
INSERT INTO watch_days (progress_id, user_id, video_id, clip_id, day, seconds)
SELECT * FROM unnest(%(ids)s::int[], {KEYS}, %(days)s::date[], %(seconds)s::float8[])
ON CONFLICT (progress_id, day) DO UPDATE SET seconds = watch_days.seconds + excluded.seconds
"""
COUNT_VIEWERS = """
WITH c AS (
  SELECT * FROM unnest(%(videos)s::int[], %(clips)s::int[], %(counts)s::int[])
    AS c(video_id, clip_id, n)
), locked AS (
  SELECT m.id, c.n FROM modules m
  JOIN c ON m.clip_id = c.clip_id
         OR (c.clip_id IS NULL AND m.clip_id IS NULL AND m.video_id = c.video_id)
  ORDER BY m.id
  FOR UPDATE OF m
)
UPDATE modules m SET views = m.views + locked.n FROM locked WHERE m.id = locked.id
"""


INACTIVE = "SELECT id FROM users WHERE id = ANY(%(users)s::int[]) AND NOT active"


def inactive(conn: Connection, user_ids: set[int]) -> set[int]:
    """Which of ``user_ids`` are deactivated accounts (one round trip, a fixed text)."""
    rows = conn.exec_driver_sql(INACTIVE, {"users": _numbers(sorted(user_ids))})
    return {row[0] for row in rows}


def _numbers(values: Sequence[float | int | None]) -> str:
    """An array literal of numbers (``repr`` of a float is exact) and NULLs."""
    return "{" + ",".join("NULL" if v is None else repr(v) for v in values) + "}"


def _texts(values: Sequence[str | date | datetime | None]) -> str:
    """An array literal of quoted texts (dates and times in ISO 8601) and NULLs."""
    return "{" + ",".join("NULL" if v is None else _quoted(v) for v in values) + "}"


def _quoted(value: Any) -> str:
    text = value if isinstance(value, str) else value.isoformat()
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _keys(keys: Sequence[ModuleKey]) -> dict[str, str]:
    return {
        "users": _numbers([k.user_id for k in keys]),
        "videos": _numbers([k.video_id for k in keys]),
        "clips": _numbers([k.clip_id for k in keys]),
    }


def _state(standings: Sequence[Standing]) -> dict[str, str]:
    return {
        "positions": _numbers([s.position for s in standings]),
        "intervals": _texts([json.dumps(s.intervals) for s in standings]),
        "watched": _numbers([s.watched_seconds for s in standings]),
        "completed": _texts([s.completed_at for s in standings]),
        "sessions": _texts([s.session for s in standings]),
        "seqs": _numbers([s.seq for s in standings]),
        "credits": _numbers([s.credit for s in standings]),
        "ats": _texts([s.credit_at for s in standings]),
        "views": _numbers([s.views for s in standings]),
    }


def lock(conn: Connection, keys: Sequence[ModuleKey]) -> dict[ModuleKey, tuple[int, Standing]]:
    """The existing rows of ``keys``, locked in id order."""
    rows = conn.exec_driver_sql(LOCK, _keys(keys))
    return {
        ModuleKey(row.user_id, row.video_id, row.clip_id): (row.id, standing_of(row))
        for row in rows
    }


def insert(
    conn: Connection, keys: Sequence[ModuleKey], standings: dict[ModuleKey, Standing]
) -> dict[ModuleKey, int]:
    """Create rows for ``keys`` (in that order); the ids of those this call created."""
    params = {**_keys(keys), **_state([standings[k] for k in keys])}
    return {
        ModuleKey(r.user_id, r.video_id, r.clip_id): r.id
        for r in conn.exec_driver_sql(INSERT, params)
    }


def update_rows(conn: Connection, rows: Sequence[tuple[int, Standing]]) -> None:
    """Write the standings of existing rows, by id."""
    params = {"ids": _numbers([row_id for row_id, _ in rows]), **_state([s for _, s in rows])}
    conn.exec_driver_sql(UPDATE, params)


def add_days(
    conn: Connection, ids: dict[ModuleKey, int], added: dict[tuple[ModuleKey, date], float]
) -> None:
    """Add new watched seconds to each row's total for the day."""
    entries = list(added.items())
    params = {
        "ids": _numbers([ids[key] for (key, _), _ in entries]),
        **_keys([key for (key, _), _ in entries]),
        "days": _texts([day for (_, day), _ in entries]),
        "seconds": _numbers([seconds for _, seconds in entries]),
    }
    conn.exec_driver_sql(ADD_DAYS, params)


def count_viewers(conn: Connection, keys: Sequence[ModuleKey]) -> None:
    """A module's first heartbeat from a learner counts one viewer ("most popular");
    the modules are locked in id order first, as every batch does."""
    counts = Counter((key.video_id, key.clip_id) for key in keys)
    params = {
        "videos": _numbers([video_id for video_id, _ in counts]),
        "clips": _numbers([clip_id for _, clip_id in counts]),
        "counts": _numbers(list(counts.values())),
    }
    conn.exec_driver_sql(COUNT_VIEWERS, params)
