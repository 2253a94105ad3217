"""Reads for enrolment and fees: cohort choices with seats, orders, vouchers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from webapp.enrolment.services import seats_left
from webapp.extensions import db
from webapp.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Order,
    OrderStatus,
    Program,
    User,
    Voucher,
)

MAX_LISTED = 500


@dataclass(frozen=True)
class CohortChoice:
    """A cohort a learner may pick: its start, capacity and free seats (None: unlimited)."""

    cohort: Cohort
    seats: int | None
    left: int | None

    @property
    def full(self) -> bool:
        """No seat left: enrolling joins the waitlist."""
        return self.left == 0


def cohort_choices(program: Program, today: date) -> list[CohortChoice]:
    """The program's cohorts that have not started yet, soonest first."""
    cohorts = db.session.scalars(
        select(Cohort)
        .where(Cohort.program_id == program.id, Cohort.starts_on >= today)
        .order_by(Cohort.starts_on, Cohort.id)
    )
    return [CohortChoice(c, c.seats, seats_left(c)) for c in cohorts]


def enrolment_of(user_id: int, program_id: int) -> Enrollment | None:
    """The user's enrolment in the program in any status."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.program_id == program_id)
    )


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the first waitlisted of its cohort; None when not waitlisted."""
    if enrollment.status != EnrollmentStatus.WAITLISTED or enrollment.cohort_id is None:
        return None
    ahead = db.session.scalars(
        select(Enrollment.id)
        .where(
            Enrollment.cohort_id == enrollment.cohort_id,
            Enrollment.status == EnrollmentStatus.WAITLISTED,
        )
        .order_by(Enrollment.enrolled_at, Enrollment.id)
    ).all()
    return ahead.index(enrollment.id) + 1 if enrollment.id in ahead else None


def orders(user: User | None = None, status: OrderStatus | None = None) -> list[Order]:
    """Orders newest first: one buyer's (``user``) or everyone's, optionally by status."""
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(MAX_LISTED)
    if user is not None:
        query = query.where(Order.user_id == user.id)
    if status is not None:
        query = query.where(Order.status == status)
    return list(db.session.scalars(query))


def vouchers() -> list[Voucher]:
    """Every voucher, newest first."""
    return list(
        db.session.scalars(select(Voucher).order_by(Voucher.created_at.desc(), Voucher.id.desc()))
    )


def voucher_by_code(code: str) -> Voucher | None:
    """The voucher with this (normalised) code."""
    return db.session.scalar(select(Voucher).where(Voucher.code == code.strip().upper()))
