"""Route-matrix entries: metrics and health (issue 20).

``/metrics`` is not a per-role page: it opens to a caller on loopback (the matrix's test
client is 127.0.0.1, so every role gets it) or with ``METRICS_TOKEN``; a remote caller
without the token gets 404 (tests/test_observability.py checks both).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import PUBLIC, _e

    yield _e("observability.scrape", "GET", PUBLIC)
