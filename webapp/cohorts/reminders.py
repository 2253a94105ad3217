"""E-mail reminders before live classes: CLASS_REMINDER_HOURS (24 h and 1 h by default)
before each cohort class, to each active member, each reminder exactly once.

Celery beat runs :func:`send_class_reminders` every minute. A reminder is recorded
(``ClassReminder``) and committed before its message is queued, and the unique
(class, member, hours) row makes a second run, or a concurrent one, skip it. When
several reminders of a class are due at once (the worker was down, the class was added
late), only the closest one goes; the others are recorded as skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp import mail, timefmt
from webapp.cohorts.timezones import pick_zone
from webapp.cohorts.windows import JOIN_EARLY, class_start
from webapp.extensions import db
from webapp.models import ClassReminder, Cohort, CohortMember, LiveClass, User
from webapp.models.base import as_utc, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A reminder to send: ``hours`` before ``class_id`` to ``user_id``."""

    class_id: int
    user_id: int
    hours: int


def due_offsets(start: datetime, now: datetime, hours: Sequence[int]) -> list[int]:
    """The offsets whose moment (``start`` − h) has come, for a class not started yet."""
    if as_utc(now) >= as_utc(start):
        return []
    return sorted(h for h in hours if as_utc(start) - timedelta(hours=h) <= as_utc(now))


def plan(now: datetime, hours: Sequence[int]) -> list[Due]:
    """Record every reminder due at ``now`` (flushes; the caller commits) and return
    those to send: the closest due one per class and member, not recorded before."""
    if not hours:
        return []
    upcoming = db.session.scalars(
        select(LiveClass)
        .where(
            LiveClass.cohort_id.is_not(None),
            LiveClass.starts_at > now,
            LiveClass.starts_at <= now + timedelta(hours=max(hours)),
        )
        .order_by(LiveClass.starts_at, LiveClass.id)
    ).all()
    to_send: list[Due] = []
    for live_class in upcoming:
        offsets = due_offsets(live_class.starts_at, now, hours)
        if not offsets:
            continue
        members = db.session.scalars(
            select(CohortMember.user_id)
            .join(User, User.id == CohortMember.user_id)
            .where(CohortMember.cohort_id == live_class.cohort_id, User.active.is_(True))
        ).all()
        done = {
            (user_id, h)
            for user_id, h in db.session.execute(
                select(ClassReminder.user_id, ClassReminder.hours).where(
                    ClassReminder.class_id == live_class.id
                )
            )
        }
        closest = offsets[0]
        for user_id in members:
            for h in offsets:
                if (user_id, h) in done:
                    continue
                send = h == closest
                db.session.add(
                    ClassReminder(class_id=live_class.id, user_id=user_id, hours=h, sent=send)
                )
                if send:
                    to_send.append(Due(live_class.id, user_id, h))
    db.session.flush()
    return to_send


def _when_text(start: datetime, now: datetime) -> str:
    minutes = max(1, round((as_utc(start) - as_utc(now)).total_seconds() / 60))
    if minutes < 90:
        return ngettext("in %(num)d minutes", "in %(num)d minutes", minutes)
    hours = round(minutes / 60)
    if hours < 36:
        return ngettext("in %(num)d hours", "in %(num)d hours", hours)
    return ngettext("in %(num)d days", "in %(num)d days", round(hours / 24))


def deliver(due: Due, now: datetime) -> None:
    """Queue the reminder e-mail of ``due`` (after the commit that recorded it)."""
    live_class = db.session.get(LiveClass, due.class_id, options=[joinedload(LiveClass.cohort)])
    user = db.session.get(User, due.user_id)
    if live_class is None or user is None or live_class.cohort is None:
        return
    cohort: Cohort = live_class.cohort
    zone = pick_zone(user.time_zone, cohort.time_zone)
    start = class_start(live_class)
    base = current_app.config["PUBLIC_BASE_URL"]
    # The times and words computed here are in the recipient's language, like the mail.
    with current_app.test_request_context("/", base_url=base), force_locale(user.locale or "en"):
        page = url_for(
            "cohorts.cohort_page",
            cohort_id=cohort.id,
            _anchor=f"class-{live_class.id}",
            _external=True,
        )
        calendar_file = url_for("calendar.class_file", class_id=live_class.id, _external=True)
        mail.send(
            "class_reminder",
            user.email,
            name=user.display_name,
            title=live_class.title,
            cohort=cohort.name,
            starts=timefmt.moment(start, zone),
            zone=zone,
            cohort_time=timefmt.beside(start, zone, cohort.time_zone),
            cohort_zone=cohort.time_zone,
            relative=_when_text(start, now),
            minutes=live_class.duration_minutes,
            join_url=live_class.join_url,
            join_early=int(JOIN_EARLY.total_seconds() // 60),
            page=page,
            calendar_file=calendar_file,
        )


def send_due(now: datetime | None = None) -> list[Due]:
    """Record and send every reminder due at ``now``; returns what was sent."""
    now = as_utc(now or utcnow())
    hours = tuple(current_app.config["CLASS_REMINDER_HOURS"])
    try:
        due = plan(now, hours)
        db.session.commit()
    except IntegrityError:
        # Another run recorded some of them first: they are its to send; ours wait a minute.
        db.session.rollback()
        log.info("class reminders: a concurrent run recorded them; retrying next run")
        return []
    for item in due:
        deliver(item, now)
    return due


@shared_task(name="cohorts.send_class_reminders")
def send_class_reminders() -> int:
    """Celery beat, every minute: the reminders due now."""
    sent = send_due()
    if sent:
        log.info("sent %d class reminder(s)", len(sent))
    return len(sent)
