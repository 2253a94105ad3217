"""Route-matrix entries: enrolment and fees (issue 19).

Orders are learner A's (a throw-away paid program per case, ``fresh_order``): the buyer
and admins see them, everyone else gets a 404 (``BUYER``). Cancelling acts on a
throw-away program every matrix account is enrolled in (``fresh_enrolments``), so the
shared world's enrolments stay.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

from webapp.enrolment import services as enrolment
from webapp.extensions import db
from webapp.models import Program, User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def _program(fee_cents: int) -> Program:
    slug = f"paid-{secrets.token_hex(6)}"
    program = Program(title=f"Matrix {slug}", slug=slug, fee_cents=fee_cents, currency="EUR")
    db.session.add(program)
    db.session.flush()
    return program


def fresh_order(world: World) -> dict[str, object]:
    """Learner A's unpaid order for a new €10 program."""
    learner = db.session.get(User, world.users["learner_a"])
    assert learner is not None
    outcome = enrolment.enrol(learner, _program(1000))
    assert outcome.order is not None
    db.session.commit()
    return {"number": outcome.order.number}


def fresh_enrolments(world: World) -> dict[str, object]:
    """A new free program every matrix account is enrolled in."""
    program = _program(0)
    for user_id in world.users.values():
        user = db.session.get(User, user_id)
        assert user is not None
        enrolment.enrol(user, program, admin=True)
    db.session.commit()
    return {"slug": program.slug}


def fresh_program(world: World) -> dict[str, object]:
    """A new free program without cohorts (enrolling asks nothing)."""
    program = _program(0)
    db.session.commit()
    return {"slug": program.slug}


def fresh_voucher(world: World) -> dict[str, object]:
    """A new voucher nobody used."""
    voucher = enrolment.create_voucher(f"M{secrets.token_hex(5)}", 10)
    db.session.commit()
    return {"voucher_id": voucher.id, "code": voucher.code}


def entries() -> Iterator[Entry]:
    """Every route of enrolment and fees."""
    from tests.support.route_matrix import ADMIN, ANY_USER, SELF, Policy, _at, _e

    buyer = Policy(
        "BUYER", "learner A, the order's buyer, and admins (others 404)", "auth ok 404 404 404 ok"
    )
    order = {"values": _at(), "fresh": fresh_order}
    mine = {"values": _at(), "fresh": fresh_enrolments}

    # The learner's pages.
    yield _e("enrolment.enrol_page", "GET", SELF, _at(slug="program_a"))
    yield _e("enrolment.enrol", "POST", SELF, _at(), fresh=fresh_program, ok=302, form=lambda w: {})
    yield _e("enrolment.cancel", "POST", SELF, ok=302, **mine)
    yield _e("enrolment.order", "GET", buyer, **order)
    yield _e("enrolment.invoice", "GET", buyer, **order)
    yield _e("api.cohort_choices", "GET", ANY_USER, _at(slug="program_a"))
    yield _e("api.cancel_own_enrolment", "DELETE", SELF, ok=204, **mine)
    yield _e("api.list_orders", "GET", SELF)
    yield _e("api.get_order", "GET", buyer, **order)

    # Admins: orders and payments, vouchers, seats.
    yield _e("enrolment_manage.orders", "GET", ADMIN)
    yield _e("enrolment_manage.record_payment", "POST", ADMIN, ok=302, form=lambda w: {}, **order)
    yield _e("api.record_payment", "POST", ADMIN, json=lambda w: {}, **order)
    yield _e("enrolment_manage.vouchers", "GET", ADMIN)
    yield _e("enrolment_manage.create_voucher", "POST", ADMIN, ok=400, form=lambda w: {})
    yield _e("enrolment_manage.delete_voucher", "POST", ADMIN, _at(), fresh=fresh_voucher, ok=302)
    yield _e("api.list_vouchers", "GET", ADMIN)
    yield _e(
        "api.create_voucher",
        "POST",
        ADMIN,
        ok=201,
        json=lambda w: {"code": f"M{secrets.token_hex(5)}", "percent": 10},
    )
    yield _e("api.delete_voucher", "DELETE", ADMIN, _at(), fresh=fresh_voucher, ok=204)
    yield _e(
        "api.set_seats", "PUT", ADMIN, _at(cohort_id="cohort_b"), json=lambda w: {"seats": None}
    )
