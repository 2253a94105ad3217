"""Reports over the API, per path and per cohort: the same scope rules, filters and rows
as the report pages."""

from __future__ import annotations

from datetime import date

from flask import g
from pydantic import ConfigDict, Field

from webapp.api.blueprint import bp
from webapp.api.contract import Output, Query, operation
from webapp.problems import ApiError
from webapp.reports import scope
from webapp.reports.filters import BadFilter, FilterParams, ReportFilters, Status, report_filters
from webapp.reports.queries import LearnerRow, Report, SeriesPoint, Unit, build_report
from webapp.reports.scope import ReportScope


class ReportQuery(FilterParams, Query):
    """A report's filters; empty values mean no filter, other parameters are ignored."""

    model_config = ConfigDict(extra="ignore")


class ProgramRef(Output):
    """The path a report is about."""

    id: int
    slug: str


class CohortRef(Output):
    """A cohort of the path."""

    id: int
    name: str


class LearnerLine(Output):
    """One learner's line of a report."""

    user_id: int
    name: str
    email: str
    status: Status
    percent: int
    completed_modules: int
    total_modules: int
    completion_date: date | None = Field(description="The UTC day the path was completed.")
    watched_seconds: float
    missed_classes: int
    missed_classes_caught_up: int

    @classmethod
    def of(cls, row: LearnerRow) -> LearnerLine:
        """The line of ``row``."""
        return cls(
            user_id=row.user_id,
            name=row.name,
            email=row.email,
            status=row.status,
            percent=row.percent,
            completed_modules=row.completed_modules,
            total_modules=row.total_modules,
            completion_date=row.completion_date,
            watched_seconds=round(row.watched_seconds, 3),
            missed_classes=row.missed_classes,
            missed_classes_caught_up=row.caught_up,
        )


class Period(Output):
    """Completions in one period (a day, a week from Monday, or a month)."""

    start: date
    unit: Unit
    modules_completed: int
    learners_completed: int
    learners_completed_so_far: int

    @classmethod
    def of(cls, point: SeriesPoint) -> Period:
        """The period ``point``."""
        return cls(
            start=point.start,
            unit=point.unit,
            modules_completed=point.modules,
            learners_completed=point.learners,
            learners_completed_so_far=point.cumulative,
        )


class ReportOut(Output):
    """A report's path, cohort, learners and completions over time."""

    program: ProgramRef
    cohort: CohortRef | None = Field(description="The cohort of a cohort's report.")
    cohorts: list[CohortRef] = Field(description="The cohorts the caller may filter by.")
    total_modules: int
    learners: list[LearnerLine]
    completions_over_time: list[Period]

    @classmethod
    def of(cls, found: ReportScope, report: Report) -> ReportOut:
        """``report`` of the scope ``found``."""
        fixed = found.fixed_cohort
        return cls(
            program=ProgramRef(id=found.program.id, slug=found.program.slug),
            cohort=CohortRef(id=fixed.id, name=fixed.name) if fixed is not None else None,
            cohorts=[CohortRef(id=c.id, name=c.name) for c in found.cohorts],
            total_modules=report.total_modules,
            learners=[LearnerLine.of(r) for r in report.rows],
            completions_over_time=[Period.of(p) for p in report.series],
        )


def _filters(query: ReportQuery, found: ReportScope) -> ReportFilters:
    """The filters of ``query`` on the report ``found``; a 400 problem if unusable."""
    try:
        return report_filters(query, found)
    except BadFilter as exc:
        detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise ApiError(400, detail, exc.errors) from None


def _report(found: ReportScope, query: ReportQuery) -> ReportOut:
    return ReportOut.of(found, build_report(found, _filters(query, found)))


@operation(
    bp,
    "GET",
    "/reports/paths/<slug>",
    query=ReportQuery,
    responses={200: ReportOut},
    errors=(403, 404),
)
def path_report_api(slug: str, query: ReportQuery) -> ReportOut:
    """A path's learners (admins: all; instructors: of the cohorts they teach)."""
    return _report(scope.path_scope(slug, g.user), query)


@operation(
    bp,
    "GET",
    "/reports/cohorts/<int:cohort_id>",
    query=ReportQuery,
    responses={200: ReportOut},
    errors=(403, 404),
)
def cohort_report_api(cohort_id: int, query: ReportQuery) -> ReportOut:
    """A cohort's learners (its instructors and admins)."""
    return _report(scope.cohort_scope(cohort_id, g.user), query)
