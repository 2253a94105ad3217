"""The admin home (site figures, running and failed jobs with a retry) and the outbox
of the default mail backend. Admins only: everyone else gets 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import can_retry_job, can_see_admin_home
from webapp.admin import messages, queries, services
from webapp.calendar.zones import current_zone
from webapp.extensions import db
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.timefmt import moment

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The HTML part of a message, framed by its outbox page: no script, no plugin, no fetch
# (images inline as data: only), an opaque origin (``sandbox``), framed by our pages only.
# Inline styles are allowed: e-mail HTML is styled inline, and the app's own policy
# (inherited by a ``srcdoc`` frame) would block them.
MESSAGE_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "sandbox; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

JOB_NOUNS = {"transcode": _l("Transcode"), "clip_export": _l("Clip export")}


UNITS = ("bytes", "KB", "MB", "GB", "TB")


def size(count: int) -> str:
    """Bytes for people: ``1.5 GB`` (powers of 1024), ``0 bytes``."""
    value, unit = float(count), 0
    while value >= 1024 and unit < len(UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{count} bytes" if unit == 0 else f"{value:.1f} {UNITS[unit]}"


def when(value: datetime) -> str:
    """A moment in the viewer's time zone (``webapp.calendar.zones``)."""
    return moment(value, current_zone())


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"size": size, "when": when}


def _admins_only() -> None:
    if not can_see_admin_home(current_user):
        abort(403, _("The admin pages are for admins."))


@bp.get("")
@login_required
def home() -> str:
    """Figures at a glance, the jobs that need attention, invitations and sign-ups."""
    _admins_only()
    return render_template("admin/home.html", overview=queries.overview(), job_nouns=JOB_NOUNS)


@bp.post("/jobs/<kind>/<int:job_id>/retry")
@login_required
def retry_job(kind: str, job_id: int) -> Response:
    """Send a failed job back to the queue (CSRF-checked form of the admin home)."""
    if not can_retry_job(current_user):
        abort(403, _("Only admins may retry jobs."))
    try:
        services.retry_job(kind, job_id)
    except services.UnknownJob as exc:
        abort(404, str(exc))
    except services.AdminError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.home"))
    db.session.commit()
    noun = JOB_NOUNS.get(kind, _("Job"))
    if services.send(kind, job_id):
        flash(_("%(noun)s job %(id)s is queued again.", noun=noun, id=job_id), "success")
    else:
        flash(
            _(
                "%(noun)s job %(id)s is queued; the queue is unreachable, it will be sent later.",
                noun=noun,
                id=job_id,
            )
        )
    return redirect(url_for("admin.home"))


@bp.get("/outbox")
@login_required
def outbox() -> str:
    """The messages the default mail backend wrote, newest first."""
    _admins_only()
    found, total = messages.summaries()
    return render_template(
        "admin/outbox.html", messages=found, total=total, mail_server=messages.mail_server()
    )


@bp.get("/outbox/<message_id>")
@login_required
def outbox_message(message_id: str) -> str:
    """One message: headers, the text part (links clickable), the HTML part sandboxed."""
    _admins_only()
    shown = messages.show(message_id)
    if shown is None:
        abort(404, _("No such message in the outbox."))
    return render_template("admin/message.html", message=shown, text=messages.linkify(shown.text))


@bp.get("/outbox/<message_id>/html")
@login_required
def outbox_html(message_id: str) -> Response:
    """The HTML part of a message, for the sandboxed frame of its page (own strict CSP)."""
    _admins_only()
    shown = messages.show(message_id)
    if shown is None or shown.html is None:
        abort(404, _("No such message in the outbox, or it has no HTML part."))
    response = Response(shown.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MESSAGE_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
