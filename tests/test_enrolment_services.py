"""Enrolment and fees, the rules (issue 19): cohort seats and waitlists, orders, vouchers,
payments, and only active enrolments as memberships."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from tests.support import factories
from webapp.audiences.rules import member_programs
from webapp.enrolment import payments
from webapp.enrolment import services as enrolment
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import (
    Cohort,
    CohortMember,
    Enrollment,
    EnrollmentStatus,
    OrderStatus,
    Program,
    User,
)


@pytest.fixture
def paid(app: Flask) -> int:
    """A €499 open program with one cohort of two seats; its id."""
    with app.app_context():
        program = Program(title="Growth", slug="growth", fee_cents=49900, currency="EUR")
        db.session.add(program)
        db.session.flush()
        db.session.add(
            Cohort(program_id=program.id, name="May", starts_on=date(2027, 5, 3), seats=2)
        )
        db.session.commit()
        return program.id


@pytest.fixture
def people(app: Flask) -> list[int]:
    """Six learners' ids (created before a test's session starts writing)."""
    return [factories.create_user(app, "learner").id for _ in range(6)]


class _People:
    """Hands out the fixture's learners, one per call."""

    def __init__(self, ids: list[int]) -> None:
        self._ids = iter(ids)

    def __call__(self, app: Flask) -> User:
        user = db.session.get(User, next(self._ids))
        assert user is not None
        return user


def _program(program_id: int) -> tuple[Program, Cohort]:
    program = db.session.get(Program, program_id)
    assert program is not None
    cohort = db.session.scalars(db.select(Cohort).where(Cohort.program_id == program_id)).one()
    return program, cohort


def _members(program_id: int, user: User) -> bool:
    return program_id in set(db.session.scalars(member_programs(user)))


