"""Every page's dates and times in the viewer's zone: the Jinja helpers ``local_time``
and ``local_day``, written by ``webapp.timefmt`` in the zone ``webapp.cohorts.timezones``
picks for this request."""

from __future__ import annotations

from datetime import date, datetime

from flask import g, has_request_context, request
from markupsafe import Markup, escape

from webapp import timefmt
from webapp.cohorts.timezones import DEFAULT_ZONE, localize, zone_and_source


def current_zone() -> str:
    """The viewer's zone for this request (UTC outside a request)."""
    if not has_request_context():
        return DEFAULT_ZONE
    cached = g.get("viewer_zone")
    if cached is None:
        cached = zone_and_source(request)[0]
        g.viewer_zone = cached
    return cached


def time_element(moment: datetime, zone: str, other_zone: str | None = None) -> Markup:
    """``<time>`` with the instant in ``zone``, zone named, and ``other_zone`` beside it
    when it reads differently (a cohort's zone)."""
    shown = localize(moment, zone)
    html = (
        f'<time datetime="{escape(shown.utc.isoformat())}" title="{escape(shown.zone)}">'
        f"{escape(shown.display)}</time>"
    )
    beside = timefmt.beside(moment, zone, other_zone) if other_zone else None
    if beside:
        html += f' <span class="tz-other">({escape(beside)}, {escape(other_zone)})</span>'
    return Markup(html)


def local_time(moment: datetime | None, other_zone: str | None = None) -> Markup:
    """Jinja: ``{{ local_time(video.created_at) }}`` in the viewer's zone."""
    if moment is None:
        return Markup("—")
    return time_element(moment, current_zone(), other_zone)


def local_day(moment: datetime | date | None) -> str:
    """Jinja: the calendar day of an instant in the viewer's zone (``Mon 5 Jan 2026``)."""
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):
        return timefmt.day(moment)
    return timefmt.day(timefmt.in_zone(moment, current_zone()).date())


def template_helpers() -> dict[str, object]:
    """What every template gets: the helpers and the viewer's zone."""
    return {"local_time": local_time, "local_day": local_day, "viewer_zone": current_zone}
