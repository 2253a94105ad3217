"""Issue certificates (they flush; the caller commits).

Issuing is idempotent: at most one certificate per learner and program, guarded by a
unique constraint. Deciding *that* a program is completed is ``completion``'s job; this
module depends on no learning code, so the learning pages can call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.certificates import codes
from webapp.certificates.names import clean_text, learner_name
from webapp.extensions import db
from webapp.models import Certificate, Program, User
from webapp.models.base import utcnow

MAX_NAME = 120
MAX_TITLE = 200


def find_certificate(user_id: int, program_id: int) -> Certificate | None:
    """The learner's certificate for the program, if issued."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.program_id == program_id
        )
    )


def issue_certificate(
    user: User, program: Program, now: datetime | None = None
) -> tuple[Certificate, bool]:
    """Issue (once) the certificate of ``program`` to ``user``: ``(certificate, created)``.

    The caller has checked completion. A concurrent duplicate is absorbed by the unique
    constraint inside a savepoint.
    """
    existing = find_certificate(user.id, program.id)
    if existing is not None:
        return existing, False
    code = codes.new_code()
    certificate = Certificate(
        code=code,
        code_digest=codes.digest(code),
        user_id=user.id,
        program_id=program.id,
        learner_name=learner_name(user.name, user.email, MAX_NAME),
        program_title=clean_text(program.title, MAX_TITLE),
        issued_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        existing = find_certificate(user.id, program.id)
        if existing is None:
            raise
        return existing, False
    return certificate, True


def issue_certificates(
    user: User, programs: Iterable[Program], now: datetime | None = None
) -> list[Certificate]:
    """Certificates newly issued to ``user`` for ``programs``, which the caller found
    completed (programs already certified are skipped)."""
    issued = []
    for program in programs:
        certificate, created = issue_certificate(user, program, now)
        if created:
            issued.append(certificate)
    return issued
