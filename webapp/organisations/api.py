"""Organisations over the API: a manager's dashboard, people and assignments (the same
scope as the pages: 404 unless the caller manages the organisation, or is an admin), and
the learner's own assignments."""

from __future__ import annotations

from datetime import date

from flask import g
from pydantic import Field

from webapp.access import organisation_for_manager_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.cohorts.api import Day
from webapp.extensions import db
from webapp.organisations import queries, services
from webapp.organisations.queries import DashboardRow, LearnerAssignment
from webapp.organisations.services import OrganisationError
from webapp.problems import ApiError, FieldError


class DashboardLine(Output):
    """One assignment of the organisation and how the person is doing."""

    user_id: int
    name: str
    email: str
    program: str = Field(description="The program's slug.")
    program_title: str
    due_on: date | None
    status: str = Field(description="not_started, in_progress or completed.")
    percent: int
    overdue: bool
    certificate: str | None = Field(description="The certificate's code, if issued.")
    watched_seconds: float
    missed_classes: int
    missed_classes_caught_up: int

    @classmethod
    def of(cls, row: DashboardRow) -> DashboardLine:
        """The line of ``row``."""
        return cls(
            user_id=row.user_id,
            name=row.name,
            email=row.email,
            program=row.program_slug,
            program_title=row.program_title,
            due_on=row.due_on,
            status=row.status,
            percent=row.percent,
            overdue=row.overdue,
            certificate=row.certificate or None,
            watched_seconds=round(row.watched_seconds, 3),
            missed_classes=row.missed_classes,
            missed_classes_caught_up=row.caught_up,
        )


class SeatsOut(Output):
    """Seats held and used in one program."""

    program: str
    held: int
    used: int


class DashboardOut(Output):
    """An organisation's dashboard."""

    organisation: str
    seats: list[SeatsOut]
    overdue: int
    assignments: list[DashboardLine]


class PersonOut(Output):
    """A person of the organisation."""

    user_id: int
    name: str
    email: str
    role: str = Field(description="member or manager")


class PeopleOut(Output):
    """The organisation's people."""

    people: list[PersonOut]


class NewAssignment(Input):
    """Assign a program (its slug) to a person of the organisation, due by a date."""

    user_id: int
    program: str = Field(min_length=1, max_length=120)
    due_on: Day | None = Field(default=None, description="ISO date, e.g. 2027-01-31.")


class AssignmentOut(Output):
    """An assignment."""

    user_id: int
    program: str
    due_on: date | None
    created: bool


class MyAssignment(Output):
    """A program assigned to the caller."""

    program: str
    program_title: str
    organisation: str
    due_on: date | None

    @classmethod
    def of(cls, item: LearnerAssignment) -> MyAssignment:
        """The line of ``item``."""
        return cls(
            program=item.program.slug,
            program_title=item.program.title,
            organisation=item.organisation,
            due_on=item.due_on,
        )


class MyAssignments(Output):
    """The programs assigned to the caller, soonest due first."""

    assignments: list[MyAssignment]


@operation(
    bp, "GET", "/organisations/<slug>/dashboard", responses={200: DashboardOut}, errors=(404,)
)
def org_dashboard_api(slug: str) -> DashboardOut:
    """The organisation's dashboard (its managers and admins; 404 for anyone else)."""
    org = organisation_for_manager_or_404(g.user, slug)
    rows = queries.dashboard(org.id)
    return DashboardOut(
        organisation=org.slug,
        seats=[
            SeatsOut(program=s.program.slug, held=s.held, used=s.used)
            for s in queries.seats(org.id)
        ],
        overdue=sum(1 for r in rows if r.overdue),
        assignments=[DashboardLine.of(r) for r in rows],
    )


@operation(bp, "GET", "/organisations/<slug>/people", responses={200: PeopleOut}, errors=(404,))
def org_people_api(slug: str) -> PeopleOut:
    """The organisation's people (its managers and admins; 404 for anyone else)."""
    org = organisation_for_manager_or_404(g.user, slug)
    return PeopleOut(
        people=[
            PersonOut(user_id=p.user_id, name=p.user.name, email=p.user.email, role=p.role.value)
            for p in queries.people(org.id)
        ]
    )


@operation(
    bp,
    "POST",
    "/organisations/<slug>/assignments",
    body=NewAssignment,
    responses={200: AssignmentOut, 201: AssignmentOut},
    errors=(404, 409),
)
def org_assign_api(slug: str, body: NewAssignment) -> tuple[AssignmentOut, int]:
    """Assign a program to a person of the organisation (uses a seat; enrols them). 201
    new, 200 when only the due date changed, 409 when no seat is free."""
    org = organisation_for_manager_or_404(g.user, slug)
    member = queries.person(org.id, body.user_id)
    if member is None:
        raise ApiError(404, "no such person in this organisation")
    program = next(
        (s.program for s in queries.seats(org.id) if s.program.slug == body.program), None
    )
    if program is None:
        raise ApiError(
            400,
            "the organisation holds no seats in that program",
            [FieldError("program", "the organisation holds no seats in that program")],
        )
    try:
        _, created = services.assign(org, member.user, program, body.due_on, g.user)
    except OrganisationError as exc:
        db.session.rollback()
        raise ApiError(409, str(exc)) from None
    db.session.commit()
    answer = AssignmentOut(
        user_id=member.user_id, program=program.slug, due_on=body.due_on, created=created
    )
    return answer, 201 if created else 200


@operation(
    bp,
    "DELETE",
    "/organisations/<slug>/assignments/<int:user_id>/<program>",
    responses={204: None},
    errors=(404,),
)
def org_unassign_api(slug: str, user_id: int, program: str) -> None:
    """Take an assignment back: the seat is free again and the enrolment it paid for
    ends (progress and certificates stay)."""
    org = organisation_for_manager_or_404(g.user, slug)
    assignment = queries.assignment_or_none(org.id, user_id, program)
    if assignment is None:
        raise ApiError(404, "no such assignment in this organisation")
    services.unassign(assignment)
    db.session.commit()


@operation(bp, "GET", "/me/assignments", responses={200: MyAssignments})
def my_assignments() -> MyAssignments:
    """The programs your organisation assigned to you, with their due dates."""
    return MyAssignments(
        assignments=[MyAssignment.of(a) for a in queries.assignments_of(g.user.id)]
    )
