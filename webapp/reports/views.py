"""Report pages for admins and cohort instructors: per path and per cohort, with filters,
a chart of completions over time, and a CSV export of the same rows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.analytics import charts
from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.errors import error_response
from webapp.extensions import db
from webapp.reports import csv_export, scope
from webapp.reports.exams import CSV_COLUMN, exam_results
from webapp.reports.filters import BadFilter, ReportFilters, Status, parse_filters
from webapp.reports.projects import project_grades
from webapp.reports.queries import Report, build_report
from webapp.reports.quizzes import csv_columns as quiz_csv_columns
from webapp.reports.quizzes import quiz_section
from webapp.reports.scope import ReportScope

bp = Blueprint("reports", __name__)


@bp.errorhandler(BadFilter)
def _bad_filter(exc: BadFilter):
    return error_response(400, str(exc))


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"frame": charts.FRAME, "statuses": list(Status)}


def completions_chart(report: Report) -> charts.BarChart:
    """Bars: module completions per period; line: learners who completed the path."""
    series = report.series
    return charts.bar_chart(
        [p.label for p in series], [p.modules for p in series], [p.cumulative for p in series]
    )


def _page(found: ReportScope, endpoint: str, **ids: Any) -> str:
    filters = parse_filters(request.args, found)
    report = build_report(found, filters)
    query: dict[str, Any] = {**ids, **filters.as_args()}
    grades = project_grades(found, filters, [r.user_id for r in report.rows])
    return render_template(
        "reports/report.html",
        scope=found,
        filters=filters,
        report=report,
        quiz=quiz_section(found.program.id, [r.user_id for r in report.rows]),
        chart=completions_chart(report),
        exams=exam_results(found, [r.user_id for r in report.rows], filters.cohort_id),
        here=url_for(endpoint, **ids),
        csv_url=url_for(f"{endpoint}_csv", **query),
        project_grades=grades,
    )


def _csv(found: ReportScope, name: list[str]) -> Response:
    filters: ReportFilters = parse_filters(request.args, found)
    report = build_report(found, filters, with_series=False)
    quiz = quiz_section(found.program.id, [r.user_id for r in report.rows])
    exams = exam_results(found, [r.user_id for r in report.rows], filters.cohort_id)
    extra: list[csv_export.Column] = [*quiz_csv_columns(quiz)]
    if exams.exams:
        extra.append((CSV_COLUMN, exams.passed_label))
    extra.extend(project_grades(found, filters, [r.user_id for r in report.rows]).csv_columns())
    target = found.fixed_cohort or found.program
    record(
        Kind.EXPORTED,
        target=target,
        detail={
            "report": "cohort" if found.fixed_cohort else "path",
            "format": "csv",
            "rows": len(report.rows),
            "filters": {k: v for k, v in filters.as_args().items() if v},
        },
    )
    db.session.commit()  # no report leaves without its audit row
    response = Response(csv_export.to_csv(report.rows, extra), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_export.filename(name)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports")
@login_required
def index():
    """The paths and cohorts the caller may report on."""
    scope.require_reporter(current_user)
    return render_template(
        "reports/index.html",
        programs=scope.visible_programs(current_user),
        cohorts=scope.visible_cohorts(current_user),
    )


@bp.get("/reports/paths/<slug>")
@login_required
def path_report(slug: str):
    """Every learner of a path (an instructor: of the cohorts they teach)."""
    return _page(scope.path_scope(slug, current_user), "reports.path_report", slug=slug)


@bp.get("/reports/paths/<slug>/export.csv")
@login_required
def path_report_csv(slug: str):
    """The path report's rows as CSV (same filters as the page)."""
    found = scope.path_scope(slug, current_user)
    return _csv(found, [found.program.slug])


@bp.get("/reports/cohorts/<int:cohort_id>")
@login_required
def cohort_report(cohort_id: int):
    """The learners of one cohort on its program."""
    found = scope.cohort_scope(cohort_id, current_user)
    return _page(found, "reports.cohort_report", cohort_id=cohort_id)


@bp.get("/reports/cohorts/<int:cohort_id>/export.csv")
@login_required
def cohort_report_csv(cohort_id: int):
    """The cohort report's rows as CSV (same filters as the page)."""
    found = scope.cohort_scope(cohort_id, current_user)
    return _csv(found, [found.program.slug, "cohort", str(cohort_id)])
