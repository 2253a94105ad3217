"""Issuing at the event: evaluate a program's rule for a learner and issue when met.

Only programs the learner is enrolled in are certified, so company programs stay with
the people their company enrolled. Nothing here runs on a page view: the heartbeat
writer, attendance marks, exam results, enrolments and rule changes enqueue the Celery
tasks of ``tasks.py`` after their commit, and those call ``issue_if_due``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from webapp.certificates.queries import certified_program_ids, verdict_of
from webapp.certificates.services import find_certificate, issue_certificate
from webapp.extensions import db
from webapp.learning.queries import enrolled_ids
from webapp.models import Certificate, Program, User


def issue_if_due(user_id: int, program_id: int, now: datetime | None = None) -> Certificate | None:
    """The certificate newly issued to the learner for the program, or None (not
    enrolled, rule not met, or already issued — revoked ones included). Flushes only."""
    user = db.session.get(User, user_id)
    program = db.session.get(Program, program_id)
    if user is None or program is None or not user.active:
        return None
    if program_id not in enrolled_ids(user_id) or find_certificate(user_id, program_id):
        return None
    if not verdict_of(user_id, program_id).met:
        return None
    certificate, created = issue_certificate(user, program, now)
    return certificate if created else None


def issue_due(
    user_id: int, program_ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[Certificate]:
    """Certificates newly issued to the learner among ``program_ids`` (default: every
    enrolled program without a certificate). Flushes only; the caller commits."""
    certified = certified_program_ids(user_id)
    candidates = enrolled_ids(user_id) if program_ids is None else set(program_ids)
    issued = []
    for program_id in sorted(candidates - certified):
        certificate = issue_if_due(user_id, program_id, now)
        if certificate is not None:
            issued.append(certificate)
    return issued


def issue_due_certificates(user_id: int, now: datetime | None = None) -> list[Certificate]:
    """Every certificate the learner has earned and not yet received (the seed and the
    tests use it; the app issues at events)."""
    return issue_due(user_id, None, now)
