"""Route-matrix entries of the back office, one module per feature (issue 18).

``tests/support/route_matrix.py`` adds ``entries()`` to its table. Each module here has
an ``entries()`` generator built with ``route_matrix``'s ``_e``, policies and ``_at``;
they import ``route_matrix`` inside the function, which imports this package lazily.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tests.support.matrix_backoffice import (
    accounts,
    admin_home,
    people,
    sources,
    structure,
    teaching,
    videos,
)

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """Every back-office entry."""
    for module in (accounts, admin_home, people, sources, videos, structure, teaching):
        yield from module.entries()
