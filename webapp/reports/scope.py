"""Who may see which report, and which learners a report covers.

There is no manager role or company model: a cohort stands for a company's group of
learners. So:

* admins see every path report (every learner enrolled in the path or in one of its
  cohorts) and every cohort report;
* instructors see the reports of the cohorts they teach and, for a path, only the
  learners of those of its cohorts they teach;
* learners see no report (403, whatever the id).

Cohort reports answer 404 to instructors who are not members (as every cohort page
does) and 403 to members who are not its instructors; path reports answer 403 to
instructors who teach none of its cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.cohorts.queries import cohort_or_404
from webapp.extensions import db
from webapp.models import Cohort, CohortMember, CohortRole, Program, Role, User


@dataclass(frozen=True)
class ReportScope:
    """A path, the cohorts of it the caller may report on, and whether the report is
    fixed to one cohort or may also cover enrolled learners outside any cohort."""

    program: Program
    cohorts: tuple[Cohort, ...]
    fixed_cohort: Cohort | None = None
    everyone: bool = False

    def cohort_ids(self, chosen: int | None = None) -> list[int] | None:
        """The cohorts whose learners the report covers; None means every learner of
        the path (enrolled or in any cohort of it)."""
        if self.fixed_cohort is not None:
            return [self.fixed_cohort.id]
        if chosen is not None:
            return [chosen]
        return None if self.everyone else [c.id for c in self.cohorts]

    def class_cohort_ids(self, chosen: int | None = None) -> list[int]:
        """The cohorts whose live classes count as missed classes."""
        ids = self.cohort_ids(chosen)
        return ids if ids is not None else [c.id for c in self.cohorts]

    def has_cohort(self, cohort_id: int) -> bool:
        """``cohort_id`` is one the caller may narrow the report to."""
        return any(c.id == cohort_id for c in self.cohorts)


def may_see_reports(user: User) -> bool:
    """Admins and instructors (who then see only the cohorts they teach)."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.INSTRUCTOR)


def require_reporter(user: User) -> None:
    """403 for learners."""
    if not may_see_reports(user):
        abort(403, "Reports are for admins and the cohorts' instructors.")


def _cohorts(program_id: int | None, user: User) -> list[Cohort]:
    query = select(Cohort).options(joinedload(Cohort.program))
    if program_id is not None:
        query = query.where(Cohort.program_id == program_id)
    if not user.is_admin:
        query = query.join(CohortMember, CohortMember.cohort_id == Cohort.id).where(
            CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR
        )
    return list(db.session.scalars(query.order_by(Cohort.starts_on.desc(), Cohort.id.desc())))


def visible_cohorts(user: User) -> list[Cohort]:
    """Every cohort (admins) or the cohorts ``user`` teaches, newest first."""
    return _cohorts(None, user)


def visible_programs(user: User) -> list[Program]:
    """Every program (admins) or the programs of the cohorts ``user`` teaches."""
    if user.is_admin:
        return list(db.session.scalars(select(Program).order_by(Program.title, Program.id)))
    taught = (
        select(Cohort.program_id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR)
    )
    return list(
        db.session.scalars(
            select(Program).where(Program.id.in_(taught)).order_by(Program.title, Program.id)
        )
    )


def path_scope(slug: str, user: User) -> ReportScope:
    """The path report of ``slug`` for ``user``: 404 unknown path, 403 not theirs."""
    require_reporter(user)
    program = db.session.scalar(select(Program).where(Program.slug == slug))
    if program is None:
        abort(404, "No such program.")
    cohorts = tuple(_cohorts(program.id, user))
    if not user.is_admin and not cohorts:
        abort(403, "You teach no cohort of this program.")
    return ReportScope(program, cohorts, everyone=user.is_admin)


def cohort_scope(cohort_id: int, user: User) -> ReportScope:
    """The report of one cohort: its instructors and admins (learners 403, others 404)."""
    require_reporter(user)
    cohort, role = cohort_or_404(cohort_id, user)
    if not user.is_admin and role != CohortRole.INSTRUCTOR:
        abort(403, "Only the cohort's instructors (or an admin) see its report.")
    return ReportScope(cohort.program, (cohort,), fixed_cohort=cohort)
