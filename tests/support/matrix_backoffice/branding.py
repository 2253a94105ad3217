"""Route-matrix entries: branding and themes (issue 22)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """The branding page (admins) and what every page loads from it (anyone)."""
    from tests.support.route_matrix import ADMIN, PUBLIC, _e  # noqa: PLC0415  (cycle)

    yield _e("branding.settings", "GET", ADMIN)
    yield _e("branding.settings", "POST", ADMIN, ok=400)  # no name: the form again
    yield _e("branding.stylesheet", "GET", PUBLIC)
    yield _e("branding.logo", "GET", PUBLIC)
    yield _e("branding.favicon", "GET", PUBLIC)
