"""Writes for enrolment and fees (they flush; the caller commits).

The rules, in one place:

* An enrolment in a cohort takes a seat when the cohort has one left (seats taken =
  learner members + unpaid enrolments holding a seat); otherwise it is WAITLISTED.
  The cohort row is locked (a no-op UPDATE) before seats are counted, so two requests for
  the last seat serialise: one gets it, the other is waitlisted.
* A paid program's self-enrolment places an :class:`Order`; the enrolment is
  AWAITING_PAYMENT (holding its seat) until the order is paid. A voucher that covers the
  whole fee pays it at once. Admins, the CLI and ``paid_by`` callers (an organisation)
  enrol without an order, active at once.
* Only ACTIVE enrolments are memberships (``membership.active_enrollment``); activating
  one in a cohort also makes the learner a member of that cohort.
* When a seat frees (a cancellation, an admin ending an enrolment or removing a cohort
  member) the first waitlisted enrolments move up and their learners get an e-mail
  after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.enrolment import mails
from webapp.extensions import db
from webapp.i18n import N_
from webapp.models import (
    ORDER_TRANSITIONS,
    Cohort,
    CohortMember,
    CohortRole,
    Enrollment,
    EnrollmentStatus,
    Order,
    OrderStatus,
    Program,
    User,
    Voucher,
)
from webapp.models.base import as_utc, utcnow

MAX_CODE = 40
MAX_SEATS = 100_000
HOLDS_SEAT = (EnrollmentStatus.AWAITING_PAYMENT,)


class EnrolmentError(ValueError):
    """Bad input for an enrolment, order or voucher; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class VoucherError(EnrolmentError):
    """The voucher code is unknown, expired, used up or for another program."""


class OrderStateError(EnrolmentError):
    """The order cannot move to that status (e.g. paying a cancelled order)."""


@dataclass(frozen=True)
class Outcome:
    """What an enrolment request did: the enrolment, whether it was created (or revived
    from cancelled) by this call, and its order when the program is paid for."""

    enrollment: Enrollment
    created: bool
    order: Order | None


# --------------------------------------------------------------------------- seats


def lock_cohort(cohort_id: int) -> None:
    """Serialise seat decisions for the cohort until the commit: a no-op UPDATE takes
    the row lock on PostgreSQL and the write lock on SQLite."""
    db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(seats=Cohort.seats))


def seats_taken(cohort_id: int) -> int:
    """Learner members plus unpaid enrolments holding a seat in the cohort."""
    members = db.session.scalar(
        select(func.count())
        .select_from(CohortMember)
        .where(CohortMember.cohort_id == cohort_id, CohortMember.role == CohortRole.LEARNER)
    )
    holding = db.session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.cohort_id == cohort_id, Enrollment.status.in_(HOLDS_SEAT))
    )
    return int(members or 0) + int(holding or 0)


def seats_left(cohort: Cohort) -> int | None:
    """Free seats (None: unlimited)."""
    if cohort.seats is None:
        return None
    return max(0, cohort.seats - seats_taken(cohort.id))


def check_seats(value: object) -> int | None:
    """A seat capacity: a whole number from 1, or None for unlimited."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SEATS:
        raise EnrolmentError(f"seats must be a whole number from 1 to {MAX_SEATS}", "seats")
    return value


def set_seats(cohort: Cohort, seats: int | None) -> Cohort:
    """Change a cohort's capacity; more seats move waitlisted learners up."""
    cohort.seats = check_seats(seats)
    db.session.flush()
    seat_freed(cohort.id)
    return cohort


# --------------------------------------------------------------------------- vouchers


def normalise_code(code: str) -> str:
    """Codes are compared upper-case without surrounding spaces."""
    return (code or "").strip().upper()


