"""Time zones: validate IANA names and render UTC instants in the viewer's zone.

There is no per-user zone column: the browser tells us its zone (``Intl`` → a ``tz``
cookie, or ``?tz=`` in the URL) and we fall back to the cohort's zone, then UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeGuard
from zoneinfo import ZoneInfo, available_timezones

from flask import Request

from webapp import timefmt
from webapp.models.base import as_utc
from webapp.timefmt import zone_abbreviation

COOKIE = "tz"
DEFAULT_ZONE = "UTC"
MAX_NAME = 64


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {DEFAULT_ZONE}


def is_valid_zone(name: object) -> TypeGuard[str]:
    """True for a known IANA zone name such as ``Europe/Berlin`` (never a file path)."""
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME and name in _known_zones()


def pick_zone(*candidates: str | None) -> str:
    """The first valid zone name among ``candidates``, else UTC."""
    return next((c for c in candidates if is_valid_zone(c)), DEFAULT_ZONE)


def requested_zone(request: Request) -> str | None:
    """The zone the viewer's browser asked for (``?tz=`` wins over the cookie), if valid."""
    for candidate in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if is_valid_zone(candidate):
            return candidate
    return None


def viewer_zone(request: Request, fallback: str | None = None) -> str:
    """The viewer's zone: browser zone, else ``fallback`` (the cohort's zone), else UTC."""
    return pick_zone(requested_zone(request), fallback)


@dataclass(frozen=True)
class LocalTime:
    """An instant shown in one zone."""

    utc: datetime
    local: datetime
    zone: str

    @property
    def abbreviation(self) -> str:
        """``CET``, ``EDT``… (or an offset such as ``+0530`` where none exists)."""
        return zone_abbreviation(self.utc, self.zone)

    @property
    def display(self) -> str:
        """``Wed 20 Jan 2027, 19:00 CET``."""
        return timefmt.moment(self.utc, self.zone)

    @property
    def time(self) -> str:
        """``19:00``."""
        return timefmt.time_of_day(self.utc, self.zone)


def localize(moment: datetime, zone: str) -> LocalTime:
    """``moment`` (UTC) in ``zone`` (validated; an unknown zone means UTC)."""
    utc = as_utc(moment)
    name = pick_zone(zone)
    return LocalTime(utc, utc.astimezone(ZoneInfo(name)), name)


def parse_local(text: str, zone: str) -> datetime:
    """``"2027-01-20 18:00"`` read as wall-clock time in ``zone`` → aware UTC datetime.

    Raises ValueError on a bad time or an unknown zone.
    """
    if not is_valid_zone(zone):
        raise ValueError(f"unknown time zone {zone!r} (use an IANA name like Europe/Berlin)")
    wall = datetime.fromisoformat(text.strip())
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=ZoneInfo(zone))
    return wall.astimezone(UTC)
