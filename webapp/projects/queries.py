"""Project reads: a cohort's projects, a learner's versions, the grading overview, and
which projects a learner has passed (for certificates and reports)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    CohortMember,
    CohortRole,
    Project,
    ProjectSubmission,
    SubmissionStatus,
    User,
)
from webapp.projects import rules


def projects_of(cohort_id: int) -> list[Project]:
    """The cohort's projects by due date."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.cohort_id == cohort_id)
            .order_by(Project.due_at, Project.id)
        )
    )


def max_points_of(project: Project) -> int:
    """The best score the project's rubric allows."""
    return sum(max((lv.points for lv in c.levels), default=0) for c in project.criteria)


@dataclass(frozen=True)
class LearnerRow:
    """A learner of the cohort and their latest version (None: nothing handed in)."""

    user: User
    latest: ProjectSubmission | None


def overview(project: Project) -> list[LearnerRow]:
    """Every learner of the project's cohort with their latest version, to grade."""
    learners = db.session.scalars(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(
            CohortMember.cohort_id == project.cohort_id,
            CohortMember.role == CohortRole.LEARNER,
        )
        .order_by(User.email)
    )
    latest: dict[int, ProjectSubmission] = {}
    for s in db.session.scalars(
        select(ProjectSubmission)
        .where(ProjectSubmission.project_id == project.id)
        .order_by(ProjectSubmission.version)
    ):
        latest[s.user_id] = s
    return [LearnerRow(u, latest.get(u.id)) for u in learners]


def accepted(project_ids: Collection[int], user_ids: Collection[int] | None = None):
    """Accepted submissions of these projects (of these learners)."""
    query = select(ProjectSubmission).where(
        ProjectSubmission.project_id.in_(list(project_ids)),
        ProjectSubmission.status == SubmissionStatus.ACCEPTED,
    )
    if user_ids is not None:
        query = query.where(ProjectSubmission.user_id.in_(list(user_ids)))
    return list(db.session.scalars(query))


def projects_passed(user_id: int, project_ids: Collection[int]) -> set[int]:
    """Which of ``project_ids`` the learner passed: their accepted version scored at
    least the pass mark (after any late penalty)."""
    if not project_ids:
        return set()
    marks = {
        row.id: row.pass_mark
        for row in db.session.execute(
            select(Project.id, Project.pass_mark).where(Project.id.in_(list(project_ids)))
        )
    }
    return {
        s.project_id
        for s in accepted(project_ids, [user_id])
        if rules.passed(s.final_points, marks.get(s.project_id, 0))
    }
