"""How one heartbeat changes a learner's standing on a module (pure).

* The watched union only grows: a beat's played intervals are clamped to the module and
  merged in, so the same beats in any order, any number of times, give the same union.
* The resume position follows the sequence numbers of the player session that sent it:
  a beat of the current session whose ``seq`` is not above the last one keeps the
  position (its intervals are still merged). A beat of another session takes over; a
  beat without a session (the foundation's ``{"position": s}``) always moves it.
* New watched time is bounded by wall time the server measured, at the player's fastest
  speed (``PLAYER_MAX_RATE``), whatever rate the beat claims. A standing carries a
  credit of wall seconds: it grows by the seconds since the last accepted beat, and a
  beat spends ``added / PLAYER_MAX_RATE`` of it, where ``added`` is how much the beat
  grows the union. The credit a beat may use is also never more than the wall seconds
  since its watch session began (``granted_at``: when the grant it presents was first
  issued, with the page's progress read or the first beat), so the watched time
  credited since a session began is at most ``PLAYER_MAX_RATE`` x the wall time since
  then, and a first beat earns nothing it could not have played since its grant. A
  beat reporting more keeps only its earliest new seconds that the credit covers (it is
  not refused: an honest player's beat that arrived a little early loses a fraction of
  a second, not the beat). Re-reported ranges add nothing and cost nothing, so a
  retried, duplicated or late beat never fails.
* Completion (``completed_at``) is set once the union covers ``share`` of the duration
  and never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from webapp.progress import intervals as iv
from webapp.progress.beats import PLAYER_MAX_RATE, BadHeartbeat, Beat

MAX_UNION_INTERVALS = 2000  # keeps one row's JSON small whatever a client sends


@dataclass(frozen=True)
class Standing:
    """What the server keeps per learner and module (a ``WatchProgress`` row)."""

    position: float = 0.0
    intervals: tuple[iv.Interval, ...] = ()
    watched_seconds: float = 0.0
    completed_at: datetime | None = None
    session: str | None = None
    seq: int | None = None
    credit: float | None = None
    credit_at: datetime | None = None
    views: int = 0

    @property
    def completed(self) -> bool:
        """Completion is sticky once reached."""
        return self.completed_at is not None


@dataclass(frozen=True)
class Applied:
    """A standing after one beat, and the watched seconds the beat added."""

    standing: Standing
    added: float


def available_credit(standing: Standing, now: datetime, granted_at: datetime) -> float:
    """Wall seconds of playback (at ``PLAYER_MAX_RATE``) the learner may still report at
    ``now`` in a watch session that began at ``granted_at``."""
    session = max(0.0, (now - granted_at).total_seconds())
    if standing.credit is None or standing.credit_at is None:
        return session
    banked = standing.credit + max(0.0, (now - standing.credit_at).total_seconds())
    return min(banked, session)


def _views(standing: Standing, beat: Beat) -> int:
    """One more view when a player session reports for the first time (a page load).

    Only the latest session is kept, so two tabs that take turns (or a late beat of the
    previous page load) count a view at each turn: an overcount, never an undercount.
    """
    if beat.session is None or beat.session == standing.session:
        return standing.views
    return standing.views + 1


def _position(
    standing: Standing, beat: Beat, duration: float
) -> tuple[float, str | None, int | None]:
    stale = (
        beat.session is not None
        and beat.session == standing.session
        and standing.seq is not None
        and beat.seq is not None
        and beat.seq <= standing.seq
    )
    if stale:
        return standing.position, standing.session, standing.seq
    position = min(beat.position, duration) if duration else beat.position
    if beat.session is None:
        return position, standing.session, standing.seq
    return position, beat.session, beat.seq


def apply_beat(
    standing: Standing,
    beat: Beat,
    duration: float,
    now: datetime,
    share: float,
    granted_at: datetime,
) -> Applied:
    """``standing`` after ``beat`` arrived at ``now`` in a watch session that began at
    ``granted_at``; raises BadHeartbeat if the union would grow too fragmented."""
    played = iv.clamp(iv.merge(beat.played), duration)
    union = tuple(iv.clamp(iv.merge([*standing.intervals, *played]), duration))
    watched = min(round(iv.total(union), 3), duration)  # rounding must not pass the end
    added = max(0.0, watched - standing.watched_seconds)
    credit = available_credit(standing, now, granted_at)
    if added > credit * PLAYER_MAX_RATE:
        # More than could have been played: keep the earliest new seconds it covers.
        new = iv.take(iv.subtract(played, standing.intervals), credit * PLAYER_MAX_RATE)
        union = tuple(iv.clamp(iv.merge([*standing.intervals, *new]), duration))
        watched = min(round(iv.total(union), 3), duration)
        added = max(0.0, watched - standing.watched_seconds)
    if len(union) > MAX_UNION_INTERVALS:
        raise BadHeartbeat(f"more than {MAX_UNION_INTERVALS} separate watched ranges")
    if union != standing.intervals:
        standing = replace(standing, intervals=union, watched_seconds=watched)
    views = _views(standing, beat)
    position, session, seq = _position(standing, beat, duration)
    completed_at = standing.completed_at
    if completed_at is None and duration and standing.watched_seconds >= share * duration:
        completed_at = now
    latest = max(now, standing.credit_at) if standing.credit_at else now
    return Applied(
        replace(
            standing,
            position=position,
            completed_at=completed_at,
            session=session,
            seq=seq,
            # Not floored at zero: a millisecond rounded up is owed, not given.
            credit=credit - added / PLAYER_MAX_RATE,
            credit_at=latest,
            views=views,
        ),
        added,
    )
