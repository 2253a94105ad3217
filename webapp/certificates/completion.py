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
