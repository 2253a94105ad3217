"""Certificate writes: issue, revoke, and a program's rule (they flush; the caller
commits).

Issuing is exactly once per learner and program: one ``INSERT … ON CONFLICT DO NOTHING``
against the unique constraint (SQLite and PostgreSQL), so of any number of concurrent
issuers exactly one sees its row inserted, and only that one sends the e-mail. Deciding
*that* a program is earned is ``completion``'s job; this module depends on no learning
code, so the learning pages can call it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from webapp.audit.events import Kind, Target
from webapp.audit.services import record
from webapp.certificates import codes, events
from webapp.certificates.names import clean_text, learner_name
from webapp.extensions import db
from webapp.models import (
    Certificate,
    CertificateRule,
    CertificateRuleExam,
    CertificateRuleModule,
    CertificateRuleProject,
    Program,
    User,
)
from webapp.models.base import utcnow

MAX_NAME = 120
MAX_TITLE = 200
MAX_REASON = 500
CERTIFICATES = Certificate.__table__


class CertificateError(Exception):
    """A request the certificate rules refuse (the message says why)."""


class AlreadyRevoked(CertificateError):
    """A certificate is revoked once."""


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

    The caller has checked the rule. ``created`` is True for exactly one caller however
    many race: the insert is ignored on conflict with the (user, program) constraint.
    """
    code = codes.new_code()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(CERTIFICATES)
        .values(
            code=code,
            code_digest=codes.digest(code),
            user_id=user.id,
            program_id=program.id,
            learner_name=learner_name(user.name, user.email, MAX_NAME),
            program_title=clean_text(program.title, MAX_TITLE),
            issued_at=now or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "program_id"])
        .returning(CERTIFICATES.c.id)
    )
    inserted = db.session.execute(statement).scalar()
    if inserted is None:
        existing = find_certificate(user.id, program.id)
        assert existing is not None, "the conflicting certificate vanished"
        return existing, False
    certificate = db.session.get(Certificate, inserted)
    assert certificate is not None
    return certificate, True


def issue_certificates(
    user: User, programs: Iterable[Program], now: datetime | None = None
) -> list[Certificate]:
    """Certificates newly issued to ``user`` for ``programs``, which the caller found
    earned (programs already certified are skipped)."""
    issued = []
    for program in programs:
        certificate, created = issue_certificate(user, program, now)
        if created:
            issued.append(certificate)
    return issued


def revoke(certificate: Certificate, reason: str, by: User, now: datetime | None = None) -> None:
    """Revoke ``certificate`` with a reason the verification page shows. It is not issued
    again automatically: its row stays and holds the learner's place for the program."""
    reason = clean_text(reason, MAX_REASON)
    if not reason:
        raise CertificateError("give the reason for revoking")
    if certificate.revoked:
        raise AlreadyRevoked("the certificate is already revoked")
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by = by.id
    db.session.flush()
    record(
        Kind.CERTIFICATE_REVOKED,
        by,
        target=Target(
            "certificate", str(certificate.id), f"{certificate.code} {certificate.program_title}"
        ),
        detail={"reason": reason, "learner_id": certificate.user_id},
    )


def save_rule(
    program: Program,
    *,
    min_watched_percent: int,
    min_classes: int,
    module_ids: Sequence[int],
    exam_ids: Sequence[int],
    allowed_modules: Iterable[int],
    allowed_exams: Iterable[int],
    project_ids: Sequence[int] = (),
    allowed_projects: Iterable[int] = (),
) -> CertificateRule:
    """Store the program's rule. ``module_ids`` empty means every module of the program;
    modules and exams must belong to the program (``allowed_*``)."""
    if not 1 <= min_watched_percent <= 100:
        raise CertificateError("the watched share must be between 1 and 100 %")
    if not 0 <= min_classes <= 1000:
        raise CertificateError("the number of live classes must be between 0 and 1000")
    strangers = set(module_ids) - set(allowed_modules)
    if strangers:
        raise CertificateError(f"not modules of this program: {sorted(strangers)}")
    strangers = set(exam_ids) - set(allowed_exams)
    if strangers:
        raise CertificateError(f"not exams of this program's cohorts: {sorted(strangers)}")
    strangers = set(project_ids) - set(allowed_projects)
    if strangers:
        raise CertificateError(f"not projects of this program's cohorts: {sorted(strangers)}")
    rule = db.session.get(CertificateRule, program.id)
    if rule is None:
        rule = CertificateRule(program_id=program.id)
        db.session.add(rule)
    rule.min_watched_percent = min_watched_percent
    rule.min_classes = min_classes
    rule.updated_at = utcnow()
    rule.revision = secrets.token_hex(8)
    db.session.flush()
    events.rule_changed(program.id, rule.revision)
    for model in (CertificateRuleModule, CertificateRuleExam, CertificateRuleProject):
        db.session.execute(delete(model).where(model.program_id == program.id))
    db.session.add_all(
        [
            CertificateRuleModule(program_id=program.id, module_id=m)
            for m in dict.fromkeys(module_ids)
        ]
        + [CertificateRuleExam(program_id=program.id, exam_id=e) for e in dict.fromkeys(exam_ids)]
        + [
            CertificateRuleProject(program_id=program.id, project_id=p)
            for p in dict.fromkeys(project_ids)
        ]
    )
    db.session.flush()
    db.session.expire(rule)
    return rule
