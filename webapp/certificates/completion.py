"""When a learner has earned a certificate: every module of an enrolled program completed.

A program is completed when every module of every course in it is (see
``webapp.learning.rollups``); only programs the learner is enrolled in are certified, so
company programs stay with the people their company enrolled.
"""

from __future__ import annotations

from datetime import datetime

from webapp.certificates.queries import certified_program_ids
from webapp.certificates.services import issue_certificates
from webapp.extensions import db
from webapp.learning.queries import enrolled_programs, program_states
from webapp.models import Certificate, User
from webapp.models.base import as_utc


def issue_due_certificates(user_id: int, now: datetime | None = None) -> list[Certificate]:
    """Issue every certificate the learner has earned and not yet received; returns the
    new ones (usually none). Flushes only; the caller commits.

    Cheap when nothing is due: programs already certified are not rolled up again. The
    progress service calls this when a module becomes completed; pages and the API call
    it too, so a certificate is never missed.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return []
    certified = certified_program_ids(user_id)
    programs = [p for p in enrolled_programs(user_id) if p.id not in certified]
    if not programs:
        return []
    states = program_states(user_id, programs)
    return issue_certificates(user, [s.program for s in states if s.completed], now)


def certify_on_completion(
    user_id: int, completed_at: datetime | None, since: datetime
) -> list[Certificate]:
    """The progress service's hook, called after a heartbeat is stored: if that beat
    completed its module (``completed_at`` at or after ``since``, the beat's arrival),
    issue the certificates now due.

    It commits, unlike other writes here: heartbeats are committed by the progress
    writer, not by the request, so nothing else would. A missed call only delays a
    certificate until the learner's next visit to the home page or certificate list.
    """
    if completed_at is None or as_utc(completed_at) < as_utc(since):
        return []
    issued = issue_due_certificates(user_id)
    if issued:
        db.session.commit()
    return issued
