"""Certificates: proof that a learner completed a program, verifiable by a public code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import utcnow
from webapp.models.learning import Program


class Certificate(Model):
    """Issued once per learner and program.

    The learner's name and the program's title are copied at issue time: the PDF, the
    verification page and the API show what was certified even if either changes later,
    and the certificate outlives its program (``program_id`` becomes NULL).
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

    program: Mapped[Program | None] = relationship()
