"""Library page: browse, filter, search and page the catalogue's modules."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.catalogue.forgiving import highlight
from webapp.catalogue.queries import DURATION_BUCKETS, Sort
from webapp.library.queries import early_previews, library_page
from webapp.models import Level

bp = Blueprint("library", __name__)


@bp.get("/")
@login_required
def index():
    """Whole recordings and clips as micro-lessons: by topic, level and duration, searched,
    sorted by best match, newest or most popular, paginated, each with the learner's
    progress and the searched words marked; on the unfiltered first page, recordings
    still processing that can already be watched."""
    result = library_page(current_user, request.args)
    terms = result.terms
    unfiltered_first_page = not result.filters.is_filtered and result.page == 1
    return render_template(
        "library/index.html",
        result=result,
        previews=early_previews(current_user) if unfiltered_first_page else [],
        filters=result.filters,
        levels=list(Level),
        durations=DURATION_BUCKETS,
        sorts={
            Sort.RELEVANCE.value: _("Best match"),
            Sort.NEWEST.value: _("Newest"),
            Sort.POPULAR.value: _("Most popular"),
        },
        mark=lambda text: highlight(text, terms),
    )
