"""The filled-in site the accessibility and screenshot tests audit: the demo program,
cohorts and classes, a captioned and chaptered lesson, a clip, a certificate, a project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace

from flask import Flask
from sqlalchemy import select

from tests.support import factories
from tests.support.projects import a11y_project
from webapp.captions.services import store_caption
from webapp.certificates.services import issue_certificate
from webapp.cli.seed import CLASS_RECORDING, DEMO_LESSONS
from webapp.cli.seed_learning import PROGRAM, ensure_demo_learning
from webapp.clips.services import create_chapter, create_clip, replace_suggestions
from webapp.extensions import db
from webapp.learning.services import program_by_slug
from webapp.models import Cohort, CourseModule, Exam, LiveClass, Module, User, Video

ZONE = "Europe/Berlin"  # browser zone = tz cookie: cohort pages never reload themselves
CAPTIONS = (
    "WEBVTT\n\n"
    "00:00:00.500 --> 00:00:01.500\nSearch engines crawl.\n\n"
    "00:00:02.000 --> 00:00:03.500\nThen they index and rank.\n"
)
# What the transcode pass would have found: one of each kind the editor lists.
SUGGESTIONS = [
    SimpleNamespace(kind="slide", start=1.0, end=None, score=0.9, label="Slide 2"),
    SimpleNamespace(kind="clip", start=0.5, end=3.0, score=0.7, label="Worked example"),
]


@dataclass(frozen=True)
class Site:
    """Ids and users of the filled-in site."""

    learner: factories.UserInfo
    instructor: factories.UserInfo
    lesson_id: int
    clip_id: int
    cohort_id: int
    past_class_id: int
    exam_id: int
    certificate_code: str
    project_id: int = 0  # issue 21: projects
    submission_id: int = 0
    path_query: str = ""  # issue 22: the lesson reached through its course and program


def fill_site(app: Flask, make_ready_video: Callable[..., int]) -> Site:
    """The demo program, cohorts and classes, a captioned and chaptered lesson, a clip
    and a certificate for the learner."""
    learner, instructor = factories.create_user(app), factories.create_user(app, "instructor")
    titles = [lesson[0] for lesson in DEMO_LESSONS]
    ids = [make_ready_video(instructor.id, title) for title in (*titles, CLASS_RECORDING[0])]
    with app.app_context():
        ensure_demo_learning(titles, CLASS_RECORDING[0], learner.email, instructor.email)
        author, video = db.session.get(User, instructor.id), db.session.get(Video, ids[0])
        store_caption(video, author, "en", "English", CAPTIONS.encode(), "en.vtt")
        create_chapter(video, {"title": "Crawling", "start": 0})
        create_chapter(video, {"title": "Ranking", "start": 2})
        clip = create_clip(video, author, {"title": "Ranking in a nutshell", "start": 1, "end": 3})
        replace_suggestions(video.id, SUGGESTIONS)
        past = db.session.scalar(
            select(LiveClass).where(
                LiveClass.recording_id == ids[-1], LiveClass.cohort_id.is_not(None)
            )
        )
        cohort = db.session.get_one(Cohort, past.cohort_id)  # the learner's running cohort
        exam = db.session.scalar(select(Exam).where(Exam.cohort_id == cohort.id))
        certificate, _ = issue_certificate(
            db.session.get(User, learner.id), program_by_slug(PROGRAM)
        )
        course_id = db.session.scalar(
            select(CourseModule.course_id)
            .join(Module, Module.id == CourseModule.module_id)
            .where(Module.video_id == ids[0], Module.clip_id.is_(None))
        )
        assert course_id is not None, "the demo lesson is in a course"
        path_query = f"?course={course_id}&program={program_by_slug(PROGRAM).id}"
        db.session.commit()
        site = Site(
            learner, instructor, ids[0], clip.id, cohort.id, past.id, exam.id, certificate.code
        )
        site = replace(site, path_query=path_query)
    project_id, submission_id = a11y_project(app, site.cohort_id, learner.id)
    return replace(site, project_id=project_id, submission_id=submission_id)
