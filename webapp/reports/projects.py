"""Project grades in the path and cohort reports: the projects of the cohorts the report
covers (its scope, narrowed by its cohort filter), and each learner's points on them.

A learner's points on a project are those of their latest graded version (accepted, or
returned for revision); "passed" means accepted at or above the pass mark. A report
whose cohorts have no projects shows and exports exactly what it did before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Project, ProjectSubmission
from webapp.projects.rules import passed
from webapp.reports.csv_export import Column
from webapp.reports.filters import ReportFilters
from webapp.reports.queries import LearnerRow
from webapp.reports.scope import ReportScope


@dataclass(frozen=True)
class Mark:
    """A learner's standing on one project."""

    points: float | None  # latest graded version's (after any late penalty)
    status: str  # "", "submitted", "returned", "accepted"
    passed: bool


@dataclass(frozen=True)
class ProjectGrades:
    """The report's projects and every learner's marks on them."""

    projects: list[Project]
    marks: dict[int, dict[int, Mark]] = field(default_factory=dict)  # user → project → mark

    def mark(self, user_id: int, project_id: int) -> Mark | None:
        """The learner's mark on the project (None: nothing handed in)."""
        return self.marks.get(user_id, {}).get(project_id)

    def passed_count(self, user_id: int) -> int:
        """How many of the report's projects the learner passed."""
        return sum(1 for m in self.marks.get(user_id, {}).values() if m.passed)

    def csv_columns(self) -> list[Column]:
        """The CSV columns: points per project, then the number passed (none without
        projects)."""
        if not self.projects:
            return []
        columns: list[Column] = []
        for project in self.projects:
            columns.append((f"Project: {project.title} (points)", self._points_of(project.id)))
        columns.append(("Projects passed", lambda row: self.passed_count(row.user_id)))
        return columns

    def _points_of(self, project_id: int) -> Callable[[LearnerRow], object]:
        def cell(row: LearnerRow) -> object:
            mark = self.mark(row.user_id, project_id)
            return mark.points if mark is not None else None

        return cell


def project_grades(
    found: ReportScope, filters: ReportFilters, user_ids: Sequence[int]
) -> ProjectGrades:
    """The projects of the report's cohorts and the marks of ``user_ids`` (two queries)."""
    cohort_ids = found.class_cohort_ids(filters.cohort_id)
    projects = list(
        db.session.scalars(
            select(Project)
            .where(Project.cohort_id.in_(cohort_ids))
            .order_by(Project.due_at, Project.id)
        )
    )
    if not projects or not user_ids:
        return ProjectGrades(projects)
    marks: dict[int, dict[int, Mark]] = {}
    by_id = {p.id: p for p in projects}
    versions = db.session.scalars(
        select(ProjectSubmission)
        .where(
            ProjectSubmission.project_id.in_(list(by_id)),
            ProjectSubmission.user_id.in_(list(user_ids)),
        )
        .order_by(ProjectSubmission.version)
    )
    for v in versions:
        earlier = marks.setdefault(v.user_id, {}).get(v.project_id)
        graded = v.final_points if v.final_points is not None else None
        points = graded if graded is not None else (earlier.points if earlier else None)
        accepted = v.status == "accepted"
        marks[v.user_id][v.project_id] = Mark(
            points,
            v.status.value,
            accepted and passed(v.final_points, by_id[v.project_id].pass_mark),
        )
    return ProjectGrades(projects, marks)
