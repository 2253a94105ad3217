"""Report pages for admins and cohort instructors: per path and per cohort, with filters,
a chart of completions over time, and a CSV export of the same rows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.analytics import charts
from webapp.errors import error_response
from webapp.reports import csv_export, scope
from webapp.reports.filters import BadFilter, ReportFilters, Status, parse_filters
from webapp.reports.queries import Report, build_report
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
    return render_template(
        "reports/report.html",
        scope=found,
        filters=filters,
        report=report,
        chart=completions_chart(report),
        here=url_for(endpoint, **ids),
        csv_url=url_for(f"{endpoint}_csv", **query),
    )


def _csv(found: ReportScope, name: list[str]) -> Response:
    filters: ReportFilters = parse_filters(request.args, found)
    report = build_report(found, filters, with_series=False)
    response = Response(csv_export.to_csv(report.rows), mimetype="text/csv")
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
