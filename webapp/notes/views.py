"""The "My notes" page and its Markdown and PDF exports (``?course=<id>`` narrows all
three to one course)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.models.base import utcnow
from webapp.notes import export, queries
from webapp.notes.queries import NoteGroup

bp = Blueprint("notes", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "start_second": export.start_second,
        "kind_label": export.kind_label,
    }


def watch_link(video_id: int, seconds: float) -> str:
    """The absolute watch page URL that starts at ``seconds`` (the printed timestamp)."""
    return url_for(
        "playback.watch", video_id=video_id, t=export.start_second(seconds), _external=True
    )


def _course_filter() -> tuple[int | None, str | None]:
    """``?course=<id>`` as (id, title); (None, None) without it; 404 for no such course."""
    raw = request.args.get("course", "").strip()
    if not raw:
        return None, None
    title = queries.course_title(int(raw)) if raw.isdecimal() and len(raw) < 10 else None
    if title is None:
        abort(404, "No such course.")
    return int(raw), title


def _groups() -> tuple[list[NoteGroup], int | None, str | None]:
    course_id, title = _course_filter()
    return queries.grouped_notes(current_user.id, course_id), course_id, title


def _download(body: bytes | str, content_type: str, extension: str, course_id: int | None):
    response: Response = make_response(body)
    name = f"my-notes-course-{course_id}" if course_id is not None else "my-notes"
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _heading(title: str | None) -> str:
    return _("My notes: %(title)s", title=title) if title else _("My notes")


@bp.get("/notes")
@login_required
def index():
    """Every note and bookmark of the learner, by course and video."""
    course_id, title = _course_filter()
    everything = queries.grouped_notes(current_user.id)
    groups = [g for g in everything if course_id is None or g.course_id == course_id]
    return render_template(
        "notes/index.html",
        groups=groups,
        course_id=course_id,
        course_title=title,
        courses=[g for g in everything if g.course_id is not None],
        export_args={"course": course_id} if course_id is not None else {},
    )


@bp.get("/notes/export.md")
@login_required
def export_markdown():
    """The notes as a Markdown download."""
    groups, course_id, title = _groups()
    text = export.markdown(groups, watch_link, _heading(title))
    return _download(text.encode(), "text/markdown; charset=utf-8", "md", course_id)


@bp.get("/notes/export.pdf")
@login_required
def export_pdf():
    """The notes as a PDF download, to print."""
    groups, course_id, title = _groups()
    now = utcnow()
    exported = _("exported %(when)s UTC", when=f"{now:%Y-%m-%d %H:%M}")
    subtitle = f"{current_user.display_name} · {exported}"
    data = export.pdf(groups, watch_link, now, _heading(title), subtitle)
    return _download(data, "application/pdf", "pdf", course_id)
