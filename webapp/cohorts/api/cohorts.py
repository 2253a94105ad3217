"""Cohorts over the API: a cohort and its schedule (members and admins); creating,
changing and deleting cohorts and their members (admins, the cohort's instructors)."""

from __future__ import annotations

from flask import g
from pydantic import Field

from webapp.access import require_admin, teaching_cohort_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.cohorts import queries, services
from webapp.cohorts.api import (
    ClassOut,
    CohortOut,
    Day,
    ExamOut,
    RoleName,
    Text,
    ZoneQuery,
    refused_as_problem,
    zone_of,
)
from webapp.extensions import db
from webapp.models import CohortMember, CohortRole
from webapp.models.base import utcnow
from webapp.problems import ApiError

# --------------------------------------------------------------------------- input and output


class Schedule(Output):
    """A cohort's classes and exams in time order."""

    cohort_id: int
    time_zone: str = Field(description="The zone the ``local`` times are in.")
    classes: list[ClassOut]
    exams: list[ExamOut]


class CohortIn(Input):
    """A new cohort: the slug of its program, a name, a start date and an IANA zone."""

    program: Text = Field(description="The program's slug.")
    name: Text
    starts_on: Day
    time_zone: Text = Field(default="UTC", examples=["Europe/Berlin"])


class CohortChange(Input):
    """The fields of a cohort to change."""

    program: Text | None = None
    name: Text | None = None
    starts_on: Day | None = None
    time_zone: Text | None = None


class MemberIn(Input):
    """An existing account (by e-mail) and its role in the cohort."""

    email: Text
    role: RoleName = "learner"


class MemberChange(Input):
    """A member's new role."""

    role: RoleName


class MemberOut(Output):
    """A member of a cohort."""

    user_id: int
    email: str
    name: str
    role: CohortRole

    @classmethod
    def of(cls, member: CohortMember) -> MemberOut:
        """``member`` as the API writes it."""
        return cls(
            user_id=member.user_id,
            email=member.user.email,
            name=member.user.name,
            role=CohortRole(member.role),
        )


# --------------------------------------------------------------------------- routes


@operation(bp, "GET", "/cohorts/<int:cohort_id>", responses={200: CohortOut}, errors=(404,))
def cohort_detail(cohort_id: int) -> CohortOut:
    """A cohort (members and admins)."""
    cohort, role = queries.cohort_or_404(cohort_id, g.user)
    return CohortOut.of(cohort, role)


@operation(
    bp,
    "GET",
    "/cohorts/<int:cohort_id>/schedule",
    query=ZoneQuery,
    responses={200: Schedule},
    errors=(404,),
)
def cohort_schedule(cohort_id: int, query: ZoneQuery) -> Schedule:
    """Classes and exams; times in UTC plus their rendering in the caller's zone.

    The zone is ``?tz=``, the profile's, the ``tz`` cookie, else the cohort's zone."""
    cohort, _role = queries.cohort_or_404(cohort_id, g.user)
    zone, now = zone_of(query, cohort.time_zone), utcnow()
    return Schedule(
        cohort_id=cohort.id,
        time_zone=zone,
        classes=[ClassOut.of(c, zone, now) for c in queries.classes_of(cohort.id)],
        exams=[ExamOut.of(e, zone) for e in queries.exams_of(cohort.id)],
    )


@operation(bp, "POST", "/cohorts", body=CohortIn, responses={201: CohortOut}, errors=(403,))
def create_cohort(body: CohortIn) -> tuple[CohortOut, int]:
    """Create a cohort (admins)."""
    require_admin(g.user)
    with refused_as_problem():
        cohort = services.create_cohort(body.program, body.name, body.starts_on, body.time_zone)
    db.session.commit()
    return CohortOut.of(cohort, None), 201


@operation(
    bp,
    "PATCH",
    "/cohorts/<int:cohort_id>",
    body=CohortChange,
    responses={200: CohortOut},
    errors=(403, 404),
)
def update_cohort(cohort_id: int, body: CohortChange) -> CohortOut:
    """Change a cohort's program, name, start date or zone (admins)."""
    require_admin(g.user)
    cohort = teaching_cohort_or_404(cohort_id, g.user)
    with refused_as_problem():
        services.update_cohort(
            cohort,
            str(body.program if body.program is not None else cohort.program.slug),
            str(body.name if body.name is not None else cohort.name),
            body.starts_on or cohort.starts_on,
            str(body.time_zone if body.time_zone is not None else cohort.time_zone),
        )
    db.session.commit()
    return CohortOut.of(cohort, queries.member_role(cohort.id, g.user))


@operation(bp, "DELETE", "/cohorts/<int:cohort_id>", responses={204: None}, errors=(403, 404))
def delete_cohort(cohort_id: int) -> None:
    """Delete a cohort with its members, classes, attendance and exams (admins);
    recordings stay as videos."""
    require_admin(g.user)
    services.delete_cohort(teaching_cohort_or_404(cohort_id, g.user))
    db.session.commit()


@operation(
    bp,
    "POST",
    "/cohorts/<int:cohort_id>/members",
    body=MemberIn,
    responses={201: MemberOut},
    errors=(403, 404, 409),
)
def add_cohort_member(cohort_id: int, body: MemberIn) -> tuple[MemberOut, int]:
    """Add an existing account to the cohort (admins, the cohort's instructors)."""
    cohort = teaching_cohort_or_404(cohort_id, g.user)
    with refused_as_problem():
        member = services.add_member_by_email(cohort, body.email, body.role)
    db.session.commit()
    return MemberOut.of(member), 201


def _member_or_404(cohort_id: int, user_id: int) -> CohortMember:
    member = queries.member_of(cohort_id, user_id)
    if member is None:
        raise ApiError(404, "No such member.")
    return member


@operation(
    bp,
    "PATCH",
    "/cohorts/<int:cohort_id>/members/<int:user_id>",
    body=MemberChange,
    responses={200: MemberOut},
    errors=(403, 404),
)
def update_cohort_member(cohort_id: int, user_id: int, body: MemberChange) -> MemberOut:
    """Change a member's role."""
    cohort = teaching_cohort_or_404(cohort_id, g.user)
    member = _member_or_404(cohort.id, user_id)
    with refused_as_problem():
        services.change_role(member, body.role)
    db.session.commit()
    return MemberOut.of(member)


@operation(
    bp,
    "DELETE",
    "/cohorts/<int:cohort_id>/members/<int:user_id>",
    responses={204: None},
    errors=(403, 404),
)
def remove_cohort_member(cohort_id: int, user_id: int) -> None:
    """Take a member out of the cohort."""
    cohort = teaching_cohort_or_404(cohort_id, g.user)
    services.remove_member(_member_or_404(cohort.id, user_id))
    db.session.commit()
