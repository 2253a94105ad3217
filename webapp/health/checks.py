"""The individual readiness checks; each returns None when healthy or a reason."""

from __future__ import annotations

import shutil

from sqlalchemy import text

from webapp.celery_app import get_celery
from webapp.extensions import db
from webapp.storage import get_storage


def database() -> str | None:
    """A round trip to the database."""
    db.session.execute(text("SELECT 1"))
    return None


def storage() -> str | None:
    """The store is reachable and writable."""
    get_storage().check()
    return None


def queue() -> str | None:
    """The broker accepts a connection."""
    with get_celery().connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return None


def ffmpeg() -> str | None:
    """ffmpeg and ffprobe are on PATH."""
    missing = [tool for tool in ("ffmpeg", "ffprobe") if shutil.which(tool) is None]
    return f"not found: {', '.join(missing)}" if missing else None


CHECKS = {"database": database, "storage": storage, "queue": queue, "ffmpeg": ffmpeg}
