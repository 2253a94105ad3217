"""Time zones: validate IANA names and render UTC instants in the viewer's zone.

The viewer's zone, first found: ``?tz=`` in the URL, the signed-in user's profile zone
(chosen there, or detected by ``webapp/static/js/zone.js`` and saved), the ``tz`` cookie
that script sets for everyone (anonymous viewers included), the cohort's zone, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeGuard
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from flask import Request
from flask_login import current_user

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


def cookie_zone(request: Request) -> str | None:
    """The browser's zone from the ``tz`` cookie, if valid.

    Zone names are cookie-safe and the script stores them as they are; older cookies were
    percent-encoded (``Europe%2FBerlin``), so those are decoded too.
    """
    raw = request.cookies.get(COOKIE)
    candidate = unquote(raw) if raw else None
    return candidate if is_valid_zone(candidate) else None


def _profile_zone() -> str | None:
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    zone = getattr(user, "time_zone", None)
    return zone if is_valid_zone(zone) else None


def zone_and_source(request: Request, fallback: str | None = None) -> tuple[str, str]:
    """The viewer's zone and where it came from: ``link`` (``?tz=``), ``profile``,
    ``browser`` (the cookie), ``cohort`` (``fallback``) or ``default`` (UTC)."""
    link = request.args.get(COOKIE)
    for source, candidate in (
        ("link", link),
        ("profile", _profile_zone()),
        ("browser", cookie_zone(request)),
        ("cohort", fallback),
    ):
        if is_valid_zone(candidate):
            return candidate, source
    return DEFAULT_ZONE, "default"


def requested_zone(request: Request) -> str | None:
    """The zone the viewer asked for (``?tz=``, the profile, the browser's cookie), if any."""
    zone, source = zone_and_source(request)
    return zone if source != "default" else None


def viewer_zone(request: Request, fallback: str | None = None) -> str:
    """The viewer's zone: requested zone, else ``fallback`` (the cohort's zone), else UTC."""
    return zone_and_source(request, fallback)[0]


@dataclass(frozen=True)
class LocalTime:
    """An instant shown in one zone."""

    utc: datetime
    local: datetime
    zone: str
    other_zone: str | None = None  # the cohort's zone, shown beside when it reads otherwise

    @property
    def abbreviation(self) -> str:
        """``CET``, ``EDT``… (or an offset such as ``+0530`` where none exists)."""
        return zone_abbreviation(self.utc, self.zone)

    @property
    def display(self) -> str:
        """``Wed 20 Jan 2027, 19:00 CET``."""
        return timefmt.moment(self.utc, self.zone)

    @property
    def beside(self) -> str | None:
        """The instant in ``other_zone`` (``19:00 CET``) when that reads differently."""
        if not self.other_zone or not is_valid_zone(self.other_zone):
            return None
        return timefmt.beside(self.utc, self.zone, self.other_zone)

    @property
    def time(self) -> str:
        """``19:00``."""
        return timefmt.time_of_day(self.utc, self.zone)


def localize(moment: datetime, zone: str, other_zone: str | None = None) -> LocalTime:
    """``moment`` (UTC) in ``zone`` (validated; an unknown zone means UTC), with
    ``other_zone`` (the cohort's) to show beside it."""
    utc = as_utc(moment)
    name = pick_zone(zone)
    return LocalTime(utc, utc.astimezone(ZoneInfo(name)), name, other_zone)


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
