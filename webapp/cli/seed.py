"""``flask seed``: demo accounts and a few short, already-transcoded demo lessons."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

import config
from transcoder.synth import generate
from webapp.auth.services import create_user, find_user
from webapp.cli.seed_engagement import ensure_demo_engagement
from webapp.cli.seed_learning import ensure_demo_learning, ensure_demo_organisation
from webapp.extensions import db
from webapp.models import Video
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

# (title, description, test pattern, tone Hz)
DEMO_LESSONS = [
    (
        "SEO Fundamentals: How Search Engines Rank Pages",
        "Digital Marketing · foundation. Crawling, indexing and ranking in five ideas.",
        "testsrc2",
        440,
    ),
    (
        "Reading a Confusion Matrix",
        "Data Science · foundation. Precision, recall and why accuracy misleads.",
        "smptehdbars",
        523,
    ),
    (
        "Building Your First Conversion Funnel Report",
        "Digital Marketing · intermediate. From sessions to sign-ups in Google Analytics.",
        "mandelbrot",
        659,
    ),
]
# The recording of the demo cohort's past live class (private to that cohort).
CLASS_RECORDING = (
    "Week 1 live class: how search works",
    "Recording of the Spring cohort's first live class.",
    "rgbtestsrc",
    392,
)


def ensure_demo_users() -> None:
    """Create the demo accounts that do not exist yet."""
    for email, password, role, name in DEMO_USERS:
        if find_user(email) is None:
            create_user(email, password, role, name)
    db.session.commit()


def ensure_demo_lessons(seconds: float) -> None:
    """Generate, ingest and transcode each demo lesson that is not there yet."""
    owner = find_user(DEMO_USERS[1][0])
    assert owner is not None  # ensure_demo_users ran first
    for title, description, pattern, tone in (*DEMO_LESSONS, CLASS_RECORDING):
        if db.session.scalar(select(Video.id).where(Video.title == title)) is not None:
            continue
        click.echo(f"  generating “{title}”…", err=True)
        with tempfile.TemporaryDirectory() as tmp:
            path = generate(
                Path(tmp) / "lesson.mp4",
                seconds=seconds,
                width=854,
                height=480,
                fps=25,
                pattern=pattern,
                tone_hz=tone,
                title=title,
            )
            video, job = ingest(path, title=title, owner=owner, filename="lesson.mp4")
            video.description = description
            db.session.commit()
        state = run_job(job.id)
        click.echo(f"  {title}: {state}", err=True)


@click.command("seed")
@click.option("--seconds", default=30.0, show_default=True, help="Length of each demo lesson.")
@click.option(
    "--demo",
    is_flag=True,
    help="Seed even in production mode (demo accounts with published passwords).",
)
def seed(seconds: float, demo: bool) -> None:
    """Seed demo accounts and lessons (idempotent); development installs only."""
    if config.is_production(current_app.config) and not demo:
        raise click.ClickException(
            "This is a production install (LEARNSTREAM_ENV=production): `seed` would create "
            "demo accounts whose passwords are published (admin@example.com / admin-demo). "
            "Create real accounts with `flask --app webapp users create`; add --demo only "
            "for a throwaway demo site."
        )
    click.echo("Seeding demo accounts with published passwords (local development only):", err=True)
    ensure_demo_users()
    ensure_demo_lessons(seconds)
    ensure_demo_learning(
        [lesson[0] for lesson in DEMO_LESSONS],
        CLASS_RECORDING[0],
        learner_email=DEMO_USERS[0][0],
        teacher_email=DEMO_USERS[1][0],
    )
    ensure_demo_organisation(manager_email=DEMO_MANAGER, learner_email=DEMO_USERS[0][0])
    ensure_demo_engagement(
        DEMO_LESSONS[0][0], learner_email=DEMO_USERS[0][0], teacher_email=DEMO_USERS[1][0]
    )
    click.echo("demo content ready", err=True)
