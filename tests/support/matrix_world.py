"""The world the authorization matrix runs in: one person per role and one object of each
kind, built once per test module (``tests/support/route_matrix.py`` says who may call what on it).

People: ``learner_a`` (a learner of cohort A), ``learner_b`` (a learner of cohort B, of
another program), ``instructor_a`` (owns every video, clip, caption and upload below and
teaches cohort A), ``instructor_b`` (teaches cohort B and owns one video of their own),
``admin``; plus the signed-out caller ``anonymous``.

Objects: a public READY video in the library, a READY recording private to cohort A (a
past class's recording), a video still UPLOADED (a draft), clips, chapters, captions and
exports of the first two, learner A's progress and certificate, instructor A's open upload
session, cohorts A and B, a class running now, an exam, a masterclass running now.

Rows are made with the app's own service functions where they exist; the ``fresh_*``
helpers make a throw-away object for a request that deletes or consumes one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from tests.support import factories
from tests.support.audit import allow_purge
from transcoder.pipeline import TranscodeResult
from webapp.audiences.services import set_module_audience
from webapp.auth.passwords import hash_password
from webapp.auth.services import issue_token, token_row
from webapp.captions import services as captions
from webapp.certificates.services import issue_certificate
from webapp.clips import services as clips
from webapp.cohorts import services as cohorts
from webapp.extensions import db
from webapp.learning.services import create_course, create_program, enrol
from webapp.models import (
    ClipExport,
    Module,
    Program,
    Rendition,
    Suggestion,
    UploadSession,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.notes import services as notes
from webapp.playback.signing import expires_at, signature
from webapp.storage import get_storage
from webapp.uploads import multipart

ROLES = ("anonymous", "learner_a", "learner_b", "instructor_a", "instructor_b", "admin")
SIGNED_IN = ROLES[1:]
ACCOUNT_ROLES = {
    "learner_a": "learner",
    "learner_b": "learner",
    "instructor_a": "instructor",
    "instructor_b": "instructor",
    "admin": "admin",
}
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello there\n\n00:01.000 --> 00:02.000\nSecond\n"
# Learner A's resume point: a value nobody else's progress has, so a leak is visible.
A_POSITION = 3.25
EXPORT_BYTES = b"\x00\x00\x00\x18ftypmp42 matrix export"


@dataclass(frozen=True)
class World:
    """Ids, slugs and codes of everything the matrix touches (plain values only)."""

    emails: dict[str, str]
    users: dict[str, int]
    tokens: dict[str, str]
    public_video: int
    recording: int
    draft_video: int
    other_video: int
    public_clip: int
    private_clip: int
    public_chapter: int
    private_chapter: int
    public_module: int
    private_module: int
    variant: str
    program_a: str
    program_b: str
    course_a: str
    cohort_a: int
    cohort_b: int
    past_class_a: int
    live_class_a: int
    masterclass: int
    exam_a: int
    certificate: str
    upload: int

    def video(self, which: str) -> int:
        """``public`` → the library video, ``cohort`` → cohort A's recording."""
        return {"public": self.public_video, "cohort": self.recording}[which]

    def clip(self, which: str) -> int:
        """The clip of the public video or of the cohort recording."""
        return {"public": self.public_clip, "cohort": self.private_clip}[which]

    def chapter(self, which: str) -> int:
        """The chapter of the public video or of the cohort recording."""
        return {"public": self.public_chapter, "cohort": self.private_chapter}[which]

    def module(self, which: str) -> int:
        """The whole-video module of the public video or of the cohort recording."""
        return {"public": self.public_module, "cohort": self.private_module}[which]


_HASH: list[str] = []


def _password_hash() -> str:
    """The shared test password, hashed once (argon2 is slow on purpose)."""
    if not _HASH:
        _HASH.append(hash_password(factories.PASSWORD))
    return _HASH[0]


def _people() -> dict[str, User]:
    people = {
        key: User(email=f"{key.replace('_', '-')}@matrix.example.com", role=role)
        for key, role in ACCOUNT_ROLES.items()
    }
    for key, user in people.items():
        user.password_hash = _password_hash()
        user.name = key.replace("_", " ").title()
        db.session.add(user)
    db.session.flush()
    return people


def _module_of(video_id: int) -> int:
    return db.session.scalar(
        select(Module.id).where(Module.video_id == video_id, Module.clip_id.is_(None))
    )


