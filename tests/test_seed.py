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
    first = _flask(tmp_path, "seed", "--short")
    assert first.returncode == 0, first.stderr
    again = _flask(tmp_path, "seed", "--short")
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
    programs = db.execute(
        "SELECT title, fee_cents, currency, length_weeks FROM programs ORDER BY fee_cents DESC"
    ).fetchall()
    cohorts = db.execute("SELECT count(*), sum(starts_on > date('now')) FROM cohorts").fetchone()
    classes = db.execute(
        "SELECT count(*), count(recording_id), sum(cohort_id IS NULL) FROM live_classes"
    ).fetchone()
    missed = db.execute(
        "SELECT c.title, v.state FROM attendance a JOIN users u ON u.id = a.user_id"
        " JOIN live_classes c ON c.id = a.class_id JOIN videos v ON v.id = c.recording_id"
        " WHERE u.email = 'learner@example.com' AND NOT a.present"
    ).fetchall()
    exams = db.execute("SELECT count(*) FROM exams").fetchone()
    empty_topics = db.execute(
        "SELECT t.name FROM topics t WHERE NOT EXISTS"
        " (SELECT 1 FROM modules m WHERE m.topic_id = t.id AND m.listed)"
    ).fetchall()
    courses = db.execute("SELECT level FROM courses ORDER BY id").fetchall()
    captioned = db.execute("SELECT count(DISTINCT video_id) FROM caption_cues").fetchone()
    chaptered = db.execute("SELECT count(DISTINCT video_id) FROM chapters").fetchone()
    engagement = [
        db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("quiz_questions", "questions", "answers", "exam_questions", "projects")
    ]
    db.close()
    assert engagement == [1, 1, 1, 3, 1]  # once, however often the seed runs
    assert videos == [("ready", 8)]  # seven lectures and a class recording
    assert programs == [
        ("Post Graduate Program in Digital Marketing", 300000, "USD", 35),
        ("Digital Marketing Specialist", 164900, "USD", 35),
    ]
    assert cohorts == (5, 4)  # the learner's running cohort and four upcoming ones
    assert courses == [("foundation",), ("intermediate",), ("advanced",)]
    assert empty_topics == []
    assert missed == [("Live class 1: keyword research", "ready")]
    assert exams == (1,)
    # missed + upcoming cohort class, three upcoming masterclasses and a past one;
    # recordings: the missed class's and the past masterclass's
    assert classes == (6, 2, 4)
    assert captioned == (8,) and chaptered == (8,)
    media = list((tmp_path / "media" / "videos").rglob("master.m3u8"))
    assert len(media) == 8
