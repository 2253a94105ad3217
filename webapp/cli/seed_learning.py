"""Demo learning structure: topics, the two digital-marketing programs (foundation →
advanced) with cohorts starting soon, the learner's running cohort with a missed class
and its recording, an upcoming class and exam, and free masterclasses in several zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.auth.services import find_user
from webapp.catalogue.services import add_topic, find_topic, sync_all, update_module
from webapp.certificates.services import save_rule
from webapp.cli.demo_catalogue import (
    COURSES,
    CURRENCY,
    LESSONS,
    PGP,
    PPC,
    PROGRAM_WEEKS,
    PROGRAMS,
    SEO,
    SOCIAL,
    TOPICS,
)
from webapp.cohorts.services import (
    add_class,
    add_exam,
    add_member,
    attach_recording,
    create_cohort,
    mark_attendance,
)
from webapp.extensions import db
from webapp.learning.services import create_course, create_program, enrol, program_by_slug
from webapp.models import Cohort, Module, Video
from webapp.models.base import utcnow

PROGRAM = PGP.slug  # the learner's program
# Upcoming cohorts: (program, days from today, zone).
UPCOMING = (
    (PGP.slug, 12, "America/New_York"),
    (PGP.slug, 47, "Asia/Kolkata"),
    ("digital-marketing-specialist", 19, "Europe/London"),
    ("digital-marketing-specialist", 54, "Asia/Singapore"),
)
# Free masterclasses at 18:00 local time for three regions: (title, topic, days ahead, zone).
MASTERCLASSES = (
    ("Free masterclass from Mumbai: SEO trends for the coming year", SEO, 5, "Asia/Kolkata"),
    ("Free masterclass from London: measuring social media ROI", SOCIAL, 9, "Europe/London"),
    ("Free masterclass from New York: writing ads that convert", PPC, 16, "America/New_York"),
)


def _module_of(title: str) -> Module:
    video_id = db.session.scalar(select(Video.id).where(Video.title == title))
    module = db.session.scalar(
        select(Module).where(Module.video_id == video_id, Module.clip_id.is_(None))
    )
    assert module is not None, f"the demo lesson {title!r} is not in the catalogue"
    return module


def _monday(day: date) -> date:
    """The first Monday on or after ``day``: cohorts start at the beginning of a week."""
    return day + timedelta(days=-day.weekday() % 7)


def _cohort(slug: str, starts_on: date, zone: str) -> Cohort:
    region = zone.split("/")[0].replace("America", "Americas")
    return create_cohort(slug, f"{starts_on:%B %Y} cohort ({region})", starts_on, zone)


def _topic_id(name: str) -> int:
    topic = find_topic(name)
    assert topic is not None  # the demo topics were created first
    return topic.id


def _local(day: date, hour: int, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone))


def ensure_demo_learning(
    lesson_titles: Sequence[str], recording_title: str, learner_email: str, teacher_email: str
) -> None:
    """Create the demo topics, programs, cohorts, classes and exam once (idempotent).

    ``lesson_titles`` are the videos of ``LESSONS``, in that order."""
    for name in TOPICS:
        if find_topic(name) is None:
            add_topic(name)
    sync_all()
    if program_by_slug(PROGRAM) is not None:
        db.session.commit()
        return
    modules = [_module_of(t) for t in lesson_titles]
    for module, lesson in zip(modules, LESSONS, strict=True):
        update_module(module, {"topic": lesson.topic, "level": lesson.level, "tags": lesson.tags})
    for course in COURSES:
        create_course(
            course.slug,
            course.title,
            [modules[i].id for i in course.lessons],
            requires=course.requires,
            description=course.description,
            level=course.level,
        )
    for program in PROGRAMS:
        create_program(
            program.slug,
            program.title,
            program.courses,
            weeks=PROGRAM_WEEKS,
            fee=program.fee,
            currency=CURRENCY,
            certificate=program.title,
            level=program.level,
            description=program.description,
        )
    _schedule(modules, recording_title, learner_email, teacher_email)
    db.session.commit()


def _schedule(
    modules: Sequence[Module], recording_title: str, learner_email: str, teacher_email: str
) -> None:
    learner, teacher = find_user(learner_email), find_user(teacher_email)
    program = program_by_slug(PROGRAM)
    # The demo users were created, and the program just now.
    assert learner is not None and teacher is not None and program is not None
    enrol(learner, program, admin=True)  # the demo learner has paid: active
    today = date.today()
    running = _cohort(PROGRAM, today - timedelta(days=14), "Europe/Berlin")
    for slug, days, zone in UPCOMING:
        _cohort(slug, _monday(today + timedelta(days=days)), zone)
    add_member(running, learner, "learner")
    add_member(running, teacher, "instructor")
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    missed = add_class(
        running, "Live class 1: keyword research", now - timedelta(days=7), 60, allow_past=True
    )
    mark_attendance(missed, {learner.id: False})
    attach_recording(missed, db.session.get_one(Video, _module_of(recording_title).video_id))
    add_class(
        running, "Live class 3: paid search", now + timedelta(days=7), 90,
        "https://meet.example.com/pgp-3",
    )  # fmt: skip
    scope = [m.id for m in modules[:4]]
    add_exam(running, "Foundations and channels exam", now + timedelta(days=21), scope)
    # The certificate: 90 % of every lecture and one live class. The exam is not required
    # while exams are not graded (a required exam could never be passed yet).
    save_rule(
        program,
        min_watched_percent=90,
        min_classes=1,
        module_ids=[],
        exam_ids=[],
        allowed_modules=[m.id for m in modules],
        allowed_exams=[],
    )
    for title, topic, days, zone in MASTERCLASSES:
        when = _local(today + timedelta(days=days), 18, zone)
        add_class(None, title, when, 45, topic_id=_topic_id(topic))
    past = add_class(
        None, "Free masterclass: building a content engine", now - timedelta(days=3), 45,
        allow_past=True,
    )  # fmt: skip
    attach_recording(past, db.session.get_one(Video, modules[4].video_id))


DEMO_ORGANISATION = ("Northwind Traders", "northwind")


def ensure_demo_organisation(manager_email: str, learner_email: str) -> None:
    """The demo organisation once (idempotent): its manager, the demo learner as a
    member, ten seats in the demo program and the program assigned to the learner, due
    in thirty days."""
    from webapp.organisations import services as organisations
    from webapp.organisations.queries import organisation_by_slug

    name, slug = DEMO_ORGANISATION
    if organisation_by_slug(slug) is not None:
        return
    manager, learner = find_user(manager_email), find_user(learner_email)
    program = program_by_slug(PROGRAM)
    assert manager is not None and learner is not None and program is not None
    org = organisations.create_organisation(name, slug, "Europe/London")
    organisations.add_member(org, manager, "manager")
    organisations.add_member(org, learner, "member")
    organisations.set_seats(org, program, 10)
    organisations.assign(org, learner, program, date.today() + timedelta(days=30), manager)
    db.session.commit()