def _export(clip_id: int) -> None:
    """A finished export of the clip (a small stored object stands in for the MP4)."""
    key = f"exports/matrix/{clip_id}/clip.mp4"
    get_storage().put_bytes(key, EXPORT_BYTES, "video/mp4")
    db.session.add(
        ClipExport(
            clip_id=clip_id,
            state="ready",
            progress=100.0,
            output_key=key,
            size_bytes=len(EXPORT_BYTES),
        )
    )


def build_world(app: Flask, ladder: tuple[Path, TranscodeResult]) -> World:
    """Build the world on ``app``'s (empty) database; ``ladder`` is a transcoded sample."""
    out_dir, result = ladder
    with app.app_context():
        people = _people()
        ids = {k: u.id for k, u in people.items()}
        emails = {k: u.email for k, u in people.items()}
        db.session.commit()
    publish = factories.publish_ready_video
    public_video = publish(app, ids["instructor_a"], "Matrix public lesson", out_dir, result)
    recording = publish(app, ids["instructor_a"], "Matrix cohort A recording", out_dir, result)
    other_video = publish(app, ids["instructor_b"], "Matrix lesson of B", out_dir, result)
    with app.app_context():
        return _furnish(
            people_ids=ids, emails=emails, videos=(public_video, recording, other_video)
        )


def _furnish(people_ids: dict[str, int], emails: dict[str, str], videos: tuple[int, ...]) -> World:
    public_id, recording_id, other_id = videos
    people = {k: db.session.get(User, v) for k, v in people_ids.items()}
    public, recording = db.session.get(Video, public_id), db.session.get(Video, recording_id)
    draft = Video(
        title="Matrix draft", owner_id=people_ids["instructor_a"], state=VideoState.UPLOADED.value
    )
    db.session.add(draft)
    db.session.flush()

    # Paths: program A (cohort A, learner A's certificate) and program B (cohort B).
    create_course("matrix-a-basics", "Matrix A basics", [_module_of(public_id)])
    create_course("matrix-b-basics", "Matrix B basics", [_module_of(other_id)])
    # Both lessons stay public (free previews of their programs): program content is
    # otherwise for the program's members only (audiences), and "public" here means every
    # signed-in user, whatever earlier cases enrolled whom (tests/test_audiences.py has
    # the members-only cases).
    for lesson in (public_id, other_id):
        set_module_audience(
            db.session.get(Module, _module_of(lesson)), free_preview=True, keep=True
        )
    create_program("matrix-a", "Matrix program A", ["matrix-a-basics"], certificate="Cert A")
    create_program("matrix-b", "Matrix program B", ["matrix-b-basics"], certificate="Cert B")
    program_a = db.session.scalar(select(Program).where(Program.slug == "matrix-a"))
    cohort_a = cohorts.create_cohort("matrix-a", "Cohort A", date(2026, 1, 5), "UTC")
    cohort_b = cohorts.create_cohort("matrix-b", "Cohort B", date(2026, 1, 5), "UTC")
    cohorts.add_member(cohort_a, people["learner_a"], "learner")
    cohorts.add_member(cohort_a, people["instructor_a"], "instructor")
    cohorts.add_member(cohort_b, people["learner_b"], "learner")
    cohorts.add_member(cohort_b, people["instructor_b"], "instructor")
    enrol(people["learner_a"], program_a)

    now = datetime.now(UTC)
    past = cohorts.add_class(cohort_a, "Week 1", now - timedelta(days=2), 60, allow_past=True)
    cohorts.attach_recording(past, recording)  # now private to cohort A
    live = cohorts.add_class(
        cohort_a,
        "Week 2",
        now - timedelta(minutes=5),
        240,
        "https://meet.example.com/a",
        allow_past=True,
    )
    masterclass = cohorts.add_class(
        None, "Open masterclass", now - timedelta(minutes=5), 240, allow_past=True
    )
    private_module = _module_of(recording_id)
    exam = cohorts.add_exam(cohort_a, "Final exam", now + timedelta(days=7), [private_module])

    author = people["instructor_a"]
    public_clip = clips.create_clip(public, author, {"title": "Public clip", "start": 0, "end": 2})
    private_clip = clips.create_clip(
        recording, author, {"title": "Private clip", "start": 0, "end": 2}
    )
    public_chapter = clips.create_chapter(public, {"title": "Intro", "start": 1.0})
    private_chapter = clips.create_chapter(recording, {"title": "Intro", "start": 1.0})
    for video in (public, recording):
        captions.store_caption(video, author, "en", "English", VTT, "en.vtt")
    _export(public_clip.id)
    _export(private_clip.id)

    learner_a = people_ids["learner_a"]
    for video_id, clip_id in ((public_id, None), (recording_id, None), (public_id, public_clip.id)):
        db.session.add(
            WatchProgress(
                user_id=learner_a,
                video_id=video_id,
                clip_id=clip_id,
                position=A_POSITION,
                intervals=[[0.0, A_POSITION]],
                watched_seconds=A_POSITION,
            )
        )
    certificate, _ = issue_certificate(people["learner_a"], program_a)
    upload = _open_upload(people["instructor_a"])
    tokens = {k: issue_token(u, 1) for k, u in people.items()}
    variant = db.session.scalar(
        select(Rendition.playlist).where(Rendition.video_id == public_id, Rendition.height > 0)
    ).split("/")[0]
    db.session.commit()
    return World(
        emails=emails,
        users=people_ids,
        tokens=tokens,
        public_video=public_id,
        recording=recording_id,
        draft_video=draft.id,
        other_video=other_id,
        public_clip=public_clip.id,
        private_clip=private_clip.id,
        public_chapter=public_chapter.id,
        private_chapter=private_chapter.id,
        public_module=_module_of(public_id),
        private_module=private_module,
        variant=variant,
        program_a="matrix-a",
        program_b="matrix-b",
        course_a="matrix-a-basics",
        cohort_a=cohort_a.id,
        cohort_b=cohort_b.id,
        past_class_a=past.id,
        live_class_a=live.id,
        masterclass=masterclass.id,
        exam_a=exam.id,
        certificate=certificate.code,
        upload=upload.id,
    )


