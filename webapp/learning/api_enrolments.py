"""Enrolment over the API: self-enrolment in open programs; admins enrol anyone by
e-mail address and end enrolments."""

from __future__ import annotations

from typing import Literal

from flask import Response, after_this_request, g, request, url_for
from pydantic import Field

from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation, validate
from webapp.enrolment.api import EnrolChoice, EnrolmentOut, enrolment_out
from webapp.enrolment.membership import is_active
from webapp.enrolment.services import EnrolmentError
from webapp.extensions import db
from webapp.learning.api_common import program_or_404
from webapp.learning.services import (
    EnrolmentNotAllowed,
    LearningError,
    enrol,
    unenrol,
    user_by_email,
)
from webapp.problems import ApiError, FieldError


class AdminEnrolment(Input):
    """The learner an admin enrols, by e-mail address (case does not matter)."""

    email: str = Field(min_length=1, max_length=320)


class SelfEnrolment(Output):
    """The caller is enrolled (``created``: by this request)."""

    program: str
    enrolled: Literal[True]
    created: bool


class AdminEnrolmentOut(Output):
    """The learner is enrolled (``created``: by this request)."""

    program: str
    email: str
    created: bool


@operation(
    bp,
    "POST",
    "/programs/<slug>/enrol",
    documented_body=EnrolChoice,
    responses={200: SelfEnrolment, 201: SelfEnrolment, 202: EnrolmentOut},
    errors=(403, 404),
)
def enrol_in_program(slug: str) -> tuple[SelfEnrolment | EnrolmentOut, int]:
    """Self-enrol the caller (open programs only; idempotent: 201 then 200).

    The optional body picks a cohort (``cohort_id``) and a voucher. A free program with
    a seat answers 201/200 as before. An enrolment that is not active yet answers 202
    with its status: ``awaiting_payment`` with the order (a paid program: pay it as its
    instructions say; an admin records the payment) or ``waitlisted`` with its place.
    """
    program = program_or_404(slug)
    data = request.get_json(silent=True) if request.content_length else None
    choice = validate(EnrolChoice, data if isinstance(data, dict) else {})
    try:
        enrollment, created = enrol(
            g.user, program, cohort=choice.cohort_id, voucher=choice.voucher
        )
    except EnrolmentNotAllowed as exc:
        raise ApiError(403, str(exc)) from None
    except EnrolmentError as exc:
        db.session.rollback()
        raise ApiError(400, str(exc), [FieldError(exc.field or "body", str(exc))]) from None
    db.session.commit()
    if not is_active(enrollment):
        return enrolment_out(enrollment, program, created), 202
    return SelfEnrolment(program=program.slug, enrolled=True, created=created), (
        201 if created else 200
    )


@operation(
    bp,
    "POST",
    "/programs/<slug>/enrollments",
    body=AdminEnrolment,
    responses={200: AdminEnrolmentOut, 201: AdminEnrolmentOut},
    errors=(403, 404),
)
def enrol_someone(slug: str, body: AdminEnrolment) -> tuple[AdminEnrolmentOut, int]:
    """Admins enrol a learner by e-mail (201 new, 200 existing; Location: the program)."""
    if not g.user.is_admin:
        raise ApiError(403, "only admins enrol other people")
    program = program_or_404(slug)
    user = user_by_email(body.email)
    if user is None:
        raise ApiError(404, "no account with that e-mail address")
    _, created = enrol(user, program, admin=True, by=g.user)
    db.session.commit()
    location = url_for("api.get_program", slug=program.slug)

    @after_this_request
    def _locate(response: Response) -> Response:
        response.headers["Location"] = location
        return response

    answer = AdminEnrolmentOut(program=program.slug, email=user.email, created=created)
    return answer, 201 if created else 200


@operation(
    bp,
    "DELETE",
    "/programs/<slug>/enrollments/<int:user_id>",
    responses={204: None},
    errors=(403, 404),
)
def unenrol_someone(slug: str, user_id: int) -> None:
    """Admins end a person's enrolment (their progress on the modules stays)."""
    if not g.user.is_admin:
        raise ApiError(403, "only admins end other people's enrolments")
    program = program_or_404(slug)
    try:
        unenrol(user_id, program)
    except LearningError as exc:
        raise ApiError(404, str(exc)) from None
    db.session.commit()