def create_voucher(
    code: str,
    percent: int,
    *,
    program: Program | None = None,
    max_uses: int | None = None,
    expires_at: datetime | None = None,
) -> Voucher:
    """A new voucher (``percent`` 1–100; 100 covers the whole fee)."""
    text = normalise_code(code)
    if not text or len(text) > MAX_CODE or not all(c.isalnum() or c in "-_" for c in text):
        raise VoucherError(
            f"code must be 1 to {MAX_CODE} letters, digits, hyphens or underscores", "code"
        )
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise VoucherError("percent must be a whole number from 1 to 100", "percent")
    if max_uses is not None and (isinstance(max_uses, bool) or max_uses < 1):
        raise VoucherError("max_uses must be at least 1 (or empty for unlimited)", "max_uses")
    if db.session.scalar(select(Voucher.id).where(Voucher.code == text)) is not None:
        raise VoucherError(f"a voucher {text} exists already", "code")
    voucher = Voucher(
        code=text,
        percent=percent,
        program_id=program.id if program is not None else None,
        max_uses=max_uses,
        expires_at=expires_at,
    )
    db.session.add(voucher)
    db.session.flush()
    return voucher


def delete_voucher(voucher: Voucher) -> None:
    """Remove a voucher (orders keep the code they used)."""
    record(Kind.DELETED, target=voucher)
    db.session.delete(voucher)
    db.session.flush()


def check_voucher(code: str, program: Program, now: datetime | None = None) -> Voucher:
    """The usable voucher with this code for ``program`` (``VoucherError`` otherwise)."""
    text = normalise_code(code)
    voucher = db.session.scalar(select(Voucher).where(Voucher.code == text)) if text else None
    if voucher is None or (voucher.program_id is not None and voucher.program_id != program.id):
        raise VoucherError(N_("This voucher code is not valid for this program."), "voucher")
    moment = now or utcnow()
    if voucher.expires_at is not None and as_utc(voucher.expires_at) <= moment:
        raise VoucherError(N_("This voucher code has expired."), "voucher")
    if voucher.max_uses is not None and voucher.uses >= voucher.max_uses:
        raise VoucherError(N_("This voucher code has been used up."), "voucher")
    return voucher


