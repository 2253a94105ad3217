"""Calendar pages: the private feed, a class's "Add to calendar" file, the feed's reset,
and the browser's time zone saved on the profile."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from webapp.access import calendar_owner_or_404
from webapp.calendar import ics, queries, services
from webapp.calendar.services import CalendarError
from webapp.cohorts import queries as cohort_queries
from webapp.extensions import db, login_manager
from webapp.models import LiveClass, User
from webapp.models.base import utcnow

bp = Blueprint("calendar", __name__)

ICS = "text/calendar; charset=utf-8"


def _host() -> str:
    return request.host.split(":")[0] or "learnstream"


def _class_page(live_class: LiveClass) -> str:
    if live_class.cohort_id is None:
        return url_for("cohorts.masterclasses_page", _external=True)
    return url_for(
        "cohorts.cohort_page",
        cohort_id=live_class.cohort_id,
        _anchor=f"class-{live_class.id}",
        _external=True,
    )


def _ics(body: bytes, filename: str, attachment: bool) -> Response:
    disposition = "attachment" if attachment else "inline"
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Type": ICS,
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
            # The secret is in the URL: it must not leak through a Referer.
            "Referrer-Policy": "no-referrer",
        },
    )


def feed_url(user: User) -> str | None:
    """The user's private feed URL, or None while they have none."""
    if not user.calendar_secret:
        return None
    return url_for("calendar.feed", secret=user.calendar_secret, _external=True)


@bp.get("/calendar/<secret>.ics")
def feed(secret: str) -> Response:
    """The private feed: the classes and exams of the owner's cohorts (no sign-in; the
    secret in the URL is the permission)."""
    user = calendar_owner_or_404(secret)
    classes, exams = queries.feed_items(user)
    host = _host()
    events = [queries.class_event(c, _class_page(c), host) for c in classes]
    events += [
        queries.exam_event(
            exam, cohort, url_for("cohorts.cohort_page", cohort_id=cohort.id, _external=True), host
        )
        for exam, cohort in exams
    ]
    events += queries.due_events(
        user, lambda slug: url_for("learning.program", slug=slug, _external=True), host
    )
    events.sort(key=lambda e: (e.starts_at, e.uid))
    body = ics.calendar(events, f"Learnstream — {user.display_name}", utcnow())
    return _ics(body, "learnstream.ics", attachment=False)


@bp.get("/classes/<int:class_id>/calendar.ics")
def class_file(class_id: int) -> Response | BaseResponse:
    """ "Add to calendar": one class as an ``.ics`` file (masterclasses for anyone, cohort
    classes for their members and admins)."""
    live_class = db.session.get(LiveClass, class_id)
    if live_class is None:
        abort(404, "No such class.")
    if live_class.cohort_id is not None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        live_class, _role = cohort_queries.class_or_404(class_id, current_user)
    event = queries.class_event(live_class, _class_page(live_class), _host())
    body = ics.calendar([event], live_class.title, utcnow())
    return _ics(body, f"class-{live_class.id}.ics", attachment=True)


@bp.post("/account/calendar")
@login_required
def reset_feed() -> BaseResponse:
    """Create the private feed URL, or replace it (the old one answers 404 at once)."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    had = user.calendar_secret is not None
    services.reset_secret(user)
    db.session.commit()
    flash(
        _("Your calendar link was reset: the old link no longer works; subscribe with the new one.")
        if had
        else _("Your calendar link is ready: add it to your calendar app."),
        "success",
    )
    return redirect(url_for("people.profile", _anchor="calendar-heading"))


@bp.post("/account/time-zone")
@login_required
def save_zone() -> tuple[str, int]:
    """The browser's zone (form field ``zone``), saved unless the user chose one."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    try:
        changed = services.save_detected_zone(user, request.form.get("zone", ""))
    except CalendarError as exc:
        db.session.rollback()
        return str(exc), 400
    db.session.commit()
    return ("", 204) if not changed else ("", 205)
