"""E-mails of the enrolment rules, sent after the commit (never about a rollback).

A waitlisted learner who moves up gets "a seat is yours" (with the order to pay when the
program is paid for). The message's facts are taken when the move is made, because no
SQL may run once the session has committed.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import Enrollment, EnrollmentStatus, Order, OrderStatus, User

log = logging.getLogger(__name__)
PENDING = "enrolment_seat_mails"


def seat_after_commit(enrollment_id: int) -> None:
    """E-mail the enrolment's learner that a seat freed for them, once this commits."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        return
    user = db.session.get(User, enrollment.user_id)
    if user is None:
        return
    order = db.session.scalar(
        select(Order.number).where(
            Order.enrollment_id == enrollment.id, Order.status == OrderStatus.AWAITING_PAYMENT
        )
    )
    db.session.info.setdefault(PENDING, []).append(
        {
            "to": user.email,
            "name": user.name or user.email,
            "program": enrollment.program.title,
            "slug": enrollment.program.slug,
            "active": enrollment.status == EnrollmentStatus.ACTIVE,
            "order": order,
        }
    )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[dict[str, Any]] | None = session.info.pop(PENDING, None)
    if not pending:
        return
    from webapp.mail.send import send

    base = current_app.config["PUBLIC_BASE_URL"]
    for facts in pending:
        try:
            with current_app.test_request_context(base_url=base):
                program_url = url_for("learning.program", slug=facts["slug"], _external=True)
                order_url = (
                    url_for("enrolment.order", number=facts["order"], _external=True)
                    if facts["order"]
                    else ""
                )
                send(
                    "seat_available",
                    facts["to"],
                    program_url=program_url,
                    order_url=order_url,
                    **{k: v for k, v in facts.items() if k != "to"},
                )
        except Exception:  # the commit stands; the learner still sees it on the page
            log.exception("seat e-mail to %s not queued", facts["to"])


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    session.info.pop(PENDING, None)