def _redeem(voucher: Voucher) -> None:
    """Count one use, atomically: two requests for the last use cannot both get it."""
    done = db.session.execute(
        update(Voucher)
        .where(
            Voucher.id == voucher.id,
            (Voucher.max_uses.is_(None)) | (Voucher.uses < Voucher.max_uses),
        )
        .values(uses=Voucher.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise VoucherError(N_("This voucher code has been used up."), "voucher")
    db.session.refresh(voucher)


# --------------------------------------------------------------------------- orders


def _set_order_status(order: Order, status: OrderStatus) -> None:
    if status not in ORDER_TRANSITIONS[order.status]:
        raise OrderStateError(f"an order that is {order.status.value} cannot become {status}")
    order.status = status


def place_order(
    user: User, program: Program, enrollment: Enrollment, voucher: Voucher | None
) -> Order:
    """The order for a paid enrolment (a voucher's use is counted here); a voucher that
    covers the whole fee leaves it paid at once."""
    if voucher is not None:
        _redeem(voucher)
    discount = program.fee_cents * voucher.percent // 100 if voucher is not None else 0
    order = Order(
        user_id=user.id,
        program_id=program.id,
        enrollment_id=enrollment.id,
        program_title=program.title,
        buyer_name=user.name or "",
        buyer_email=user.email,
        fee_cents=program.fee_cents,
        discount_cents=discount,
        total_cents=program.fee_cents - discount,
        currency=program.currency,
        voucher_id=voucher.id if voucher is not None else None,
        voucher_code=voucher.code if voucher is not None else "",
        status=OrderStatus.AWAITING_PAYMENT,
    )
    db.session.add(order)
    db.session.flush()
    order.number = f"LS-{order.id:06d}"
    if order.total_cents == 0:
        _set_order_status(order, OrderStatus.PAID)
        order.paid_at = utcnow()
        order.provider = "voucher"
        order.payment_reference = order.voucher_code
    db.session.flush()
    return order


def order_of(enrollment: Enrollment) -> Order | None:
    """The enrolment's latest order, if it has one."""
    return db.session.scalar(
        select(Order).where(Order.enrollment_id == enrollment.id).order_by(Order.id.desc())
    )


def order_by_number(number: str) -> Order | None:
    """The order with this number."""
    return db.session.scalar(select(Order).where(Order.number == number))


def record_payment(
    order: Order, by: User | None, reference: str = "", note: str = "", provider: str = ""
) -> Order:
    """The order is paid (an admin saw the transfer, or a provider confirmed it): its
    enrolment becomes active unless it is still waiting for a seat."""
    _set_order_status(order, OrderStatus.PAID)
    order.paid_at = utcnow()
    order.recorded_by = by.id if by is not None else None
    order.payment_reference = (reference or "").strip()[:200]
    order.payment_note = (note or "").strip()[:2000]
    if provider:
        order.provider = provider
    enrollment = db.session.get(Enrollment, order.enrollment_id) if order.enrollment_id else None
    if enrollment is not None and enrollment.status == EnrollmentStatus.AWAITING_PAYMENT:
        activate(enrollment)
    db.session.flush()
    return order


# --------------------------------------------------------------------------- enrolment


def activate(enrollment: Enrollment) -> None:
    """Make the enrolment a membership (and its cohort's learner), then let the
    certificate rules look at the learner again after the commit."""
    enrollment.status = EnrollmentStatus.ACTIVE
    if enrollment.cohort_id is not None:
        member = db.session.scalar(
            select(CohortMember).where(
                CohortMember.cohort_id == enrollment.cohort_id,
                CohortMember.user_id == enrollment.user_id,
            )
        )
        if member is None:
            db.session.add(
                CohortMember(
                    cohort_id=enrollment.cohort_id,
                    user_id=enrollment.user_id,
                    role=CohortRole.LEARNER,
                )
            )
    db.session.flush()
    from webapp.certificates.events import check_after_commit

    check_after_commit(enrollment.user_id, [enrollment.program_id])


def _cohort_for(program: Program, cohort: Cohort | int | None) -> Cohort | None:
    if cohort is None:
        return None
    found = cohort if isinstance(cohort, Cohort) else db.session.get(Cohort, cohort)
    if found is None or found.program_id != program.id:
        raise EnrolmentError(N_("Choose one of this program's cohorts."), "cohort")
    return found


def _find(user_id: int, program_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.program_id == program_id)
    )


def enrol(
    user: User,
    program: Program,
    *,
    cohort: Cohort | int | None = None,
    voucher: str | None = None,
    admin: bool = False,
    by: User | None = None,
    paid_by: str | None = None,
) -> Outcome:
    """Enrol ``user`` in ``program`` (idempotent while an enrolment is not cancelled).

    ``admin`` (an admin or the CLI) and ``paid_by`` (someone paying outside Learnstream,
    e.g. an organisation) enrol without an order; otherwise a paid program places one.
    Self-enrolment permission is the caller's check (``learning.services.enrol``).
    """
    chosen = _cohort_for(program, cohort)
    needs_order = program.fee_cents > 0 and not admin and paid_by is None
    found_voucher = check_voucher(voucher, program) if voucher and needs_order else None
    if voucher and not needs_order and not admin and paid_by is None:
        raise VoucherError(N_("This program is free: no voucher needed."), "voucher")
    existing = _find(user.id, program.id)
    if existing is not None and existing.status != EnrollmentStatus.CANCELLED:
        if existing.status == EnrollmentStatus.AWAITING_PAYMENT and not needs_order:
            # An admin (or a paying organisation) settles it: its unpaid order goes.
            _cancel_unpaid_orders(existing)
            activate(existing)
        return Outcome(existing, False, order_of(existing))
    if chosen is not None:
        lock_cohort(chosen.id)
    if existing is None:
        enrollment = Enrollment(
            user_id=user.id,
            program_id=program.id,
            enrolled_by=by.id if by is not None else None,
            status=EnrollmentStatus.WAITLISTED,  # decided below, once it has an id
            cohort_id=chosen.id if chosen is not None else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(enrollment)
        except IntegrityError:
            again = _find(user.id, program.id)
            if again is None:
                raise
            return Outcome(again, False, order_of(again))
    else:
        enrollment = existing
        enrollment.enrolled_at = utcnow()
        enrollment.enrolled_by = by.id if by is not None else None
        enrollment.cohort_id = chosen.id if chosen is not None else None
    full = chosen is not None and seats_left(chosen) == 0
    order = place_order(user, program, enrollment, found_voucher) if needs_order else None
    if full:
        enrollment.status = EnrollmentStatus.WAITLISTED
    elif order is not None and order.status != OrderStatus.PAID:
        enrollment.status = EnrollmentStatus.AWAITING_PAYMENT
    else:
        activate(enrollment)
    db.session.flush()
    return Outcome(enrollment, True, order)


def cancel(enrollment: Enrollment) -> None:
    """End an enrolment: unpaid orders are cancelled, the cohort seat is given back
    (and the first waitlisted learner moves up)."""
    held_seat = enrollment.cohort_id if enrollment.status != EnrollmentStatus.WAITLISTED else None
    _cancel_unpaid_orders(enrollment)
    enrollment.status = EnrollmentStatus.CANCELLED
    if held_seat is not None:
        _leave_cohort(enrollment.user_id, held_seat)
    db.session.flush()
    if held_seat is not None:
        seat_freed(held_seat)


def _cancel_unpaid_orders(enrollment: Enrollment) -> None:
    for order in db.session.scalars(
        select(Order).where(
            Order.enrollment_id == enrollment.id, Order.status == OrderStatus.AWAITING_PAYMENT
        )
    ):
        _set_order_status(order, OrderStatus.CANCELLED)


def _leave_cohort(user_id: int, cohort_id: int) -> None:
    member = db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort_id,
            CohortMember.user_id == user_id,
            CohortMember.role == CohortRole.LEARNER,
        )
    )
    if member is not None:
        db.session.delete(member)