def _open_upload(owner: User) -> UploadSession:
    return multipart.start(
        owner, filename="lecture.mp4", content_type="video/mp4", size=1024 * 1024, title="Draft"
    )


def wipe(app: Flask) -> None:
    """Empty every table (what conftest's per-test clean-up does, once per module)."""
    with app.app_context():
        db.session.rollback()
        allow_purge()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


# --------------------------------------------------------------------------- throw-aways
# Each runs inside an app context, commits, and returns the new object's URL values.


def fresh_clip(world: World, which: str) -> dict[str, object]:
    """A new clip of the public video or the cohort recording."""
    video = db.session.get(Video, world.video(which))
    clip = clips.create_clip(video, video.owner, {"title": "Spare", "start": 0, "end": 1})
    db.session.commit()
    return {"clip_id": clip.id}


def fresh_chapter(world: World, which: str) -> dict[str, object]:
    """A new chapter of the public video or the cohort recording."""
    video = db.session.get(Video, world.video(which))
    chapter = clips.create_chapter(video, {"title": "Spare", "start": 2.0})
    db.session.commit()
    return {"chapter_id": chapter.id}


def fresh_suggestion(world: World, which: str) -> dict[str, object]:
    """A pending chapter suggestion found by the transcoder, as the worker stores it."""
    suggestion = Suggestion(
        video_id=world.video(which), kind="slide", start=2.5, end=None, score=0.9, label="Slide"
    )
    db.session.add(suggestion)
    db.session.commit()
    return {"suggestion_id": suggestion.id}


def fresh_caption(world: World, which: str) -> dict[str, object]:
    """A French track on the video (replaced if an earlier case left one)."""
    video = db.session.get(Video, world.video(which))
    captions.store_caption(video, video.owner, "fr", "Français", VTT, "fr.vtt")
    db.session.commit()
    return {"language": "fr"}


def fresh_note(world: World, which: str) -> dict[str, object]:
    """A new note of learner A on the video (a member of cohort A may note both)."""
    video = db.session.get(Video, world.video(which))
    learner = db.session.get(User, world.users["learner_a"])
    note = notes.create_note(learner, video, kind="note", position=1.0, body="Mine")
    db.session.commit()
    return {"note_id": note.id}


def fresh_token(world: World) -> dict[str, object]:
    """A new API token of learner A."""
    token = issue_token(db.session.get(User, world.users["learner_a"]), 1)
    row = token_row(token)
    db.session.commit()
    return {"token_id": row.id}


def fresh_upload(world: World) -> dict[str, object]:
    """A new open upload session of instructor A."""
    session = _open_upload(db.session.get(User, world.users["instructor_a"]))
    db.session.commit()
    return {"upload_id": session.id}


def signed_media(world: World, which: str) -> dict[str, object]:
    """A signed app link (local-disk style) to the master playlist of a video."""
    video = db.session.get(Video, world.video(which))
    expires = expires_at(time.time(), 600)
    key = f"{video.playable_prefix}/master.m3u8"
    sig = signature(current_app.config["SECRET_KEY"], video.id, key, expires)
    return {"video_id": video.id, "rel": "master.m3u8", "exp": expires, "sig": sig}
