"""One transaction of heartbeats: lock the touched rows, apply the beats, write back.

The caller owns the connection and commits it (``writer.py``). Existing rows are locked
in id order and new ones inserted in key order, so concurrent batches of other
processes wait for each other instead of deadlocking. Rejected beats change nothing:
a row is written only if at least one of its beats was accepted. A beat of a deactivated
account is refused here, in the one query per batch that sees the account: its grant
(checked without the database) may still be current, its sessions and tokens are not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from webapp.certificates.rules import crossed
from webapp.progress import sql_pg, sql_portable
from webapp.progress.beats import BadHeartbeat, Beat
from webapp.progress.rows import ModuleKey
from webapp.progress.rules import Standing, apply_beat


@dataclass(frozen=True)
class Pending:
    """A well-formed beat waiting for its batch."""

    key: ModuleKey
    duration: float
    beat: Beat
    received_at: datetime
    share: float  # of the duration that completes the module
    granted_at: datetime  # when the beat's watch session began (its grant's ``issued``)


class LostRace(Exception):
    """Another process created one of this batch's rows first: run the batch again."""


class AccountInactive(Exception):
    """The beat's account is deactivated: nothing is stored (HTTP 401)."""


Outcome = Standing | BadHeartbeat | AccountInactive


def write_batch(
    conn: Connection,
    items: Sequence[Pending],
    shares: Collection[float] = (),
    reached: set[ModuleKey] | None = None,
) -> list[Outcome]:
    """Apply ``items`` in arrival order; one outcome per item (its standing, or why not).

    Keys whose watched share grew across one of ``shares`` in this batch are added to
    ``reached`` (the certificate rules' trigger; computed from rows already in hand).
    """
    # PostgreSQL gets hand-written statements (arrays and unnest): the one Core definition
    # for both dialects (a JSON batch spread by json_to_recordset) cost 3x the database CPU
    # per beat in bench.heartbeats (0.41 vs 0.14 ms), see bench/README.md.
    sql = sql_pg if conn.dialect.name == "postgresql" else sql_portable
    inactive = sql.inactive(conn, {item.key.user_id for item in items})
    keys = sorted(
        {item.key for item in items if item.key.user_id not in inactive}, key=ModuleKey.sort_key
    )
    rows = sql.lock(conn, keys) if keys else {}
    standings = {key: rows[key][1] if key in rows else Standing() for key in keys}
    outcomes: list[Outcome] = []
    accepted: set[ModuleKey] = set()
    added: dict[tuple[ModuleKey, date], float] = defaultdict(float)
    for item in items:
        if item.key.user_id in inactive:
            outcomes.append(AccountInactive("the account is deactivated"))
            continue
        try:
            applied = apply_beat(
                standings[item.key],
                item.beat,
                item.duration,
                item.received_at,
                item.share,
                item.granted_at,
            )
        except BadHeartbeat as exc:
            outcomes.append(exc)
            continue
        standings[item.key] = applied.standing
        outcomes.append(applied.standing)
        accepted.add(item.key)
        if applied.added:
            added[(item.key, item.received_at.date())] += applied.added
    if reached is not None and shares:
        durations = {item.key: item.duration for item in items}
        for key in accepted:
            before = rows[key][1].watched_seconds if key in rows else 0.0
            after = standings[key].watched_seconds
            if crossed(before, after, durations[key], shares):
                reached.add(key)
    ids = {key: rows[key][0] for key in keys if key in rows and key in accepted}
    created = [key for key in keys if key not in rows and key in accepted]
    if created:
        inserted = sql.insert(conn, created, standings)
        if len(inserted) != len(created):
            raise LostRace
        ids.update(inserted)
        sql.count_viewers(conn, created)
    if len(ids) > len(created):
        sql.update_rows(conn, [(ids[key], standings[key]) for key in ids if key in rows])
    if added:
        sql.add_days(conn, ids, added)
    return outcomes
