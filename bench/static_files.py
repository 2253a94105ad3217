"""A bare static-file WSGI app: the baseline ``bench.delivery`` serves the ladder with.

No framework, no session, no database: map the path to a file under
``BENCH_STATIC_ROOT`` and hand it to the server's ``wsgi.file_wrapper`` (sendfile under
gunicorn). Run as ``gunicorn bench.static_files:app``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from webapp.storage.content_types import content_type

ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", ".")).resolve()


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """GET a file under ``ROOT`` with its content type, or 404."""
    rel = environ.get("PATH_INFO", "").lstrip("/")
    path = ROOT / rel
    if ".." in rel.split("/") or not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response(
        "200 OK",
        [("Content-Type", content_type(rel)), ("Content-Length", str(path.stat().st_size))],
    )
    return environ["wsgi.file_wrapper"](open(path, "rb"), 256 * 1024)  # noqa: SIM115  (closed by the server)
