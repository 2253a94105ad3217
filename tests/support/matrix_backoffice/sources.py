"""Route-matrix entries: video sources (back office).

Uploading with details, replacing a recording (``/upload?replace=<id>``,
``replaces_video_id`` in ``POST /api/v1/uploads``) and ``flask videos import`` add no
route: ``uploads.index``, ``uploads.create`` and ``api.create_upload`` keep their
entries in ``tests/support/route_matrix.py`` (UPLOADER). Who may replace which video
(owner or admin; others 403, unseen 404) is checked in ``tests/test_video_replace.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """This feature's entries (no new routes)."""
    yield from ()
