"""Audience retention of one module (a whole video or a clip), computed from the watched
intervals in one SQL statement, and its drop-off points.

Definitions:

* the module is cut into ``bucket_count(duration)`` equal buckets: one per 5 s for short
  modules, at most 100;
* a viewer is a learner with ``watched_seconds > 0`` on the module;
* the retention of a bucket is the share of viewers whose watched intervals (their union,
  as stored) cover the bucket's midpoint;
* a drop-off point is a boundary between two buckets where retention falls; the three
  largest falls are reported, earliest first on ties.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text

from webapp.extensions import db

MAX_BUCKETS = 100
SECONDS_PER_BUCKET = 5.0
TOP_DROP_OFFS = 3

# Spans are the stored intervals unnested into rows; a bucket counts the distinct viewers
# with a span over its midpoint. On PostgreSQL each span lists the buckets whose midpoint
# it covers, (i + 0.5) * step in [a, b], so the work grows with the time watched and not
# with spans x buckets. Only constant fragments are formatted in.
_POSTGRES = """
WITH spans AS (
    SELECT wp.user_id, (span ->> 0)::float AS a, (span ->> 1)::float AS b
    FROM watch_progress AS wp
    CROSS JOIN LATERAL json_array_elements(wp.intervals::json) AS span
    WHERE wp.video_id = :video_id AND {clip} AND wp.watched_seconds > 0
)
SELECT bucket, count(DISTINCT spans.user_id)
FROM spans
CROSS JOIN LATERAL generate_series(
    greatest(0, ceil(spans.a / :step - 0.5))::int,
    least(:n - 1, floor(spans.b / :step - 0.5))::int
) AS bucket
GROUP BY bucket ORDER BY bucket
"""

_SQLITE = """
WITH RECURSIVE buckets(i) AS (
    SELECT 0 UNION ALL SELECT i + 1 FROM buckets WHERE i + 1 < :n
), spans AS (
    SELECT wp.user_id, json_extract(span.value, '$[0]') AS a,
           json_extract(span.value, '$[1]') AS b
    FROM watch_progress AS wp, json_each(wp.intervals) AS span
    WHERE wp.video_id = :video_id AND {clip} AND wp.watched_seconds > 0
)
SELECT buckets.i, count(DISTINCT spans.user_id)
FROM buckets LEFT JOIN spans
  ON spans.a <= (buckets.i + 0.5) * :step AND (buckets.i + 0.5) * :step <= spans.b
GROUP BY buckets.i ORDER BY buckets.i
"""


@dataclass(frozen=True)
class Bucket:
    """One bucket of the curve: ``[start, end)`` seconds and the viewers covering its middle."""

    index: int
    start: float
    end: float
    viewers: int
    share: float  # 0–1


@dataclass(frozen=True)
class DropOff:
    """A fall in retention at ``at`` seconds (the start of bucket ``index``)."""

    index: int
    at: float
    before: float  # share of viewers in the bucket before
    after: float  # share of viewers in this bucket
    lost: int  # viewers lost

    @property
    def drop(self) -> float:
        """The fall in share, 0–1."""
        return self.before - self.after


def bucket_count(duration: float) -> int:
    """One bucket per 5 s, at least one and at most 100."""
    if duration <= 0:
        return 0
    return max(1, min(MAX_BUCKETS, math.ceil(duration / SECONDS_PER_BUCKET)))


def retention_curve(
    video_id: int, clip_id: int | None, duration: float, viewers: int
) -> list[Bucket]:
    """The retention curve of a module (``clip_id`` None: the whole video; clip intervals
    are seconds from the clip's start); empty without a duration. One query."""
    n = bucket_count(duration)
    if n == 0:
        return []
    step = duration / n
    template = _POSTGRES if db.engine.dialect.name == "postgresql" else _SQLITE
    clip = "wp.clip_id IS NULL" if clip_id is None else "wp.clip_id = :clip_id"
    params = {"n": n, "step": step, "video_id": video_id}
    if clip_id is not None:
        params["clip_id"] = clip_id
    rows = db.session.execute(text(template.format(clip=clip)), params)
    counts: dict[int, int] = {bucket: count for bucket, count in rows}
    return [
        Bucket(
            i,
            round(i * step, 3),
            round((i + 1) * step, 3),
            counts.get(i, 0),
            counts.get(i, 0) / viewers if viewers else 0.0,
        )
        for i in range(n)
    ]


def drop_offs(curve: list[Bucket], top: int = TOP_DROP_OFFS) -> list[DropOff]:
    """The ``top`` largest falls between consecutive buckets, largest first (ties: earlier
    first); only real falls (fewer viewers than in the bucket before)."""
    falls = [
        DropOff(cur.index, cur.start, prev.share, cur.share, prev.viewers - cur.viewers)
        for prev, cur in zip(curve, curve[1:], strict=False)
        if cur.viewers < prev.viewers
    ]
    return sorted(falls, key=lambda d: (-d.lost, d.index))[:top]
