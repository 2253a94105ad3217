"""Demo learning structure: topics, a digital-marketing program with two cohorts, a past
class with its recording, an upcoming exam and a public masterclass."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from webapp.auth.services import find_user
from webapp.catalogue.services import add_topic, find_topic, sync_all, update_module
from webapp.certificates.services import save_rule
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
from webapp.models import Module, Video
from webapp.models.base import utcnow

TOPICS = (
    "Digital Marketing",
    "Data Science",
    "Cloud Computing",
    "Software Development",
    "AI",
    "Business Writing",
    "Spreadsheets",
)
PROGRAM = "digital-marketing-associate"


def _module_of(title: str) -> Module:
    video_id = db.session.scalar(select(Video.id).where(Video.title == title))
    module = db.session.scalar(
        select(Module).where(Module.video_id == video_id, Module.clip_id.is_(None))
    )
    assert module is not None, f"the demo lesson {title!r} is not in the catalogue"
    return module


def ensure_demo_learning(
    lesson_titles: list[str], recording_title: str, learner_email: str, teacher_email: str
) -> None:
    """Create the demo program, cohorts, classes and exam once (idempotent)."""
    for name in TOPICS:
        if find_topic(name) is None:
            add_topic(name)
    sync_all()
    if program_by_slug(PROGRAM) is not None:
        db.session.commit()
        return
    seo, matrix, funnel = (_module_of(t) for t in lesson_titles)
    update_module(seo, {"topic": "Digital Marketing", "level": "foundation", "tags": ["seo"]})
    update_module(matrix, {"topic": "Data Science", "level": "foundation", "tags": ["ml"]})
    update_module(
        funnel, {"topic": "Digital Marketing", "level": "intermediate", "tags": ["analytics"]}
    )
    create_course("seo-basics", "SEO Basics", [seo.id])
    create_course(
        "analytics-funnels", "Analytics and Funnels", [funnel.id], requires=["seo-basics"]
    )
    create_program(
        PROGRAM,
        "Digital Marketing Certified Associate",
        ["seo-basics", "analytics-funnels"],
        weeks=12,
        fee="499.00",
        currency="EUR",
        certificate="Digital Marketing Certified Associate",
        description="From search basics to conversion funnels, with live classes.",
    )
    learner, teacher = find_user(learner_email), find_user(teacher_email)
    program = program_by_slug(PROGRAM)
    # The demo users were created, and the program just now.
    assert learner is not None and teacher is not None and program is not None
    enrol(learner, program, admin=True)  # the demo learner has paid: active
    today = date.today()
    spring = create_cohort(PROGRAM, "Spring cohort", today - timedelta(days=14), "Europe/Berlin")
    create_cohort(PROGRAM, "Autumn cohort", today + timedelta(days=60), "America/New_York")
    add_member(spring, learner, "learner")
    add_member(spring, teacher, "instructor")
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    past = add_class(
        spring, "Week 1 live: how search works", now - timedelta(days=7), 60, allow_past=True
    )
    mark_attendance(past, {learner.id: False})
    attach_recording(past, db.session.get_one(Video, _module_of(recording_title).video_id))
    add_class(
        spring, "Week 3 live: funnels", now + timedelta(days=7), 90, "https://meet.example.com/w3"
    )
    add_exam(spring, "Associate exam", now + timedelta(days=21), [seo.id, funnel.id])
    # The certificate: 90 % of both lessons and one live class. The exam is not required
    # while exams are not graded (a required exam could never be passed yet).
    save_rule(
        program,
        min_watched_percent=90,
        min_classes=1,
        module_ids=[],
        exam_ids=[],
        allowed_modules=[seo.id, funnel.id],
        allowed_exams=[],
    )
    masterclass = add_class(
        None, "Masterclass: data for marketers", now - timedelta(days=3), 45, allow_past=True
    )
    attach_recording(masterclass, db.session.get_one(Video, matrix.video_id))
    db.session.commit()


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
