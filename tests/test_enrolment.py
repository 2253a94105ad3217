"""Enrolment and fees through the pages and the API (issue 19): the cohort choice with
seats, the waitlist moving up with an e-mail, a paid program's order and PDF invoice, an
admin recording the payment, vouchers, and unpaid learners kept out of the content."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from tests.support import factories
from tests.support.auth import Auth
from webapp.catalogue import services as catalogue
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Order,
    OrderStatus,
    Program,
    User,
    Video,
    Voucher,
)

SOON = date.today() + timedelta(days=30)


def _program(app: Flask, slug: str, fee_cents: int = 0, seats: list[int | None] = ()) -> int:
    """A program (no courses) with one upcoming cohort per entry of ``seats``."""
    with app.app_context():
        program = Program(title=slug.title(), slug=slug, fee_cents=fee_cents, currency="EUR")
        db.session.add(program)
        db.session.flush()
        for i, capacity in enumerate(seats):
            db.session.add(
                Cohort(
                    program_id=program.id,
                    name=f"Cohort {i + 1}",
                    starts_on=SOON + timedelta(days=7 * i),
                    seats=capacity,
                )
            )
        db.session.commit()
        return program.id


def _cohorts(app: Flask, program_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Cohort.id).where(Cohort.program_id == program_id).order_by(Cohort.id)
            )
        )


def _status(app: Flask, email: str, program_id: int) -> EnrollmentStatus | None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        row = db.session.scalar(
            select(Enrollment).where(
                Enrollment.user_id == user_id, Enrollment.program_id == program_id
            )
        )
        return row.status if row else None


def _form(auth: Auth, page: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": auth.csrf(page), **fields}


def test_enrolling_asks_for_a_cohort_and_shows_start_and_seats(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    program_id = _program(app, "growth", seats=[2, None])
    first, _ = _cohorts(app, program_id)
    learner = make_user("learner")
    auth.login(learner.email)
    # The program page's button leads to the choice.
    response = client.post("/programs/growth/enrol", data=_form(auth, "/programs/growth"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/programs/growth/enrolment")
    page = client.get("/programs/growth/enrolment").get_data(as_text=True)
    assert "Cohort 1" in page and "2 of 2 seats left" in page and "open seats" in page
    assert SOON.isoformat() in page
    page_url = "/programs/growth/enrolment"
    refused = client.post(page_url, data=_form(auth, page_url))
    assert refused.status_code == 400 and "Choose a cohort." in refused.get_data(as_text=True)
    assert _status(app, learner.email, program_id) is None
    done = client.post(page_url, data=_form(auth, page_url, cohort=str(first)))
    assert done.status_code == 302
    assert _status(app, learner.email, program_id) == EnrollmentStatus.ACTIVE
    assert "You are enrolled" in client.get(page_url).get_data(as_text=True)
    other = make_user("learner")
    auth.logout()
    auth.login(other.email)
    assert "1 of 2 seats left" in client.get(page_url).get_data(as_text=True)


def test_a_full_cohort_waitlists_and_a_cancellation_moves_the_first_up_with_an_email(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox
) -> None:
    program_id = _program(app, "tight", seats=[1])
    (cohort,) = _cohorts(app, program_id)
    holder, waiting = make_user("learner"), make_user("learner")
    url = "/programs/tight/enrolment"
    auth.login(holder.email)
    client.post(url, data=_form(auth, url, cohort=str(cohort)))
    auth.logout()
    auth.login(waiting.email)
    page = client.get(url).get_data(as_text=True)
    assert "full: join the waitlist" in page
    client.post(url, data=_form(auth, url, cohort=str(cohort)))
    assert _status(app, waiting.email, program_id) == EnrollmentStatus.WAITLISTED
    assert "waitlist (place 1)" in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(holder.email)
    cancelled = client.post(f"{url}/cancel", data=_form(auth, url))
    assert cancelled.status_code == 302
    assert _status(app, holder.email, program_id) == EnrollmentStatus.CANCELLED
    assert _status(app, waiting.email, program_id) == EnrollmentStatus.ACTIVE
    message = mailbox.wait_for(waiting.email)
    assert message["Subject"] == "A seat is yours: Tight"
    assert "/programs/tight" in message.get_body(("plain",)).get_content()


@pytest.fixture
def paid_course(app: Flask, make_ready_video) -> tuple[int, int]:
    """A €499 program whose one course holds a READY video: (program id, video id)."""
    owner = factories.create_user(app, "instructor")
    video_id = make_ready_video(owner.id, "Paid lesson")
    with app.app_context():
        video = db.session.get(Video, video_id)
        module = catalogue.sync_video_module(video)
        assert module is not None
        learning.create_course("paid-course", "Paid course", [module.id])
        program = learning.create_program("pro", "Pro", ["paid-course"])
        program.fee_cents, program.currency = 49900, "EUR"
        db.session.commit()
        return program.id, video_id


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_a_paid_enrolment_is_an_order_with_an_invoice_until_an_admin_records_the_payment(
    app: Flask, client: FlaskClient, auth: Auth, make_user, paid_course: tuple[int, int]
) -> None:
    program_id, video_id = paid_course
    app.config["SELLER_NAME"] = "Learnstream Academy GmbH"
    learner, outsider, admin = make_user("learner"), make_user("learner"), make_user("admin")
    auth.login(learner.email)
    answer = client.post("/api/v1/programs/pro/enrol", headers=auth.json_headers())
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert (body["enrolled"], body["status"], body["created"]) == (False, "awaiting_payment", True)
    order = body["order"]
    assert (order["status"], order["total_cents"], order["currency"]) == (
        "awaiting_payment",
        49900,
        "EUR",
    )
    assert order["number"] in order["payment_instructions"]
    number = order["number"]
    again = client.post("/api/v1/programs/pro/enrol", headers=auth.json_headers())
    assert again.status_code == 202 and again.get_json()["created"] is False
    assert "waiting for its payment" in client.get("/programs/pro").get_data(as_text=True)
    # Not a member until paid: the content does not play.
    assert client.get(f"/videos/{video_id}").status_code == 404
    assert client.get(f"/api/v1/videos/{video_id}").status_code == 404
    invoice = client.get(order["invoice_url"])
    assert invoice.status_code == 200 and invoice.mimetype == "application/pdf"
    text = _pdf_text(invoice.data)
    for expected in (f"Invoice {number}", "Learnstream Academy GmbH", "Pro", "€499.00"):
        assert expected in text
    assert "Awaiting payment" in text
    order_page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "Awaiting payment" in order_page and "invoice.pdf" in order_page
    # Nobody else sees the order.
    auth.logout()
    auth.login(outsider.email)
    assert client.get(order["invoice_url"]).status_code == 404
    assert client.get(f"/api/v1/orders/{number}").status_code == 404
    refused = client.post(f"/api/v1/orders/{number}/payment", json={}, headers=auth.json_headers())
    assert refused.status_code == 403
    # An admin records the transfer.
    auth.logout()
    auth.login(admin.email)
    listed = client.get("/manage/orders").get_data(as_text=True)
    assert number in listed
    paid = client.post(
        f"/api/v1/orders/{number}/payment",
        json={"reference": "SEPA 2026-12-07"},
        headers=auth.json_headers(),
    )
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    twice = client.post(f"/api/v1/orders/{number}/payment", json={}, headers=auth.json_headers())
    assert twice.status_code == 409
    assert "Paid" in _pdf_text(client.get(order["invoice_url"]).data)
    auth.logout()
    auth.login(learner.email)
    assert _status(app, learner.email, program_id) == EnrollmentStatus.ACTIVE
    assert client.get(f"/videos/{video_id}").status_code == 200


def test_an_admin_records_a_payment_on_the_orders_page(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    program_id = _program(app, "paid-page", fee_cents=1000)
    learner, admin = make_user("learner"), make_user("admin")
    auth.login(learner.email)
    url = "/programs/paid-page/enrolment"
    placed = client.post(url, data=_form(auth, url))
    assert placed.status_code == 302 and "/orders/LS-" in placed.headers["Location"]
    number = placed.headers["Location"].rsplit("/", 1)[1]
    auth.logout()
    auth.login(admin.email)
    done = client.post(
        f"/manage/orders/{number}/payment",
        data=_form(auth, "/manage/orders", reference="Bank 42", note="seen"),
    )
    assert done.status_code == 302
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order is not None and order.status == OrderStatus.PAID
        assert order.payment_reference == "Bank 42"
    assert _status(app, learner.email, program_id) == EnrollmentStatus.ACTIVE


def test_vouchers_percent_full_max_uses_and_expiry_over_the_api(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    program_id = _program(app, "vouchered", fee_cents=20000)
    admin = make_user("admin")
    auth.login(admin.email)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for body in (
        {"code": "HALF", "percent": 50, "program": "vouchered"},
        {"code": "GIFT", "percent": 100, "max_uses": 1},
        {"code": "GONE", "percent": 100, "expires_at": past},
    ):
        created = client.post("/api/v1/vouchers", json=body, headers=auth.json_headers())
        assert created.status_code == 201, created.get_json()
    duplicate = client.post(
        "/api/v1/vouchers", json={"code": "half", "percent": 5}, headers=auth.json_headers()
    )
    assert duplicate.status_code == 409
    for bad, field in (
        ({"code": "X", "percent": 0}, "percent"),
        ({"code": "X", "percent": 101}, "percent"),
        ({"code": "a b", "percent": 10}, "code"),
        ({"code": "X", "percent": "10"}, "percent"),
        ({"code": "X", "percent": 10, "max_uses": 0}, "max_uses"),
        ({"code": "X", "percent": 10, "colour": "red"}, "colour"),
        ({"percent": 10}, "code"),
    ):
        refused = client.post("/api/v1/vouchers", json=bad, headers=auth.json_headers())
        assert refused.status_code == 400, bad
        assert field in {e["field"] for e in refused.get_json()["errors"]}, bad
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Voucher)) == 3
    auth.logout()

    def enrol(voucher: str) -> tuple[int, dict]:
        person = make_user("learner")
        auth.logout()
        auth.login(person.email)
        answer = client.post(
            "/api/v1/programs/vouchered/enrol",
            json={"voucher": voucher},
            headers=auth.json_headers(),
        )
        return answer.status_code, answer.get_json()

    status, body = enrol("half")
    assert status == 202 and body["order"]["total_cents"] == 10000
    assert body["order"]["voucher"] == "HALF"
    status, body = enrol("GIFT")
    assert status == 201 and body["enrolled"] is True  # covered in full: active at once
    for code, message in (("GIFT", "used up"), ("GONE", "expired"), ("NOPE", "not valid")):
        status, body = enrol(code)
        assert status == 400 and message in body["detail"], code
        assert body["errors"][0]["field"] == "voucher"
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count()).select_from(Order).where(Order.program_id == program_id)
            )
            == 2
        )


def test_the_api_offers_cohorts_and_waitlists_a_full_one(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    program_id = _program(app, "api-seats", seats=[1])
    (cohort,) = _cohorts(app, program_id)
    first, second = make_user("learner"), make_user("learner")
    auth.login(first.email)
    choices = client.get("/api/v1/programs/api-seats/cohort-choices").get_json()
    assert choices["cohorts"] == [
        {
            "id": cohort,
            "name": "Cohort 1",
            "starts_on": SOON.isoformat(),
            "seats": 1,
            "seats_left": 1,
            "full": False,
        }
    ]
    taken = client.post(
        "/api/v1/programs/api-seats/enrol", json={"cohort_id": cohort}, headers=auth.json_headers()
    )
    assert taken.status_code == 201
    auth.logout()
    auth.login(second.email)
    waiting = client.post(
        "/api/v1/programs/api-seats/enrol", json={"cohort_id": cohort}, headers=auth.json_headers()
    )
    assert waiting.status_code == 202
    assert (waiting.get_json()["status"], waiting.get_json()["waitlist_position"]) == (
        "waitlisted",
        1,
    )
    wrong = client.post(
        "/api/v1/programs/api-seats/enrol", json={"cohort_id": 999999}, headers=auth.json_headers()
    )
    assert wrong.status_code in (202, 400)  # already waitlisted: idempotent answer first
    # An admin adds a seat: the waitlisted learner moves up.
    admin = make_user("admin")
    auth.logout()
    auth.login(admin.email)
    seats = client.put(
        f"/api/v1/cohorts/{cohort}/seats", json={"seats": 2}, headers=auth.json_headers()
    )
    assert seats.status_code == 200 and seats.get_json()["seats_left"] == 0
    assert _status(app, second.email, program_id) == EnrollmentStatus.ACTIVE
    auth.logout()
    auth.login(second.email)
    assert (
        client.delete("/api/v1/programs/api-seats/enrol", headers=auth.json_headers()).status_code
        == 204
    )
    assert (
        client.delete("/api/v1/programs/api-seats/enrol", headers=auth.json_headers()).status_code
        == 404
    )


def test_a_cohort_of_another_program_is_refused(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    _program(app, "one", seats=[None])
    other = _program(app, "two", seats=[None])
    (foreign,) = _cohorts(app, other)
    auth.login(make_user("learner").email)
    refused = client.post(
        "/api/v1/programs/one/enrol", json={"cohort_id": foreign}, headers=auth.json_headers()
    )
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "cohort"


def test_the_cli_and_admin_enrolments_of_a_paid_program_are_active(app: Flask, make_user) -> None:
    program_id = _program(app, "cli-paid", fee_cents=49900)
    learner = make_user("learner")
    result = app.test_cli_runner().invoke(args=["learning", "enrol", learner.email, "cli-paid"])
    assert result.exit_code == 0 and "enrolled" in result.output
    assert _status(app, learner.email, program_id) == EnrollmentStatus.ACTIVE
    with app.app_context():
        assert db.session.scalar(select(Order.id).where(Order.program_id == program_id)) is None


def test_order_numbers_are_sequential(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    _program(app, "seq", fee_cents=100)
    numbers = []
    for _ in range(2):
        auth.logout()
        auth.login(make_user("learner").email)
        answer = client.post("/api/v1/programs/seq/enrol", headers=auth.json_headers())
        numbers.append(answer.get_json()["order"]["number"])
    first, second = (int(re.sub(r"\D", "", n)) for n in numbers)
    assert second == first + 1


def test_an_admin_sets_a_cohorts_seats_on_its_form(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    program_id = _program(app, "seated", seats=[None])
    (cohort,) = _cohorts(app, program_id)
    auth.login(make_user("admin").email)
    url = f"/manage/cohorts/{cohort}/edit"
    fields = {"program": "seated", "name": "Cohort 1", "starts_on": SOON.isoformat()}
    fields["time_zone"] = "UTC"
    refused = client.post(url, data=_form(auth, url, **fields, seats="0"))
    assert refused.status_code == 400 and "whole number from 1" in refused.get_data(as_text=True)
    saved = client.post(url, data=_form(auth, url, **fields, seats="12"))
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, cohort).seats == 12  # type: ignore[union-attr]
    assert client.post(url, data=_form(auth, url, **fields, seats="")).status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, cohort).seats is None  # type: ignore[union-attr]