def test_a_paid_self_enrolment_is_an_unpaid_order_until_an_admin_records_it(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, cohort = _program(paid)
        learner, admin = _user(app), _user(app)
        outcome = enrolment.enrol(learner, program, cohort=cohort)
        assert outcome.created and outcome.order is not None
        assert outcome.enrollment.status == EnrollmentStatus.AWAITING_PAYMENT
        assert outcome.order.number == f"LS-{outcome.order.id:06d}"
        assert (outcome.order.total_cents, outcome.order.currency) == (49900, "EUR")
        assert not _members(paid, learner)
        assert enrolment.seats_left(cohort) == 1  # the unpaid enrolment holds its seat
        start = payments.provider().start(outcome.order)
        assert outcome.order.number in start.instructions and start.redirect_url is None
        enrolment.record_payment(outcome.order, admin, reference="BANK-1")
        db.session.commit()
        assert outcome.order.status == OrderStatus.PAID
        assert outcome.enrollment.status == EnrollmentStatus.ACTIVE
        assert _members(paid, learner)
        assert db.session.scalar(
            db.select(CohortMember.id).where(CohortMember.user_id == learner.id)
        )
        with pytest.raises(enrolment.OrderStateError):
            enrolment.record_payment(outcome.order, admin)


def test_admins_and_paying_organisations_enrol_without_an_order(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, _ = _program(paid)
        by_admin, by_org = _user(app), _user(app)
        enrollment, created = learning.enrol(by_admin, program, admin=True)
        assert created and enrollment.status == EnrollmentStatus.ACTIVE
        program.self_enrol = False  # a company program: the organisation assigns it
        enrollment, created = learning.enrol(by_org, program, paid_by="organisation Acme")
        assert created and enrollment.status == EnrollmentStatus.ACTIVE
        assert enrolment.order_of(enrollment) is None
        with pytest.raises(learning.EnrolmentNotAllowed):
            learning.enrol(_user(app), program)


def test_a_full_cohort_waitlists_and_a_freed_seat_moves_the_first_up(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, cohort = _program(paid)
        program.fee_cents = 0
        first, second, third, fourth = (_user(app) for _ in range(4))
        for user in (first, second):
            outcome = enrolment.enrol(user, program, cohort=cohort)
            assert outcome.enrollment.status == EnrollmentStatus.ACTIVE
        waiting = [enrolment.enrol(u, program, cohort=cohort).enrollment for u in (third, fourth)]
        assert [w.status for w in waiting] == [EnrollmentStatus.WAITLISTED] * 2
        assert enrolment.seats_left(cohort) == 0
        assert not _members(paid, third)
        # A cancellation frees a seat: the first waitlisted (only) moves up.
        enrolment.cancel(learning.find_enrollment(first.id, program.id))  # type: ignore[arg-type]
        assert [w.status for w in waiting] == [
            EnrollmentStatus.ACTIVE,
            EnrollmentStatus.WAITLISTED,
        ]
        assert _members(paid, third) and not _members(paid, first)
        # An admin ending an enrolment frees one too.
        learning.unenrol(second.id, program)
        assert waiting[1].status == EnrollmentStatus.ACTIVE
        db.session.commit()


def test_removing_a_cohort_member_or_adding_seats_moves_the_waitlist(
    app: Flask, paid: int, people: list[int]
) -> None:
    from webapp.cohorts import services as cohorts

    _user = _People(people)

    with app.app_context():
        program, cohort = _program(paid)
        program.fee_cents = 0
        cohort.seats = 1
        holder, waiting1, waiting2 = (_user(app) for _ in range(3))
        enrolment.enrol(holder, program, cohort=cohort)
        w1 = enrolment.enrol(waiting1, program, cohort=cohort).enrollment
        w2 = enrolment.enrol(waiting2, program, cohort=cohort).enrollment
        member = db.session.scalars(
            db.select(CohortMember).where(CohortMember.user_id == holder.id)
        ).one()
        cohorts.remove_member(member)
        assert (w1.status, w2.status) == (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED)
        enrolment.set_seats(cohort, 3)
        assert w2.status == EnrollmentStatus.ACTIVE


def test_a_waitlisted_paid_enrolment_moves_up_to_awaiting_payment(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, cohort = _program(paid)
        cohort.seats = 1
        first, second = _user(app), _user(app)
        enrolment.enrol(first, program, cohort=cohort)
        waiting = enrolment.enrol(second, program, cohort=cohort)
        assert waiting.enrollment.status == EnrollmentStatus.WAITLISTED
        assert waiting.order is not None and waiting.order.status == OrderStatus.AWAITING_PAYMENT
        enrolment.cancel(learning.find_enrollment(first.id, program.id))  # type: ignore[arg-type]
        assert waiting.enrollment.status == EnrollmentStatus.AWAITING_PAYMENT


def test_vouchers_percent_full_max_uses_and_expiry(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, _ = _program(paid)
        enrolment.create_voucher("spring20", 20)
        enrolment.create_voucher("FREE", 100, program=program, max_uses=1)
        enrolment.create_voucher("OLD", 50, expires_at=datetime.now(UTC) - timedelta(minutes=1))
        part = enrolment.enrol(_user(app), program, voucher=" Spring20 ")
        assert part.order is not None
        assert (part.order.discount_cents, part.order.total_cents) == (9980, 39920)
        assert part.enrollment.status == EnrollmentStatus.AWAITING_PAYMENT
        full = enrolment.enrol(_user(app), program, voucher="free")
        assert full.order is not None and full.order.status == OrderStatus.PAID
        assert full.order.total_cents == 0 and full.enrollment.status == EnrollmentStatus.ACTIVE
        for code, message in (("FREE", "used up"), ("OLD", "expired"), ("NOPE", "not valid")):
            with pytest.raises(enrolment.VoucherError, match=message):
                enrolment.enrol(_user(app), program, voucher=code)
        for bad in (
            dict(code="x y", percent=10),
            dict(code="A", percent=0),
            dict(code="B", percent=101),
        ):
            with pytest.raises(enrolment.VoucherError):
                enrolment.create_voucher(**bad)  # type: ignore[arg-type]
        other = Program(title="Other", slug="other", fee_cents=100)
        db.session.add(other)
        db.session.flush()
        enrolment.create_voucher("ONLY", 100, program=other)
        with pytest.raises(enrolment.VoucherError, match="not valid"):
            enrolment.enrol(_user(app), program, voucher="ONLY")


def test_existing_rows_are_active_and_only_active_enrolments_are_memberships(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, _ = _program(paid)
        user = _user(app)
        row = Enrollment(user_id=user.id, program_id=program.id)
        db.session.add(row)
        db.session.flush()
        assert row.status == EnrollmentStatus.ACTIVE and _members(paid, user)
        from webapp.learning import queries

        for status in (
            EnrollmentStatus.AWAITING_PAYMENT,
            EnrollmentStatus.WAITLISTED,
            EnrollmentStatus.CANCELLED,
        ):
            row.status = status
            db.session.flush()
            assert not _members(paid, user)
            assert queries.enrolled_ids(user.id) == set()


def test_a_cancelled_enrolment_can_enrol_again(app: Flask, paid: int, people: list[int]) -> None:
    _user = _People(people)
    with app.app_context():
        program, _ = _program(paid)
        user = _user(app)
        first = enrolment.enrol(user, program)
        assert first.order is not None
        enrolment.cancel(first.enrollment)
        assert first.order.status == OrderStatus.CANCELLED
        again = enrolment.enrol(user, program)
        assert again.created and again.enrollment.id == first.enrollment.id
        assert again.order is not None and again.order.id != first.order.id


def test_two_requests_for_the_last_seat_one_gets_it_the_other_waits(
    app: Flask, paid: int, people: list[int]
) -> None:
    """Two sessions enrol at the same moment for a cohort's last seat: the cohort lock
    serialises them, so one is active and the other waitlisted (never two active)."""
    with app.app_context():
        program, cohort = _program(paid)
        program.fee_cents = 0
        cohort.seats = 1
        db.session.commit()
    ready = threading.Barrier(2)
    statuses: dict[int, EnrollmentStatus] = {}
    failures: list[BaseException] = []

    def enrol(user_id: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                program, cohort = _program(paid)
                assert user is not None
                ready.wait(timeout=30)
                outcome = enrolment.enrol(user, program, cohort=cohort)
                db.session.commit()
                statuses[user_id] = outcome.enrollment.status
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=enrol, args=(uid,)) for uid in people[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(statuses.values()) == [EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED]
    with app.app_context():
        _, cohort = _program(paid)
        assert enrolment.seats_taken(cohort.id) == 1


def test_an_admin_settles_an_unpaid_enrolment_and_ending_one_cancels_its_order(
    app: Flask, paid: int, people: list[int]
) -> None:
    _user = _People(people)
    with app.app_context():
        program, _ = _program(paid)
        learner, other = _user(app), _user(app)
        unpaid = enrolment.enrol(learner, program)
        assert unpaid.enrollment.status == EnrollmentStatus.AWAITING_PAYMENT
        row, created = learning.enrol(learner, program, admin=True)
        assert not created and row.status == EnrollmentStatus.ACTIVE
        assert unpaid.order is not None and unpaid.order.status == OrderStatus.CANCELLED
        pending = enrolment.enrol(other, program)
        learning.unenrol(other.id, program)
        assert pending.order is not None and pending.order.status == OrderStatus.CANCELLED
