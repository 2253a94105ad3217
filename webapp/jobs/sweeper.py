"""The sweeper: recover jobs of every kind whose worker died or whose message was lost."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update

from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.lifecycle import JobKind
from webapp.jobs.registry import KINDS
from webapp.models.base import utcnow
from webapp.models.job import JobState


@dataclass(frozen=True)
class KindSweep:
    """What one sweep did to one kind's jobs, by job id."""

    requeued: tuple[int, ...]
    redispatched: tuple[int, ...]
    failed: tuple[int, ...]

    @property
    def to_send(self) -> tuple[int, ...]:
        """Ids to put on the queue once the sweep is committed."""
        return (*self.requeued, *self.redispatched)


def sweep_kind(
    kind: JobKind, stale_after: timedelta, redispatch_after: timedelta, max_attempts: int
) -> KindSweep:
    """Hand back (or, after ``max_attempts``, fail) RUNNING jobs silent for
    ``stale_after``, and pick QUEUED jobs whose message has waited ``redispatch_after``.

    Flushes only; the caller commits and then dispatches ``to_send``. Each change is a
    compare-and-set, so two sweepers (or a worker waking up meanwhile) cannot both act.
    """
    model, now = kind.model, utcnow()
    requeued, failed, redispatched = [], [], []
    cutoff = now - stale_after
    silent = db.session.scalars(
        db.select(model).where(
            model.state == JobState.RUNNING, lifecycle.silent_since(model, cutoff)
        )
    ).all()
    still_silent = lifecycle.silent_since(model, cutoff)
    for job in silent:
        if job.attempts >= max_attempts:
            reason = f"The worker stopped {job.attempts} times while {kind.doing}; gave up."
            if lifecycle.fail(kind, job.id, reason, job.attempts, still_silent)[0]:
                failed.append(job.id)
        elif lifecycle.hand_back(
            kind, job.id, "the worker stopped responding; retrying", job.attempts, still_silent
        ):
            requeued.append(job.id)
    waited = now - redispatch_after
    lost = db.session.scalars(
        db.select(model.id).where(model.state == JobState.QUEUED, model.updated_at <= waited)
    ).all()
    for job_id in lost:
        if job_id in requeued:
            continue
        # Wait another period before sending it yet again; only one sweeper sends it.
        resent = lifecycle.rows_changed(
            update(model)
            .where(model.id == job_id, model.state == JobState.QUEUED, model.updated_at <= waited)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if resent:
            redispatched.append(job_id)
    db.session.flush()
    db.session.expire_all()
    return KindSweep(tuple(requeued), tuple(redispatched), tuple(failed))


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did, by kind name."""

    kinds: dict[str, KindSweep]

    def __getitem__(self, kind: str) -> KindSweep:
        return self.kinds[kind]

    def as_dict(self) -> dict[str, dict[str, list[int]]]:
        """Plain lists, for the Celery result and the log."""
        return {
            name: {
                "requeued": list(s.requeued),
                "redispatched": list(s.redispatched),
                "failed": list(s.failed),
            }
            for name, s in self.kinds.items()
        }


def sweep(
    stale_after: timedelta,
    redispatch_after: timedelta,
    max_attempts: int,
    kinds: Iterable[JobKind] | None = None,
) -> SweepReport:
    """:func:`sweep_kind` for every registered kind (flush only; see there)."""
    return SweepReport(
        {
            kind.name: sweep_kind(kind, stale_after, redispatch_after, max_attempts)
            for kind in (kinds if kinds is not None else KINDS.values())
        }
    )


def send(report: SweepReport) -> None:
    """After the sweep is committed: put every requeued and lost job on the queue."""
    for name, done in report.kinds.items():
        for job_id in done.to_send:
            lifecycle.dispatch(KINDS[name], job_id)
