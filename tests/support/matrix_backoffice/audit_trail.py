"""Route-matrix entries: the audit trail (issue 20)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """The audit page and its CSV download: admins only."""
    from tests.support.route_matrix import ADMIN, _e  # noqa: PLC0415  (cycle)

    yield _e("audit.index", "GET", ADMIN)
    yield _e("audit.export_csv", "GET", ADMIN)
