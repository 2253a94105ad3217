"""`make run`'s first-run steps on a fresh embedded instance: migrate, then seed demo content."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def _flask(instance: Path, *args: str) -> subprocess.CompletedProcess:
    # A fresh `make run` instance: the embedded defaults, whatever this suite runs on.
    scaled = ("DATABASE_URL", "CELERY_BROKER_URL", "S3_BUCKET", "S3_ENDPOINT_URL")
    env = {k: v for k, v in os.environ.items() if k not in scaled}
    env["LEARNSTREAM_INSTANCE"] = str(instance)
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "webapp", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fresh_instance_is_migrated_and_seeded_idempotently(tmp_path: Path) -> None:
    assert _flask(tmp_path, "db", "upgrade").returncode == 0
    first = _flask(tmp_path, "seed", "--seconds", "3")
    assert first.returncode == 0, first.stderr
    again = _flask(tmp_path, "seed", "--seconds", "3")
    assert again.returncode == 0, again.stderr
    db = sqlite3.connect(tmp_path / "learnstream.sqlite")
    users = sorted(r[0] for r in db.execute("SELECT role FROM users"))
    videos = db.execute("SELECT state, count(*) FROM videos GROUP BY state").fetchall()
    assert users == ["admin", "instructor", "learner", "learner"]  # the manager is a learner
    managers = db.execute(
        "SELECT u.email, o.slug FROM organisation_members m JOIN users u ON u.id = m.user_id"
        " JOIN organisations o ON o.id = m.organisation_id WHERE m.role = 'manager'"
    ).fetchall()
    assert managers == [("manager@example.com", "northwind")]
    assert db.execute("SELECT count(*) FROM assignments").fetchone() == (1,)
    programs = db.execute("SELECT slug FROM programs").fetchall()
    cohorts = db.execute("SELECT count(*) FROM cohorts").fetchone()
    classes = db.execute(
        "SELECT count(*), count(recording_id), sum(cohort_id IS NULL) FROM live_classes"
    ).fetchone()
    exams = db.execute("SELECT count(*) FROM exams").fetchone()
    engagement = [
        db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("quiz_questions", "questions", "answers", "exam_questions", "projects")
    ]
    db.close()
    assert engagement == [1, 1, 1, 3, 1]  # once, however often the seed runs
    assert videos == [("ready", 4)]
    assert programs == [("digital-marketing-associate",)]
    assert cohorts == (2,) and exams == (1,)
    assert classes == (3, 2, 1)  # past class + upcoming class + masterclass; two recordings
    media = list((tmp_path / "media" / "videos").rglob("master.m3u8"))
    assert len(media) == 4
