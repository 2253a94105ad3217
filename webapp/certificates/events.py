"""The events that may earn a certificate, each handing the evaluation to a Celery task
after its commit (a task must never evaluate data that was rolled back).

* A request (attendance mark, check-in, enrolment, exam result, rule change) calls
  ``check_after_commit``; the learners it names are evaluated once the request's
  session commits (nothing is sent if it rolls back).
* The heartbeat writer, which commits on its own connection, asks ``CertificateWatch``
  which watched shares matter and hands it the modules whose share a committed batch
  crossed: only those batches cause any work, and no beat costs a query.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Iterable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import CertificateRule, Cohort, Exam, LiveClass
from webapp.models.certificate import DEFAULT_MIN_PERCENT

log = logging.getLogger(__name__)
PENDING = "certificate_checks"
EVALUATE = "certificates.evaluate"
MODULE_WATCHED = "certificates.module_watched"
PROGRAM_CHANGED = "certificates.program_changed"
SHARES_TTL_SECONDS = 30.0


def _celery(app: Flask | None = None) -> Any:
    return (app or current_app).extensions["celery"]


def check_after_commit(user_id: int, program_ids: Iterable[int] | None = None) -> None:
    """Evaluate ``user_id``'s certificates (these programs, or all enrolled ones) once the
    current session commits."""
    pending: dict[int, set[int] | None] = db.session.info.setdefault(PENDING, {})
    if user_id in pending and pending[user_id] is None:
        return
    if program_ids is None:
        pending[user_id] = None
    else:
        pending[user_id] = (pending.get(user_id) or set()) | set(program_ids)


def attendance_marked(class_id: int, user_ids: Iterable[int]) -> None:
    """An attendance mark or check-in: the class's program may now be earned."""
    program_id = db.session.scalar(
        select(Cohort.program_id)
        .join(LiveClass, LiveClass.cohort_id == Cohort.id)
        .where(LiveClass.id == class_id)
    )
    if program_id is None:  # a masterclass counts for no program
        return
    for user_id in user_ids:
        check_after_commit(user_id, [program_id])


def exam_result_recorded(user_id: int, exam_id: int) -> None:
    """For the graded-exam feature: call after storing a result, before the commit."""
    program_id = db.session.scalar(
        select(Cohort.program_id).join(Exam, Exam.cohort_id == Cohort.id).where(Exam.id == exam_id)
    )
    if program_id is not None:
        check_after_commit(user_id, [program_id])


def rule_changed(program_id: int, revision: str) -> None:
    """A rule was saved (as ``revision``): evaluate every enrolled learner after the
    commit, and once more when every process's heartbeat writer has seen the new watched
    share (a learner who crosses it meanwhile in another process is caught by that second
    pass, unless the rule was saved again since)."""
    db.session.info.setdefault(PENDING + ":programs", {})[program_id] = revision


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    programs = session.info.pop(PENDING + ":programs", None)
    if not pending and not programs:
        return
    celery = _celery()
    for user_id, program_ids in (pending or {}).items():
        args = [user_id, sorted(program_ids) if program_ids is not None else None]
        _send(celery, EVALUATE, args)
    for program_id, revision in (programs or {}).items():
        _send(celery, PROGRAM_CHANGED, [program_id, revision])
        later = SHARES_TTL_SECONDS + 5
        _send(celery, PROGRAM_CHANGED, [program_id, revision], countdown=later)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(PENDING + ":programs", None)


def _send(celery: Any, name: str, args: list[Any], countdown: float | None = None) -> None:
    try:
        celery.send_task(name, args=args, countdown=countdown)
    except Exception:  # the commit stands; the next event evaluates again
        log.exception("certificate check %s%r not queued", name, args)


class CertificateWatch:
    """What the heartbeat writer needs: the watched shares that may complete a
    requirement (cached for ``SHARES_TTL_SECONDS``), and where to report crossings."""

    def __init__(self, app: Flask, completion_share: float) -> None:
        self._celery = _celery(app)
        self._fixed = frozenset({completion_share, DEFAULT_MIN_PERCENT / 100})
        self._shares = self._fixed
        self._loaded = float("-inf")
        self._lock = threading.Lock()

    def shares(self, conn: Connection) -> Collection[float]:
        """The shares to watch for, read with the writer's connection at most every
        ``SHARES_TTL_SECONDS`` (not once per beat)."""
        if time.monotonic() - self._loaded < SHARES_TTL_SECONDS:
            return self._shares
        with self._lock:
            percents = conn.scalars(select(CertificateRule.min_watched_percent).distinct())
            self._shares = self._fixed | {p / 100 for p in percents}
            self._loaded = time.monotonic()
            return self._shares

    def reached(self, keys: Iterable[tuple[int, int, int | None]]) -> None:
        """After the commit: modules (user, video, clip) whose watched share crossed one
        of ``shares``; each is evaluated by a task."""
        for user_id, video_id, clip_id in keys:
            _send(self._celery, MODULE_WATCHED, [user_id, video_id, clip_id])
