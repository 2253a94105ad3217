"""Route-matrix entries: branding and themes (issue 22)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    yield from ()
