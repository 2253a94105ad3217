"""Factories that create rows through the same service functions the app uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask

from transcoder.pipeline import TranscodeResult
from webapp import jobs
from webapp.auth.services import create_user as create_account
from webapp.catalogue import services as catalogue
from webapp.extensions import db
from webapp.models import Cohort, LiveClass, Program, Video, VideoState
from webapp.storage import get_storage
from webapp.transcoding.publish import upload_outputs, version_prefix
from webapp.transcoding.runner import record_result

PASSWORD = "correct-horse-1"
_counter = itertools.count(1)


@dataclass(frozen=True)
class UserInfo:
    """Plain values, so tests never hold ORM objects across app contexts."""

    id: int
    email: str
    password: str
    role: str


def create_user(app: Flask, role: str = "learner", email: str | None = None) -> UserInfo:
    """A committed account with the shared test password."""
    email = email or f"{role}{next(_counter)}@example.com"
    with app.app_context():
        user = create_account(email, PASSWORD, role)
        db.session.commit()
        return UserInfo(user.id, user.email, PASSWORD, user.role)


def publish_ready_video(
    app: Flask, owner_id: int, title: str, out_dir: Path, result: TranscodeResult
) -> int:
    """A READY video published through the real claim → upload → complete path."""
    with app.app_context():
        video = Video(title=title, owner_id=owner_id, state=VideoState.UPLOADED.value)
        db.session.add(video)
        db.session.flush()
        job = jobs.create_job(video)
        jobs.claim(job.id, timedelta(minutes=5))
        db.session.commit()
        prefix = version_prefix(video.id, job.id, 1)
        upload_outputs(get_storage(), out_dir, list(result.files), prefix)
        record_result(job.id, prefix, result)
        db.session.commit()
        return video.id


def add_cohort_recording(video_id: int, slug: str, starts_at: datetime) -> Cohort:
    """Inside an app context: a program with one cohort whose class ``starts_at`` has
    ``video_id`` as its (cohort-private) recording. Flushes; the caller commits."""
    program = Program(title=slug, slug=slug)
    db.session.add(program)
    db.session.flush()
    cohort = Cohort(program_id=program.id, name="A", starts_on=starts_at.date())
    db.session.add(cohort)
    db.session.flush()
    db.session.add(
        LiveClass(
            cohort_id=cohort.id,
            title="Week 1",
            starts_at=starts_at,
            duration_minutes=60,
            recording_id=video_id,
        )
    )
    db.session.flush()
    return cohort


def listed_video(app: Flask, owner_id: int, title: str, duration: float = 600.0) -> int:
    """A READY video row with its catalogue module (no ladder: enough to be listed,
    searched or annotated, not to be played)."""
    with app.app_context():
        video = Video(
            title=title,
            owner_id=owner_id,
            state=VideoState.READY.value,
            duration=duration,
            hls_prefix=f"videos/test/{title}",
        )
        db.session.add(video)
        db.session.flush()
        catalogue.sync_video_module(video)
        db.session.commit()
        return video.id


def bearer_headers(app: Flask, user: UserInfo) -> dict[str, str]:
    """An ``Authorization`` header with a new API token of ``user`` (POST /api/v1/tokens)."""
    response = app.test_client().post(
        "/api/v1/tokens", json={"email": user.email, "password": user.password}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
