"""Enrolment and fees over the API: a program's cohort choices, cancelling one's own
enrolment, orders (the buyer and admins), recording a payment, vouchers and cohort seats
(admins). Self-enrolment itself stays ``POST /programs/<slug>/enrol``
(``webapp/learning/api_enrolments.py``), answering 202 with the order or the waitlist
place when the enrolment is not active yet."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import g, url_for
from pydantic import ConfigDict, Field

from webapp.access import can_manage_fees, can_see_order
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, operation
from webapp.cohorts.api import Moment
from webapp.enrolment import payments, queries, services
from webapp.extensions import db
from webapp.learning.api_common import program_or_404
from webapp.models import Cohort, Enrollment, Order, OrderStatus, Program, User, Voucher
from webapp.models.base import as_utc, utcnow
from webapp.problems import ApiError

# --------------------------------------------------------------------------- output


class OrderOut(Output):
    """An order: amounts in cents, its invoice (PDF) and how to pay it."""

    number: str
    status: Literal["awaiting_payment", "paid", "cancelled"]
    program: str | None = Field(description="The program's slug (None once deleted).")
    program_title: str
    buyer_email: str
    fee_cents: int
    discount_cents: int
    total_cents: int
    currency: str
    voucher: str | None
    created_at: datetime
    paid_at: datetime | None
    invoice_url: str
    payment_instructions: str = Field(description="Empty once paid or cancelled.")

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        """The answer for ``order``."""
        program = db.session.get(Program, order.program_id) if order.program_id else None
        return cls(
            number=order.number or "",
            status=order.status.value,
            program=program.slug if program else None,
            program_title=order.program_title,
            buyer_email=order.buyer_email,
            fee_cents=order.fee_cents,
            discount_cents=order.discount_cents,
            total_cents=order.total_cents,
            currency=order.currency,
            voucher=order.voucher_code or None,
            created_at=as_utc(order.created_at),
            paid_at=as_utc(order.paid_at) if order.paid_at else None,
            invoice_url=url_for("enrolment.invoice", number=order.number),
            payment_instructions=payments.provider().start(order).instructions,
        )


class Orders(Output):
    """Orders, newest first (at most 500)."""

    items: list[OrderOut]


class EnrolmentOut(Output):
    """The caller's enrolment that is not active yet: waiting for its payment (the order)
    or for a seat (``waitlist_position``, 1 = next)."""

    program: str
    enrolled: Literal[False]
    status: Literal["awaiting_payment", "waitlisted"]
    created: bool
    cohort_id: int | None
    waitlist_position: int | None
    order: OrderOut | None


def enrolment_out(enrollment: Enrollment, program: Program, created: bool) -> EnrolmentOut:
    """The 202 answer of a self-enrolment that is not active yet."""
    order = services.order_of(enrollment)
    return EnrolmentOut(
        program=program.slug,
        enrolled=False,
        status=enrollment.status.value,
        created=created,
        cohort_id=enrollment.cohort_id,
        waitlist_position=queries.waitlist_position(enrollment),
        order=OrderOut.of(order) if order is not None else None,
    )


class EnrolChoice(Input):
    """Optional choices of a self-enrolment: the cohort (one of the program's) and a
    voucher code. Without a cohort the enrolment joins no cohort. Other fields are
    ignored, as this route always did (a caller enrols only themselves)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    cohort_id: int | None = Field(default=None, ge=1)
    voucher: str | None = Field(default=None, min_length=1, max_length=40)


class CohortChoiceOut(Output):
    """An upcoming cohort: its start, seats (None: unlimited) and seats left."""

    id: int
    name: str
    starts_on: date
    seats: int | None
    seats_left: int | None
    full: bool


class Choices(Output):
    """What enrolling in a program asks for: its fee and its upcoming cohorts."""

    program: str
    fee_cents: int
    currency: str
    cohorts: list[CohortChoiceOut]
    my_status: Literal["active", "awaiting_payment", "waitlisted", "cancelled"] | None


class PaymentIn(Input):
    """A payment an admin saw (a bank transfer): its reference and a note."""

    reference: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class OrderQuery(Query):
    """Filter orders by status."""

    status: Literal["awaiting_payment", "paid", "cancelled"] | None = None


class VoucherIn(Input):
    """A voucher: code, percent off (100: the whole fee), one program or all, maximum
    uses (None: unlimited), expiry (None: never)."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    percent: int = Field(ge=1, le=100)
    program: str | None = Field(default=None, description="A program's slug; None: all.")
    max_uses: int | None = Field(default=None, ge=1, le=1_000_000)
    expires_at: Moment | None = None


class VoucherOut(Output):
    """A voucher and how often it was used."""

    code: str
    percent: int
    program: str | None
    max_uses: int | None
    uses: int
    expires_at: datetime | None


class Vouchers(Output):
    """Every voucher, newest first."""

    items: list[VoucherOut]


class SeatsIn(Input):
    """A cohort's learner seats (None: unlimited)."""

    seats: int | None = Field(ge=1, le=services.MAX_SEATS)


class SeatsOut(Output):
    """A cohort's capacity and what is left."""

    cohort_id: int
    seats: int | None
    seats_left: int | None


def _voucher_out(voucher: Voucher) -> VoucherOut:
    program = db.session.get(Program, voucher.program_id) if voucher.program_id else None
    return VoucherOut(
        code=voucher.code,
        percent=voucher.percent,
        program=program.slug if program else None,
        max_uses=voucher.max_uses,
        uses=voucher.uses,
        expires_at=as_utc(voucher.expires_at) if voucher.expires_at else None,
    )


def _admin() -> User:
    if not can_manage_fees(g.user):
        raise ApiError(403, "only admins manage payments, vouchers and seats")
    return g.user


def _order_or_404(number: str) -> Order:
    order = services.order_by_number(number)
    if order is None or not can_see_order(g.user, order):
        raise ApiError(404, "no such order")
    return order


# --------------------------------------------------------------------------- routes


@operation(bp, "GET", "/programs/<slug>/cohort-choices", responses={200: Choices}, errors=(404,))
def cohort_choices(slug: str) -> Choices:
    """The program's fee and upcoming cohorts with their seats, and the caller's
    enrolment status."""
    program = program_or_404(slug)
    mine = queries.enrolment_of(g.user.id, program.id)
    return Choices(
        program=program.slug,
        fee_cents=program.fee_cents,
        currency=program.currency,
        cohorts=[
            CohortChoiceOut(
                id=c.cohort.id,
                name=c.cohort.name,
                starts_on=c.cohort.starts_on,
                seats=c.seats,
                seats_left=c.left,
                full=c.full,
            )
            for c in queries.cohort_choices(program, utcnow().date())
        ],
        my_status=mine.status.value if mine else None,
    )


@operation(bp, "DELETE", "/programs/<slug>/enrol", responses={204: None}, errors=(404,))
def cancel_own_enrolment(slug: str) -> None:
    """Cancel the caller's enrolment: an unpaid order is cancelled, the cohort seat goes
    to the first waitlisted learner (progress stays)."""
    program = program_or_404(slug)
    mine = queries.enrolment_of(g.user.id, program.id)
    if mine is None or mine.status.value == "cancelled":
        raise ApiError(404, "you are not enrolled in this program")
    services.cancel(mine)
    db.session.commit()


@operation(bp, "GET", "/orders", query=OrderQuery, responses={200: Orders})
def list_orders(query: OrderQuery) -> Orders:
    """The caller's orders; an admin's answer holds everyone's."""
    status = OrderStatus(query.status) if query.status else None
    scope = None if can_manage_fees(g.user) else g.user
    return Orders(items=[OrderOut.of(o) for o in queries.orders(scope, status)])


@operation(bp, "GET", "/orders/<number>", responses={200: OrderOut}, errors=(404,))
def get_order(number: str) -> OrderOut:
    """One order (its buyer and admins)."""
    return OrderOut.of(_order_or_404(number))


@operation(
    bp,
    "POST",
    "/orders/<number>/payment",
    body=PaymentIn,
    responses={200: OrderOut},
    errors=(403, 404, 409),
)
def record_payment(number: str, body: PaymentIn) -> OrderOut:
    """Admins record the payment of an order (a bank transfer): the enrolment becomes
    active (unless it still waits for a seat). 409 when the order is not awaiting one."""
    admin = _admin()
    order = _order_or_404(number)
    try:
        services.record_payment(order, admin, body.reference, body.note)
    except services.OrderStateError as exc:
        raise ApiError(409, str(exc)) from None
    db.session.commit()
    return OrderOut.of(order)


@operation(bp, "GET", "/vouchers", responses={200: Vouchers}, errors=(403,))
def list_vouchers() -> Vouchers:
    """Every voucher (admins)."""
    _admin()
    return Vouchers(items=[_voucher_out(v) for v in queries.vouchers()])


@operation(
    bp, "POST", "/vouchers", body=VoucherIn, responses={201: VoucherOut}, errors=(403, 404, 409)
)
def create_voucher(body: VoucherIn) -> tuple[VoucherOut, int]:
    """Create a voucher (admins); 409 when the code exists."""
    _admin()
    program = program_or_404(body.program) if body.program else None
    if queries.voucher_by_code(body.code) is not None:
        raise ApiError(409, f"a voucher {body.code.upper()} exists already")
    voucher = services.create_voucher(
        body.code,
        body.percent,
        program=program,
        max_uses=body.max_uses,
        expires_at=body.expires_at,
    )
    db.session.commit()
    return _voucher_out(voucher), 201


@operation(bp, "DELETE", "/vouchers/<code>", responses={204: None}, errors=(403, 404))
def delete_voucher(code: str) -> None:
    """Delete a voucher (admins); orders keep the code they used."""
    _admin()
    voucher = queries.voucher_by_code(code)
    if voucher is None:
        raise ApiError(404, "no such voucher")
    services.delete_voucher(voucher)
    db.session.commit()


@operation(
    bp,
    "PUT",
    "/cohorts/<int:cohort_id>/seats",
    body=SeatsIn,
    responses={200: SeatsOut},
    errors=(403, 404),
)
def set_seats(cohort_id: int, body: SeatsIn) -> SeatsOut:
    """Set a cohort's learner seats (admins; null: unlimited); more seats move
    waitlisted learners up."""
    _admin()
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise ApiError(404, "no such cohort")
    services.set_seats(cohort, body.seats)
    left = services.seats_left(cohort)
    db.session.commit()
    return SeatsOut(cohort_id=cohort.id, seats=cohort.seats, seats_left=left)
