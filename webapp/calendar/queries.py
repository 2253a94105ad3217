"""Reads of the calendar: whose feed a secret opens, and what goes in a learner's feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.cohorts.windows import class_end, class_start
from webapp.extensions import db
from webapp.models import Cohort, CohortMember, Exam, LiveClass, User
from webapp.models.base import as_utc

MIN_SECRET = 32  # shorter strings are never looked up (secrets are 43 characters)
EXAM_DEFAULT = timedelta(hours=1)  # exams have no length: an hour block in calendars


@dataclass(frozen=True)
class Event:
    """One entry of a calendar: a class, an exam or a due date."""

    uid: str  # stable across feeds: calendar apps update the entry instead of adding one
    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str  # the cohort's zone: what the event is anchored to
    description: str = ""
    url: str = ""
    location: str = ""


def user_by_secret(secret: str) -> User | None:
    """The user whose calendar secret is ``secret``."""
    return db.session.scalar(select(User).where(User.calendar_secret == secret))


def class_event(live_class: LiveClass, page_url: str, host: str) -> Event:
    """A live class as a calendar entry (``page_url``: its cohort's or masterclass page)."""
    cohort = live_class.cohort
    zone = cohort.time_zone if cohort is not None else "UTC"
    where = cohort.name if cohort is not None else "Masterclass"
    lines = [f"{where} — live class, {live_class.duration_minutes} min.", page_url]
    return Event(
        uid=f"class-{live_class.id}@{host}",
        title=live_class.title,
        starts_at=class_start(live_class),
        ends_at=class_end(live_class),
        zone=zone,
        description="\n".join(lines),
        url=page_url,
        location=live_class.join_url or page_url,
    )


def exam_event(exam: Exam, cohort: Cohort, page_url: str, host: str) -> Event:
    """An exam as a calendar entry."""
    start = as_utc(exam.starts_at)
    return Event(
        uid=f"exam-{exam.id}@{host}",
        title=f"Exam: {exam.title}",
        starts_at=start,
        ends_at=start + EXAM_DEFAULT,
        zone=cohort.time_zone,
        description=f"{cohort.name} — exam.\n{page_url}",
        url=page_url,
    )


def feed_items(user: User) -> tuple[list[LiveClass], list[tuple[Exam, Cohort]]]:
    """The classes and exams of every cohort ``user`` belongs to, in start order.

    Due dates of assigned programs are ``due_events`` (the feed adds them).
    """
    cohort_ids = select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)
    classes = db.session.scalars(
        select(LiveClass)
        .options(joinedload(LiveClass.cohort))
        .where(LiveClass.cohort_id.in_(cohort_ids))
        .order_by(LiveClass.starts_at, LiveClass.id)
    ).all()
    exams = db.session.execute(
        select(Exam, Cohort)
        .join(Cohort, Cohort.id == Exam.cohort_id)
        .where(Exam.cohort_id.in_(cohort_ids))
        .order_by(Exam.starts_at, Exam.id)
    ).all()
    return list(classes), [(exam, cohort) for exam, cohort in exams]


def due_events(user: User, program_url, host: str) -> list[Event]:
    """The due dates of the programs assigned to ``user`` (a whole day in the assigning
    organisation's zone); ``program_url(slug)`` makes the link."""
    from zoneinfo import ZoneInfo

    from webapp.models import Assignment, Organisation, Program

    rows = db.session.execute(
        select(Assignment, Program, Organisation)
        .join(Program, Program.id == Assignment.program_id)
        .join(Organisation, Organisation.id == Assignment.organisation_id)
        .where(Assignment.user_id == user.id, Assignment.due_on.is_not(None))
    ).all()
    events = []
    for assignment, program, org in rows:
        if assignment.due_on is None:
            continue
        zone = org.time_zone or "UTC"
        start = datetime.combine(assignment.due_on, datetime.min.time(), ZoneInfo(zone))
        url = program_url(program.slug)
        events.append(
            Event(
                uid=f"due-{assignment.id}@{host}",
                title=f"Due: {program.title}",
                starts_at=start,
                ends_at=start + timedelta(days=1),
                zone=zone,
                description=f"{org.name} assigned this program, due this day.\n{url}",
                url=url,
            )
        )
    return events
