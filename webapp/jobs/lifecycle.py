"""One lifecycle for every background-job kind: claim, heartbeat, finish, fail, hand back.

The job row is the truth; the queue only delivers job ids, possibly more than once, and
possibly late. Every kind (transcode, clip export, the next ones) runs through these
functions; a kind only adds what happens to *its* objects on each step (a
:class:`JobKind`'s hooks) and what its result is.

Data model: each kind keeps its own table with the lifecycle columns of
``webapp.models.job.JobMixin`` instead of one ``jobs`` table with a ``kind`` column.
Job ids name storage prefixes (``videos/<v>/hls/j<job>a<attempt>``,
``clips/<c>/exports/e<export>a<attempt>.mp4``) and sit in queue messages already sent,
so folding two id spaces into one table would renumber one kind's rows and orphan both;
each kind's own columns (``video_id``; ``clip_id``, ``output_key``) also stay NOT NULL
foreign keys. The lifecycle code is shared, the rows are not.

Concurrency: every state change is one conditional ``UPDATE … WHERE id = … AND state =
… AND attempts = …`` whose row count says whether it won (PostgreSQL and SQLite alike),
so two workers can never both claim a job, and an attempt that was taken for dead and
replaced (its number is the fencing token) writes nothing when it wakes up.

These functions flush and the caller commits (a view once per request; the worker once
per step). Allowed transitions: ``webapp.models.job.ALLOWED_TRANSITIONS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, CursorResult, Update, and_, or_, update
from sqlalchemy.orm.util import identity_key

from webapp.celery_app import get_celery
from webapp.extensions import db
from webapp.models.base import as_utc, utcnow
from webapp.models.job import JobMixin, JobState, check_transition

log = logging.getLogger(__name__)

ERROR_MAX_CHARS = 2000
RETRY_NOTE_MAX_CHARS = 500

J = TypeVar("J", bound=JobMixin)


class Superseded(Exception):
    """Another attempt owns the job now: this worker was taken for dead and replaced."""


def _nothing(_job: Any) -> None:
    return None


@dataclass(frozen=True)
class JobKind:
    """What a kind of job plugs into the lifecycle (see ``webapp.jobs.registry``).

        ``task`` is the Celery task name its queue messages carry; ``doing`` names the work
        in failure reasons ("The worker stopped 3 times while {doing}"), ``noun`` the job
    ("The worker was stopped; the {noun} will run again."). The hooks run in
        the same flush as the state change they follow, and only when it happened.
        ``on_fail`` may return a storage prefix the failure made unused; ``on_retry``
        follows an admin's retry of a failed job.
    """

    name: str
    model: type[JobMixin]
    task: str
    doing: str
    noun: str = "job"
    on_claim: Callable[[Any], None] = field(default=_nothing)
    on_hand_back: Callable[[Any], None] = field(default=_nothing)
    on_fail: Callable[[Any], str | None] = field(default=_nothing)
    on_retry: Callable[[Any], None] = field(default=_nothing)


def owns(job: JobMixin, attempt: int | None) -> bool:
    """Whether attempt ``attempt`` may still write the job (None: no attempt to check).

    A worker that stalled past ``JOB_STALE_SECONDS`` is handed back by the sweeper and a
    later attempt claims the job; if the stalled one wakes up, its progress, result and
    failure must change nothing.
    """
    return attempt is None or (job.state == JobState.RUNNING and job.attempts == attempt)


def is_silent(beat: datetime | None, stale_after: timedelta, now: datetime | None = None) -> bool:
    """No heartbeat at all, or none for ``stale_after``: the worker counts as dead."""
    return beat is None or as_utc(beat) <= (now or utcnow()) - stale_after


def is_stale(job: JobMixin, stale_after: timedelta, now: datetime | None = None) -> bool:
    """A job whose worker has not been heard from for ``stale_after``."""
    return is_silent(job.heartbeat_at or job.started_at, stale_after, now)


def silent_since(model: type[JobMixin], cutoff: datetime) -> ColumnElement[bool]:
    """SQL twin of :func:`is_stale`: no heartbeat (nor start) after ``cutoff``."""
    return or_(
        model.heartbeat_at <= cutoff,
        and_(
            model.heartbeat_at.is_(None),
            or_(model.started_at.is_(None), model.started_at <= cutoff),
        ),
    )


def rows_changed(statement: Update) -> int:
    """Execute an UPDATE in the session; how many rows it changed."""
    result = db.session.execute(statement)
    return cast(CursorResult[Any], result).rowcount


def _move(
    kind: JobKind,
    job: JobMixin,
    new: JobState,
    attempt: int | None,
    *also: ColumnElement[bool],
    **values: object,
) -> bool:
    """Compare-and-set: ``job`` → ``new`` only if its state and attempt are still the
    ones seen (and ``also`` holds). Refreshes ``job`` and returns True when it won."""
    check_transition(job.state, new)
    model = kind.model
    seen = [model.id == job.id, model.state == job.state, model.attempts == job.attempts]
    if attempt is not None:
        seen.append(model.attempts == attempt)
    won = rows_changed(
        update(model)
        .where(*seen, *also)
        .values(state=new, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(job)
    return won == 1


def dispatch(kind: JobKind, job_id: int) -> bool:
    """Put the job id on the queue. Call only after the job row is committed.

    A broker outage loses nothing: the job stays QUEUED in the database, the caller
    learns it from the False return, and the sweeper sends it again later.
    """
    try:
        get_celery().send_task(kind.task, args=[job_id], retry=False)
    except Exception:  # any broker/transport failure; the row is the truth
        log.exception("could not enqueue %s job %s", kind.name, job_id)
        return False
    return True


def claim(kind: JobKind, job_id: int, stale_after: timedelta) -> Any:
    """Start a new attempt (the job's ``attempts`` is its number); None if the job is
    unknown, finished, alive elsewhere, or claimed by another worker at the same time.

    A duplicate delivery of a job that another worker is still running (fresh
    heartbeat) is refused, so one job never runs twice at once.
    """
    job = db.session.get(kind.model, job_id)
    if job is None or job.is_finished:
        return None
    now = utcnow()
    alive_check: list[ColumnElement[bool]] = []
    if job.state == JobState.RUNNING:
        if not is_stale(job, stale_after, now):
            return None
        alive_check.append(silent_since(kind.model, now - stale_after))
    won = _move(
        kind,
        job,
        JobState.RUNNING,
        None,
        *alive_check,
        attempts=job.attempts + 1,
        progress=0.0,
        error=None,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
    )
    if not won:
        return None
    kind.on_claim(job)
    db.session.flush()
    return job


def beat(kind: JobKind, job_id: int, attempt: int | None, progress: float | None = None) -> bool:
    """Heartbeat (and progress 0–100) of a running attempt; False if it no longer owns
    the job. On PostgreSQL the row stays locked until the caller commits."""
    model = kind.model
    mine = [model.id == job_id, model.state == JobState.RUNNING]
    if attempt is not None:  # a replaced attempt must not keep its successor "alive"
        mine.append(model.attempts == attempt)
    values: dict[str, object] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = round(max(0.0, min(100.0, progress)), 1)
    won = rows_changed(
        update(model).where(*mine).values(**values).execution_options(synchronize_session=False)
    )
    loaded = db.session.identity_map.get(identity_key(model, job_id))
    if loaded is not None:
        db.session.expire(loaded)
    return won == 1


def finish(kind: JobKind, job_id: int, attempt: int | None) -> Any:
    """RUNNING → READY for the attempt that owns the job; returns the job so the kind can
    record its result in the same flush. Raises Superseded (changing nothing) otherwise."""
    job = db.session.get(kind.model, job_id)
    if job is None or job.state != JobState.RUNNING or not owns(job, attempt):
        raise Superseded(f"{kind.name} job {job_id} attempt {attempt} was replaced")
    now = utcnow()
    if not _move(
        kind, job, JobState.READY, attempt, progress=100.0, finished_at=now, heartbeat_at=now
    ):
        raise Superseded(f"{kind.name} job {job_id} attempt {attempt} was replaced")
    return job


def fail(
    kind: JobKind,
    job_id: int,
    reason: str,
    attempt: int | None = None,
    *also: ColumnElement[bool],
) -> tuple[bool, str | None]:
    """FAILED with a readable reason; returns (whether it happened, the kind's dropped
    prefix). A finished job, or one ``attempt`` no longer owns, is left alone."""
    job = db.session.get(kind.model, job_id)
    if job is None or job.is_finished or not owns(job, attempt):
        return False, None
    if not _move(
        kind,
        job,
        JobState.FAILED,
        attempt,
        *also,
        error=reason[:ERROR_MAX_CHARS],
        finished_at=utcnow(),
    ):
        return False, None
    dropped = kind.on_fail(job)
    db.session.flush()
    return True, dropped


def hand_back(
    kind: JobKind,
    job_id: int,
    reason: str,
    attempt: int | None = None,
    *also: ColumnElement[bool],
) -> bool:
    """Return a RUNNING job to QUEUED (transient failure or dead worker) for a retry."""
    job = db.session.get(kind.model, job_id)
    if job is None or job.state != JobState.RUNNING or not owns(job, attempt):
        return False
    if not _move(kind, job, JobState.QUEUED, attempt, *also, error=reason[:RETRY_NOTE_MAX_CHARS]):
        return False
    kind.on_hand_back(job)
    db.session.flush()
    return True


def retry(kind: JobKind, job_id: int, note: str = "Retried by an admin.") -> bool:
    """FAILED → QUEUED (an admin's retry); False if the job is not FAILED any more.

    ``attempts`` is kept, not reset: it is the fencing token and names the storage
    prefixes of attempts (``j<job>a<attempt>``), so a late worker of an earlier attempt
    still writes nothing and a new attempt never reuses an old prefix. The job therefore
    gets one more attempt before ``JOB_MAX_ATTEMPTS`` gives up on a transient error.
    The caller commits, then :func:`dispatch` es the job.
    """
    job = db.session.get(kind.model, job_id)
    if job is None or job.state != JobState.FAILED:
        return False
    if not _move(
        kind,
        job,
        JobState.QUEUED,
        None,
        error=note[:RETRY_NOTE_MAX_CHARS],
        progress=0.0,
        finished_at=None,
        updated_at=utcnow(),
    ):
        return False
    kind.on_retry(job)
    db.session.flush()
    return True


def queued_ids(kind: JobKind) -> list[int]:
    """Ids of every job of ``kind`` still waiting to be picked up."""
    model = kind.model
    return list(
        db.session.scalars(
            db.select(model.id).where(model.state == JobState.QUEUED).order_by(model.id)
        )
    )


def latest(model: type[J], *where: ColumnElement[bool]) -> J | None:
    """The most recent job of ``model`` matching ``where``."""
    return db.session.scalars(
        db.select(model).where(*where).order_by(model.id.desc()).limit(1)
    ).first()
