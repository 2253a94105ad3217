"""Library page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from webapp.library.queries import library_clips, ready_videos

bp = Blueprint("library", __name__)


@bp.get("/")
@login_required
def index():
    """READY videos with poster, title, duration and progress bar; on the first page, the
    newest clips as micro-lessons next to them."""
    page = request.args.get("page", 1, type=int)
    page = page if page and page > 0 else 1
    return render_template(
        "library/index.html",
        items=ready_videos(current_user, page),
        clips=library_clips(current_user) if page == 1 else [],
        page=page,
    )
