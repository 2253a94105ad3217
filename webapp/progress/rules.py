"""How one heartbeat changes a learner's standing on a module (pure).

* The watched union only grows: a beat's played intervals are clamped to the module and
  merged in, so the same beats in any order, any number of times, give the same union.
* The resume position follows the sequence numbers of the player session that sent it:
  a beat of the current session whose ``seq`` is not above the last one keeps the
  position (its intervals are still merged). A beat of another session takes over; a
  beat without a session (the foundation's ``{"position": s}``) always moves it.
* New watched time is bounded by wall time. A standing carries a credit of wall seconds:
  it grows by ``WALL_TOLERANCE`` x the seconds since the last accepted beat, and a beat
  spends ``added / rate`` of it, where ``added`` is how much the beat grows the union.
  A beat that would overspend (beyond ``SLACK_SECONDS``) is impossible and refused.
  A new standing starts with ``FIRST_BEAT_SECONDS`` of credit. Re-reported ranges add
  nothing and cost nothing, so a retried, duplicated or late beat never fails.
* Completion (``completed_at``) is set once the union covers ``share`` of the duration
  and never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from webapp.progress import intervals as iv
from webapp.progress.beats import BadHeartbeat, Beat

FIRST_BEAT_SECONDS = 30.0  # wall seconds a first beat may report: three 10 s beat periods
WALL_TOLERANCE = 1.5  # timer drift and network jitter between two beats
SLACK_SECONDS = 2.0
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


def available_credit(standing: Standing, now: datetime) -> float:
    """Wall seconds of playback the learner may still report at ``now``."""
    if standing.credit is None or standing.credit_at is None:
        return FIRST_BEAT_SECONDS
    elapsed = max(0.0, (now - standing.credit_at).total_seconds())
    return standing.credit + WALL_TOLERANCE * elapsed


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
    standing: Standing, beat: Beat, duration: float, now: datetime, share: float
) -> Applied:
    """``standing`` after ``beat`` arrived at ``now``; raises BadHeartbeat if impossible."""
    union = tuple(iv.clamp(iv.merge([*standing.intervals, *beat.played]), duration))
    if len(union) > MAX_UNION_INTERVALS:
        raise BadHeartbeat(f"more than {MAX_UNION_INTERVALS} separate watched ranges")
    watched = min(round(iv.total(union), 3), duration)  # rounding must not pass the end
    added = max(0.0, watched - standing.watched_seconds)
    credit = available_credit(standing, now)
    if added / beat.rate > credit + SLACK_SECONDS:
        raise BadHeartbeat(
            f"the played ranges add {added:.1f} s of watching, more than is possible at "
            f"rate {beat.rate:g} since the last heartbeat ({credit * beat.rate:.1f} s)"
        )
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
            credit=max(0.0, credit - added / beat.rate),
            credit_at=latest,
            views=views,
        ),
        added,
    )
