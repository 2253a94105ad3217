"""The admins' audit page: filter the security events, page through them newest first,
download the matches as CSV (the download is itself an event)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.access import can_see_audit_trail
from webapp.audit import services
from webapp.audit.events import Kind, Target
from webapp.audit.forms import AuditSearchForm
from webapp.audit.queries import AuditFilter, audit_page, every_match
from webapp.calendar.zones import current_zone
from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.models.base import as_utc, utcnow
from webapp.reports.csv_export import safe_cell
from webapp.timefmt import moment

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

FILTER_ARGS = ("kind", "actor", "target", "address", "since", "until")
MAX_PAGE = 100_000
CSV_HEADER = (
    "Time (UTC)",
    "Event",
    "Outcome",
    "Actor id",
    "Actor e-mail",
    "Target type",
    "Target id",
    "Target",
    "Client address",
    "Detail",
)


def _admins_only() -> None:
    if not can_see_audit_trail(current_user):
        abort(403, _("The audit trail is for admins."))


def _search() -> tuple[AuditSearchForm, AuditFilter | None]:
    """The form over the query string, and the filter (None when the form is refused)."""
    form = AuditSearchForm(request.args)
    if not form.validate():
        return form, None
    page = request.args.get("page", "1")
    wanted = AuditFilter(
        kind=form.kind.data or "",
        actor=form.actor.data or "",
        target=form.target.data or "",
        address=form.address.data or "",
        since=form.since.data,
        until=form.until.data,
        page=int(page) if page.isdigit() and 0 < int(page) < MAX_PAGE else 1,
        per_page=current_app.config["AUDIT_PAGE_SIZE"],
    )
    return form, wanted


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """The events matching the filters, newest first, one page at a time."""
    _admins_only()
    form, wanted = _search()
    result = audit_page(wanted) if wanted is not None else None
    html = render_template(
        "audit/index.html",
        form=form,
        result=result,
        args=_args(),
        when=lambda value: moment(value, current_zone()),
    )
    return html, 200 if wanted is not None else 400


def _cells(event: AuditEvent) -> list[object]:
    detail = ", ".join(f"{k}={v}" for k, v in sorted((event.detail or {}).items()))
    values = (
        as_utc(event.at).isoformat(),
        event.kind,
        event.outcome,
        event.actor_id,
        event.actor_email,
        event.target_type,
        event.target_id,
        event.target_label,
        event.address,
        detail,
    )
    return [safe_cell(v) for v in values]


def _csv_lines(wanted: AuditFilter) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(CSV_HEADER)
    for number, event in enumerate(every_match(wanted), 1):
        writer.writerow(_cells(event))
        if number % 200 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@bp.get("/export.csv")
@login_required
def export_csv() -> Any:
    """Every event matching the filters as CSV; the download is recorded first."""
    _admins_only()
    form, wanted = _search()
    if wanted is None:
        return index()
    services.record(
        Kind.EXPORTED,
        target=Target("audit_trail", None, "audit trail"),
        detail={"format": "csv", "filters": _args()},
    )
    db.session.commit()
    day = utcnow().date().isoformat()
    return Response(
        stream_with_context(_csv_lines(wanted)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{day}.csv"',
            "Cache-Control": "no-store",
        },
    )
