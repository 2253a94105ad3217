"""Organisations (companies that buy training for their people), their members and
managers, the seats they hold per program, and the programs managers assign.

A person belongs to at most one organisation (``uq_org_member_user``): a manager's scope
is then simply "the organisation I belong to as a manager".
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.user import User


class OrgRole(StrEnum):
    """What a person is in their organisation."""

    MEMBER = "member"
    MANAGER = "manager"


class Organisation(Model):
    """A company whose people learn here."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The zone the weekly digest is timed in (Monday morning there).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrganisationMember(Model):
    """A person in an organisation, as a member or a manager (one organisation each)."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("user_id", name="uq_org_member_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[OrgRole] = mapped_column(str_enum(OrgRole), default=OrgRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class SeatHolding(Model):
    """Seats an organisation bought in a program; used seats are its assignments."""

    __tablename__ = "seat_holdings"
    __table_args__ = (UniqueConstraint("organisation_id", "program_id", name="uq_seat_holding"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    seats: Mapped[int] = mapped_column(Integer, default=0)


class Assignment(Model):
    """A manager assigned a program to one of their people, due by a date (uses a seat)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id", "program_id", name="uq_assignment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class DigestSent(Model):
    """The weekly digest went to this manager for this ISO week (sent once per week)."""

    __tablename__ = "org_digests_sent"
    __table_args__ = (UniqueConstraint("user_id", "week", name="uq_org_digest_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, "2026-W50"
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