def removed(enrollment: Enrollment) -> int | None:
    """An admin is deleting this enrolment: take the learner out of the cohort it chose.
    Returns the cohort whose seat frees (call :func:`seat_freed` after the delete); an
    unpaid order is cancelled."""
    _cancel_unpaid_orders(enrollment)
    if enrollment.cohort_id is None or enrollment.status == EnrollmentStatus.WAITLISTED:
        return None
    _leave_cohort(enrollment.user_id, enrollment.cohort_id)
    return enrollment.cohort_id


def seat_freed(cohort_id: int) -> list[Enrollment]:
    """Move waitlisted enrolments of the cohort up while it has seats; each learner
    is e-mailed after the commit. Returns those moved."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        return []
    lock_cohort(cohort_id)
    db.session.flush()
    moved: list[Enrollment] = []
    while True:
        left = seats_left(cohort)
        if left is not None and left <= 0:
            break
        first = db.session.scalar(
            select(Enrollment)
            .where(
                Enrollment.cohort_id == cohort_id, Enrollment.status == EnrollmentStatus.WAITLISTED
            )
            .order_by(Enrollment.enrolled_at, Enrollment.id)
            .limit(1)
        )
        if first is None:
            break
        order = order_of(first)
        if order is not None and order.status == OrderStatus.AWAITING_PAYMENT:
            first.status = EnrollmentStatus.AWAITING_PAYMENT
        else:
            activate(first)
        db.session.flush()
        mails.seat_after_commit(first.id)
        moved.append(first)
    return moved
