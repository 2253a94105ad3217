"""Instructor analytics pages: my videos, one video (with its clips), one clip."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.analytics import charts, queries
from webapp.analytics.modules import ModuleAnalytics, analyse
from webapp.timefmt import day_month

bp = Blueprint("analytics", __name__, static_folder="static", static_url_path="/analytics/static")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"frame": charts.FRAME}


def _watch_url(found: ModuleAnalytics, at: float) -> str:
    if found.clip is not None:
        return url_for("clips.watch", clip_id=found.clip.id, t=round(at, 1))
    return url_for("playback.watch", video_id=found.video.id, t=round(at, 1))


def _render(found: ModuleAnalytics, clips: list | None = None) -> str:
    drops = [(d.index, f"−{round(d.drop * 100)} pts") for d in found.drops]
    chart = charts.retention_chart([b.share for b in found.curve], found.duration, drops)
    watch_chart = charts.bar_chart(
        [day_month(d.day) for d in found.days], [round(d.seconds / 60, 1) for d in found.days]
    )
    return render_template(
        "analytics/module.html",
        found=found,
        chart=chart,
        watch_chart=watch_chart,
        clips=clips,
        drop_links=[_watch_url(found, d.at) for d in found.drops],
    )


@bp.get("/analytics")
@login_required
def index():
    """The caller's videos (an admin: everyone's) with views and viewers."""
    if not current_user.can_upload:
        abort(403, _("Analytics are for instructors and admins."))
    return render_template(
        "analytics/index.html",
        videos=queries.managed_videos(current_user),
        limit=queries.INDEX_LIMIT,
    )


@bp.get("/analytics/videos/<int:video_id>")
@login_required
def video(video_id: int):
    """A video's views, viewers, share watched, retention curve and drop-offs, and the
    same figures per clip."""
    found = queries.video_for_analytics(video_id, current_user)
    return _render(analyse(found), queries.clip_stats(found.id))


@bp.get("/analytics/clips/<int:clip_id>")
@login_required
def clip(clip_id: int):
    """A clip's analytics (times in seconds from the clip's start)."""
    found = queries.clip_for_analytics(clip_id, current_user)
    return _render(analyse(found.video, found))
