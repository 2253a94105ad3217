"""Route-matrix entries: audiences (issue 19)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """A module's audience page, on the public module and cohort A's private one: its
    recording's managers; the POST names an audience nobody may set (400 once through),
    so the shared world keeps its audiences."""
    from tests.support.route_matrix import MANAGE, OBJECTS, TARGETS, _at, _e

    for which in TARGETS:
        module = _at(module_id=OBJECTS[which]["module_id"])
        manage = MANAGE[which]
        yield _e("audiences.edit", "GET", manage, module, variant=which)
        yield _e(
            "audiences.edit",
            "POST",
            manage,
            module,
            ok=400,
            form=lambda w: {"audience": "nobody"},
            variant=which,
        )
