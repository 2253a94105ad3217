"""How times read, everywhere on the server: pages (as Jinja filters), exports and e-mails.

Two kinds of time, each with one rule:

- A place on a video's timeline, or a video's length: :func:`clock`, ``m:ss`` under an
  hour and ``h:mm:ss`` from an hour up, whole seconds rounded down (``65:00`` never; the
  player's own formatter follows the same rule).
- An amount of time, such as video time in a course or time watched: :func:`duration`,
  ``45 s``, ``12 min``, ``2 h 05 min``.

Calendar dates and moments are written by Babel in the request's language
(``flask_babel.get_locale()``; English outside a request, or :data:`LOCALE`); a moment is shown in a
time zone the caller passes (the viewer's, where the code knows it), never the server's.
Machine-readable values (``<time datetime>``, CSV cells, API fields) stay ISO 8601 and do
not come here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, has_app_context
from flask_babel import get_locale

LOCALE = "en"  # outside a request, and where a request's language is unknown


def current_locale() -> str:
    """The request's language (``de``), else :data:`LOCALE`."""
    if not has_app_context() or "babel" not in current_app.extensions:
        return LOCALE  # a bare app (a unit test) without Flask-Babel
    locale = get_locale()
    return str(locale) if locale is not None else LOCALE


# The patterns, by kind; a language whose dates read otherwise (German writes the day
# with a full stop: "Mo., 5. Jan. 2026") has its own.
_PATTERNS = {
    "day": "EEE d MMM y",
    "long_day": "d MMMM y",
    "day_month": "dd MMM",
    "moment": "EEE dd MMM y, HH:mm",
}
_LANGUAGE_PATTERNS = {
    "de": {
        "day": "EEE, d. MMM y",
        "long_day": "d. MMMM y",
        "day_month": "dd. MMM",
        "moment": "EEE, dd. MMM y, HH:mm",
    },
}


def _pattern(kind: str, locale: str) -> str:
    return _LANGUAGE_PATTERNS.get(locale.split("_")[0], _PATTERNS)[kind]


def _whole_seconds(seconds: float | None) -> int:
    if seconds is None or not math.isfinite(seconds):
        return 0
    return max(0, math.floor(seconds))


def clock(seconds: float | None) -> str:
    """A timeline position or length: ``0:05``, ``1:05``, ``59:59``, ``1:05:00``."""
    whole = _whole_seconds(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(seconds: float | None) -> str:
    """An amount of time: ``45 s``, ``12 min`` (to the nearest minute), ``2 h 05 min``."""
    whole = max(0, round(seconds or 0))
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def day(value: date, locale: str | None = None) -> str:
    """A date with its weekday: ``Mon 5 Jan 2026``."""
    locale = locale or current_locale()
    return format_date(value, _pattern("day", locale), locale=locale)


def long_day(value: date, locale: str | None = None) -> str:
    """A date written out, as on a certificate: ``29 November 2026``."""
    locale = locale or current_locale()
    return format_date(value, _pattern("long_day", locale), locale=locale)


def day_month(value: date, locale: str | None = None) -> str:
    """A short chart label: ``05 Jan``."""
    locale = locale or current_locale()
    return format_date(value, _pattern("day_month", locale), locale=locale)


def in_zone(moment: datetime, zone: str) -> datetime:
    """``moment`` (aware, or naive meaning UTC) as wall-clock time in the IANA ``zone``."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone))


def zone_abbreviation(moment: datetime, zone: str) -> str:
    """``CET``, ``EDT``…, or an offset such as ``+0530`` where the zone has no letters."""
    return in_zone(moment, zone).tzname() or zone


def moment(value: datetime, zone: str, locale: str | None = None) -> str:
    """An instant in ``zone``: ``Wed 20 Jan 2027, 19:00 CET``."""
    local = in_zone(value, zone)
    locale = locale or current_locale()
    text = format_datetime(local, _pattern("moment", locale), tzinfo=local.tzinfo, locale=locale)
    return f"{text} {zone_abbreviation(value, zone)}"


def beside(value: datetime, zone: str, other: str, locale: str | None = None) -> str | None:
    """``value`` as it reads in ``other``, to show beside its reading in ``zone``: ``19:00
    CET``, with the date when the two days differ; None when both read the same."""
    if moment(value, zone, locale) == moment(value, other, locale):
        return None
    if in_zone(value, zone).date() == in_zone(value, other).date():
        return f"{time_of_day(value, other, locale)} {zone_abbreviation(value, other)}"
    return moment(value, other, locale)


def time_of_day(value: datetime, zone: str, locale: str | None = None) -> str:
    """The wall-clock time of an instant in ``zone``: ``19:00``."""
    local = in_zone(value, zone)
    locale = locale or current_locale()
    return format_datetime(local, "HH:mm", tzinfo=local.tzinfo, locale=locale)


FILTERS: dict[str, Callable[..., str]] = {
    "clock": clock,
    "duration": duration,
    "day": day,
    "long_day": long_day,
    "day_month": day_month,
}


def init_app(app: Flask) -> None:
    """Make the formatters Jinja filters: ``{{ module.duration | clock }}``."""
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
