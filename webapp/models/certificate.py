"""Certificates: proof that a learner completed a program, verifiable by a public code;
and each program's certificate rule (what earns it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import utcnow
from webapp.models.learning import Program

DEFAULT_MIN_PERCENT = 90  # share of each required module a learner must have watched


class Certificate(Model):
    """Issued once per learner and program.

    The learner's name and the program's title are copied at issue time: the PDF, the
    verification page and the API show what was certified even if either changes later,
    and the certificate outlives its program (``program_id`` becomes NULL). A revoked
    certificate keeps its row (and so its place in the unique constraint): it is never
    issued again automatically.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("user_id", "program_id", name="uq_certificate_user_program"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 of the code: the public lookup probes this, never ``code`` (timing).
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    learner_name: Mapped[str] = mapped_column(String(120))
    program_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    program: Mapped[Program | None] = relationship()

    @property
    def revoked(self) -> bool:
        """Revoked by an admin (the verification page says so)."""
        return self.revoked_at is not None


class CertificateRule(Model):
    """What earns a program's certificate. A program without a row has the default rule:
    90 % of every module of its courses, no live classes, no exams."""

    __tablename__ = "certificate_rules"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    min_watched_percent: Mapped[int] = mapped_column(Integer, default=DEFAULT_MIN_PERCENT)
    min_classes: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # New on every save: a delayed re-evaluation of an older save finds it changed and stops.
    revision: Mapped[str] = mapped_column(String(32), default="")

    modules: Mapped[list[CertificateRuleModule]] = relationship(cascade="all, delete-orphan")
    exams: Mapped[list[CertificateRuleExam]] = relationship(cascade="all, delete-orphan")


class CertificateRuleModule(Model):
    """A module the rule requires (none listed: every module of the program's courses)."""

    __tablename__ = "certificate_rule_modules"
    __table_args__ = (UniqueConstraint("program_id", "module_id", name="uq_rule_module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_rules.program_id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))


class CertificateRuleExam(Model):
    """An exam the learner must have passed."""

    __tablename__ = "certificate_rule_exams"
    __table_args__ = (UniqueConstraint("program_id", "exam_id", name="uq_rule_exam"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_rules.program_id", ondelete="CASCADE"), index=True
    )
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
