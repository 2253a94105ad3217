"""``flask videos import`` of a folder or a CSV manifest: one progress bar, a report row
by row, and a second run that skips what is already imported (by checksum)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from tests.support import factories
from transcoder.synth import generate
from webapp.catalogue.services import add_topic
from webapp.extensions import db
from webapp.models import Video


@pytest.fixture(scope="module")
def other_clip(media_dir: Path) -> Path:
    """A second recording, different from the sample."""
    return generate(media_dir / "other.mp4", seconds=1.0, width=320, height=180, fps=25)


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["videos", "import", *args])


def _videos(app: Flask) -> list[Video]:
    with app.app_context():
        found = list(db.session.scalars(select(Video).order_by(Video.id)))
        for video in found:
            db.session.expunge(video)
        return found


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Video.id))) or 0


def test_folder_imports_each_recording_then_skips_them(
    app: Flask, make_user, tmp_path: Path, sample_clip: Path, other_clip: Path
) -> None:
    make_user("instructor")
    shutil.copy(sample_clip, tmp_path / "Week 1.mp4")
    shutil.copy(other_clip, tmp_path / "week 2.MP4")
    (tmp_path / "notes.txt").write_text("not a recording")

    first = _run(app, str(tmp_path))
    assert first.exit_code == 0, first.output
    assert "2 imported, 0 skipped, 0 refused" in first.output
    videos = _videos(app)
    assert [v.title for v in videos] == ["Week 1", "week 2"]
    expected = hashlib.sha256(sample_clip.read_bytes()).hexdigest()
    assert videos[0].source_sha256 == expected

    again = _run(app, str(tmp_path))
    assert again.exit_code == 0, again.output
    assert "0 imported, 2 skipped, 0 refused" in again.output
    assert f"already imported as video {videos[0].id}" in again.output
    assert _count(app) == 2


def test_folder_refuses_symbolic_links(
    app: Flask, make_user, tmp_path: Path, sample_clip: Path
) -> None:
    make_user("instructor")
    (tmp_path / "link.mp4").symlink_to(sample_clip)
    result = _run(app, str(tmp_path))
    assert result.exit_code == 1
    assert "refused  link.mp4: is a symbolic link" in result.output
    assert _count(app) == 0


def test_manifest_imports_its_rows_with_details_and_reports_bad_rows(
    app: Flask, make_user, tmp_path: Path, sample_clip: Path, other_clip: Path
) -> None:
    make_user("instructor")
    teacher = make_user("instructor", "teacher@example.com")
    learner = make_user("learner")
    with app.app_context():
        add_topic("Statistics")
        db.session.commit()
    folder = tmp_path / "course"
    (folder / "media").mkdir(parents=True)
    shutil.copy(sample_clip, folder / "media" / "intro.mp4")
    shutil.copy(other_clip, folder / "media" / "second.mp4")
    (folder / "media" / "bad.mp4").write_text("hello")
    (tmp_path / "outside.mp4").write_bytes(sample_clip.read_bytes())
    (folder / "linked").symlink_to(folder / "media")
    manifest = folder / "manifest.csv"
    manifest.write_text(
        "path,title,description,topic,level,tags,owner\n"
        'media/intro.mp4,Intro <b>1</b>,"First, gently",statistics,advanced,"a, b",'
        "teacher@example.com\n"
        "media/second.mp4,,,,,,\n"
        "media/bad.mp4,Bad,,,,,\n"
        "../outside.mp4,Out,,,,,\n"
        f"{tmp_path / 'outside.mp4'},Abs,,,,,\n"
        "linked/intro.mp4,Link,,,,,\n"
        "media/none.mp4,None,,,,,\n"
        "media/second.mp4,Topic,,Astrology,,,\n"
        "media/second.mp4,Level,,,expert,,\n"
        f"media/second.mp4,Owner,,,,,{learner.email}\n"
        f"media/second.mp4,{'x' * 201},,,,,\n"
    )
    result = _run(app, str(manifest))
    assert result.exit_code == 1, result.output
    assert "2 imported, 0 skipped, 9 refused" in result.output
    out = result.output
    assert "line 4 (media/bad.mp4): " in out and "not a video" in out.lower()
    assert "line 5 (../outside.mp4): path must be relative" in out
    assert "line 6 (" in out and "inside it" in out
    assert "line 7 (linked/intro.mp4): path goes through a symbolic link" in out
    assert "line 8 (media/none.mp4): no such file" in out
    assert "line 9 (media/second.mp4): topic: There is no topic named" in out
    assert "line 10 (media/second.mp4): level: Level must be one of" in out
    assert f"line 11 (media/second.mp4): owner {learner.email} is not" in out
    assert "line 12 (media/second.mp4): title: The title is too long" in out

    intro, second = _videos(app)
    assert intro.title == "Intro <b>1</b>" and intro.description == "First, gently"
    assert intro.owner_id == teacher.id
    assert intro.pending_details is not None
    assert intro.pending_details["level"] == "advanced"
    assert intro.pending_details["tags"] == ["a", "b"]
    assert intro.pending_details["topic_id"] is not None
    assert second.title == "second"

    again = _run(app, str(manifest))
    assert "0 imported, 2 skipped, 9 refused" in again.output
    assert _count(app) == 2


def test_manifest_with_a_formula_cell_is_refused_whole(
    app: Flask, make_user, tmp_path: Path, sample_clip: Path
) -> None:
    make_user("instructor")
    shutil.copy(sample_clip, tmp_path / "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,title\na.mp4,"=HYPERLINK(""http://x"")"\n')
    result = _run(app, str(manifest))
    assert result.exit_code != 0
    assert "Line 2, column title" in result.output and "formula" in result.output
    assert _count(app) == 0


def test_manifest_needs_a_path_column(app: Flask, make_user, tmp_path: Path) -> None:
    make_user("instructor")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,title\na.mp4,A\n")
    result = _run(app, str(manifest))
    assert result.exit_code != 0 and "missing: path" in result.output
    assert _count(app) == 0


def test_one_file_still_prints_its_id(
    app: Flask, make_user, tmp_path: Path, sample_clip: Path
) -> None:
    factories.create_user(app, "instructor")
    result = _run(app, str(sample_clip))
    assert result.exit_code == 0, result.output
    video_id = int(result.output.splitlines()[0])
    (video,) = _videos(app)
    assert video.id == video_id and video.title == "sample"
