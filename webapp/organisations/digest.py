"""The managers' weekly e-mail digest: each organisation's dashboard in short (assigned,
completed, overdue, certificates), once per ISO week per manager.

Celery beat runs :func:`send_weekly_digests` every hour. A manager's digest is due from
Monday 07:00 in the manager's own time zone (their profile's; else the organisation's,
``Organisation.time_zone``) until the week ends; it is recorded (``DigestSent``, unique
per manager and week) and committed before its message is queued, so a second run, or a
concurrent one, sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.cohorts.timezones import pick_zone
from webapp.extensions import db
from webapp.models import DigestSent, Organisation, OrganisationMember, OrgRole, User
from webapp.models.base import as_utc, utcnow
from webapp.organisations.queries import dashboard

log = logging.getLogger(__name__)

SEND_FROM = time(7, 0)  # Monday morning, in the organisation's zone


@dataclass(frozen=True)
class Sent:
    """A digest queued for ``user_id`` (of ``organisation_id``) in ``week``."""

    user_id: int
    organisation_id: int
    week: str


def week_of(moment: datetime, zone: str) -> tuple[str, bool]:
    """The ISO week of ``moment`` in ``zone`` ("2026-W50") and whether the digest is due
    (Monday from 07:00, or any later day of that week)."""
    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = moment.astimezone(ZoneInfo("UTC"))
    year, week, weekday = local.isocalendar()
    due = weekday > 1 or local.time() >= SEND_FROM
    return f"{year}-W{week:02d}", due


def plan(now: datetime) -> list[Sent]:
    """Record the digests due at ``now`` that were not sent this week (flushes)."""
    rows = db.session.execute(
        select(OrganisationMember.user_id, User.time_zone, Organisation)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.role == OrgRole.MANAGER, User.active.is_(True))
    ).all()
    due: list[Sent] = []
    for user_id, own_zone, org in rows:
        week, is_due = week_of(now, pick_zone(own_zone, org.time_zone))
        if not is_due:
            continue
        already = db.session.scalar(
            select(DigestSent.id).where(DigestSent.user_id == user_id, DigestSent.week == week)
        )
        if already is not None:
            continue
        db.session.add(DigestSent(user_id=user_id, week=week, sent_at=now))
        due.append(Sent(user_id, org.id, week))
    db.session.flush()
    return due


def deliver(item: Sent, now: datetime) -> None:
    """Queue one manager's digest (after the commit that recorded it)."""
    user = db.session.get(User, item.user_id)
    org = db.session.get(Organisation, item.organisation_id)
    if user is None or org is None:
        return
    rows = dashboard(org.id, now=now)
    base = current_app.config["PUBLIC_BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        page = url_for("organisations.dashboard", slug=org.slug, _external=True)
        mail.send(
            "org_digest",
            user.email,
            name=user.display_name,
            organisation=org.name,
            week=item.week,
            assigned=len(rows),
            completed=sum(1 for r in rows if r.status == "completed"),
            overdue=[r for r in rows if r.overdue],
            certificates=sum(1 for r in rows if r.certificate),
            page=page,
        )


def send_due(now: datetime | None = None) -> list[Sent]:
    """Record and send every digest due at ``now``; returns what was sent."""
    now = as_utc(now or utcnow())
    try:
        due = plan(now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("organisation digests: a concurrent run recorded them")
        return []
    for item in due:
        deliver(item, now)
    return due


@shared_task(name="organisations.send_weekly_digests")
def send_weekly_digests() -> int:
    """Celery beat, hourly: the managers' digests due now."""
    sent = send_due()
    if sent:
        log.info("sent %d organisation digest(s)", len(sent))
    return len(sent)
