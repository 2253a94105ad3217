"""Transcode jobs as the job tests start them: ingested and queued, not yet sent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask

from webapp.extensions import db
from webapp.models import User
from webapp.uploads.services import ingest

FIVE_MIN = timedelta(minutes=5)  # the heartbeat timeout the job tests claim with


def queued_job(app: Flask, owner_id: int, source: Path, title: str = "Lesson") -> tuple[int, int]:
    """Ingest ``source`` for ``owner_id``: ``(video_id, job_id)`` of a queued job."""
    with app.app_context():
        video, job = ingest(source, title=title, owner=db.session.get(User, owner_id))
        db.session.commit()
        return video.id, job.id
