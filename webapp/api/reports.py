"""API routes for instructor analytics (per video and per clip) and for reports (per path
and per cohort); the same queries and rules as the pages."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from webapp.analytics import queries as analytics
from webapp.analytics.modules import ModuleAnalytics, analyse
from webapp.analytics.queries import ModuleStats
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.errors import error_response
from webapp.reports import scope
from webapp.reports.filters import BadFilter, parse_filters
from webapp.reports.queries import LearnerRow, Report, build_report
from webapp.reports.scope import ReportScope


@bp.errorhandler(BadFilter)
def _bad_report_filter(exc: BadFilter):
    return error_response(400, str(exc))


# --------------------------------------------------------------------------- shapes


def stats_json(stats: ModuleStats) -> dict[str, Any]:
    """Views, unique viewers, average share watched (0–1), completions."""
    return {
        "views": stats.views,
        "unique_viewers": stats.viewers,
        "average_share_watched": round(stats.average_share, 4),
        "completions": stats.completions,
    }


def analytics_json(found: ModuleAnalytics) -> dict[str, Any]:
    """A module's figures, its retention curve and drop-off points."""
    return {
        "video_id": found.video.id,
        "clip_id": found.clip.id if found.clip is not None else None,
        "title": found.title,
        "duration": round(found.duration, 3),
        **stats_json(found.stats),
        "retention": [
            {
                "start": b.start,
                "end": b.end,
                "viewers": b.viewers,
                "share": round(b.share, 4),
            }
            for b in found.curve
        ],
        "drop_offs": [
            {
                "at": d.at,
                "before": round(d.before, 4),
                "after": round(d.after, 4),
                "viewers_lost": d.lost,
            }
            for d in found.drops
        ],
        "watch_days": [
            {"day": d.day.isoformat(), "seconds": round(d.seconds, 3), "learners": d.viewers}
            for d in found.days
        ],
    }


def learner_json(row: LearnerRow) -> dict[str, Any]:
    """One learner's report line."""
    completed = row.completion_date
    return {
        "user_id": row.user_id,
        "name": row.name,
        "email": row.email,
        "status": row.status.value,
        "percent": row.percent,
        "completed_modules": row.completed_modules,
        "total_modules": row.total_modules,
        "completion_date": completed.isoformat() if completed else None,
        "watched_seconds": round(row.watched_seconds, 3),
        "missed_classes": row.missed_classes,
        "missed_classes_caught_up": row.caught_up,
    }


def report_json(found: ReportScope, report: Report) -> dict[str, Any]:
    """The report's path, cohort, learners and completions over time."""
    cohort = found.fixed_cohort
    return {
        "program": {"id": found.program.id, "slug": found.program.slug},
        "cohort": {"id": cohort.id, "name": cohort.name} if cohort is not None else None,
        "cohorts": [{"id": c.id, "name": c.name} for c in found.cohorts],
        "total_modules": report.total_modules,
        "learners": [learner_json(r) for r in report.rows],
        "completions_over_time": [
            {
                "start": p.start.isoformat(),
                "unit": p.unit,
                "modules_completed": p.modules,
                "learners_completed": p.learners,
                "learners_completed_so_far": p.cumulative,
            }
            for p in report.series
        ],
    }


# --------------------------------------------------------------------------- routes


@bp.get("/videos/<int:video_id>/analytics")
@api_login_required
def video_analytics(video_id: int):
    """The video's instructor and admins; 404 if the caller cannot see it, else 403."""
    video = analytics.video_for_analytics(video_id, g.user)
    body = analytics_json(analyse(video))
    body["clips"] = [
        {"clip_id": clip.id, "title": clip.title, "start": clip.start, "end": clip.end}
        | stats_json(stats)
        for clip, stats in analytics.clip_stats(video.id)
    ]
    return jsonify(body)


@bp.get("/clips/<int:clip_id>/analytics")
@api_login_required
def clip_analytics(clip_id: int):
    """A clip's analytics (times in seconds from the clip's start)."""
    clip = analytics.clip_for_analytics(clip_id, g.user)
    return jsonify(analytics_json(analyse(clip.video, clip)))


def _report(found: ReportScope):
    report = build_report(found, parse_filters(request.args, found))
    return jsonify(report_json(found, report))


@bp.get("/reports/paths/<slug>")
@api_login_required
def path_report_api(slug: str):
    """A path's learners (admins: all; instructors: of the cohorts they teach)."""
    return _report(scope.path_scope(slug, g.user))


@bp.get("/reports/cohorts/<int:cohort_id>")
@api_login_required
def cohort_report_api(cohort_id: int):
    """A cohort's learners (its instructors and admins)."""
    return _report(scope.cohort_scope(cohort_id, g.user))
