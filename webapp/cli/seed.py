"""``flask seed``: demo accounts, the demo lectures (voiced slides, transcoded by the real
pipeline, with captions and chapters) and the catalogue built from them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

import config
from webapp.auth.services import create_user, find_user
from webapp.captions.services import store_caption
from webapp.cli.demo_catalogue import CLASS_RECORDING as RECORDING_LESSON
from webapp.cli.demo_catalogue import LESSONS, DemoLesson
from webapp.cli.demo_media import brief, build_lecture
from webapp.cli.seed_engagement import ensure_demo_engagement
from webapp.cli.seed_learning import ensure_demo_learning, ensure_demo_organisation
from webapp.clips.services import create_chapter
from webapp.extensions import db
from webapp.models import Caption, Chapter, User, Video
from webapp.transcoding.runner import run_job
from webapp.uploads.services import ingest

# (email, password, role, name) — printed by `make run`; for local demos only.
DEMO_USERS = [
    ("learner@example.com", "learner-demo", "learner", "Lea Learner"),
    ("instructor@example.com", "instructor-demo", "instructor", "Ivan Instructor"),
    ("admin@example.com", "admin-demo", "admin", "Ada Admin"),
    # The manager of the demo organisation (a learner account with the manager role there).
    ("manager@example.com", "manager-demo", "learner", "Mona Manager"),
]
DEMO_MANAGER = DEMO_USERS[3][0]

# (title, description) of the catalogue's lectures, in order, and of the recording of the
# learner's missed live class.
DEMO_LESSONS = [(lesson.title, lesson.description) for lesson in LESSONS]
CLASS_RECORDING = (RECORDING_LESSON.title, RECORDING_LESSON.description)
# Two at a time: one transcode leaves the second core mostly idle at this small size.
PARALLEL = 2


def ensure_demo_users() -> None:
    """Create the demo accounts that do not exist yet."""
    for email, password, role, name in DEMO_USERS:
        if find_user(email) is None:
            create_user(email, password, role, name)
    db.session.commit()


def ensure_demo_lessons(short: bool = False) -> None:
    """Render, ingest and transcode each demo lecture that is not there yet, then give
    it its captions and chapters. ``short``: each lecture cut to a few seconds."""
    owner = find_user(DEMO_USERS[1][0])
    assert owner is not None  # ensure_demo_users ran first
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = Path(app.instance_path) / "demo-media"
    missing = [
        lesson
        for lesson in (*LESSONS, RECORDING_LESSON)
        if db.session.scalar(select(Video.id).where(Video.title == lesson.title)) is None
    ]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = [
            pool.submit(_make_lesson, app, lesson, owner.id, cache, short) for lesson in missing
        ]
        for lesson, future in zip(missing, futures, strict=True):
            click.echo(f"  {lesson.title}: {future.result()}", err=True)


def _make_lesson(app: Flask, lesson: DemoLesson, owner_id: int, cache: Path, short: bool) -> str:
    """One lecture, start to finish, in its own app context (a thread of its own)."""
    with app.app_context():
        built = build_lecture(brief(lesson.lecture) if short else lesson.lecture, cache)
        owner = db.session.get_one(User, owner_id)
        video, job = ingest(built.video, title=lesson.title, owner=owner, filename="lecture.mp4")
        video.description = lesson.description
        db.session.commit()
        state = run_job(job.id) or "not transcoded"
        video = db.session.get_one(Video, video.id)
        db.session.refresh(owner)  # expired by the commits: load it before the caption is added
        if video.is_ready and not _has(Caption, video) and not _has(Chapter, video):
            store_caption(video, owner, "en", "English", built.vtt.encode(), "captions.vtt")
            for title, start in built.chapters:
                create_chapter(video, {"title": title, "start": start})
            db.session.commit()
        return state


def _has(model: type[Caption] | type[Chapter], video: Video) -> bool:
    return db.session.scalar(select(model.id).where(model.video_id == video.id)) is not None


@click.command("seed")
@click.option(
    "--short",
    is_flag=True,
    help="Cut each demo lecture to a few seconds (tests; the catalogue is the same).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Seed even in production mode (demo accounts with published passwords).",
)
def seed(short: bool, demo: bool) -> None:
    """Seed demo accounts, lectures and the catalogue (idempotent); development installs only."""
    if config.is_production(current_app.config) and not demo:
        raise click.ClickException(
            "This is a production install (LEARNSTREAM_ENV=production): `seed` would create "
            "demo accounts whose passwords are published (admin@example.com / admin-demo). "
            "Create real accounts with `flask --app webapp users create`; add --demo only "
            "for a throwaway demo site."
        )
    click.echo("Seeding demo accounts with published passwords (local development only):", err=True)
    ensure_demo_users()
    ensure_demo_lessons(short)
    ensure_demo_learning(
        [lesson[0] for lesson in DEMO_LESSONS],
        CLASS_RECORDING[0],
        learner_email=DEMO_USERS[0][0],
        teacher_email=DEMO_USERS[1][0],
    )
    ensure_demo_organisation(manager_email=DEMO_MANAGER, learner_email=DEMO_USERS[0][0])
    ensure_demo_engagement(
        DEMO_LESSONS[1][0], learner_email=DEMO_USERS[0][0], teacher_email=DEMO_USERS[1][0]
    )
    click.echo("demo content ready", err=True)
