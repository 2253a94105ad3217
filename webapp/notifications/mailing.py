"""Notification e-mails: one right after the commit (``Delivery.NOW``), and the render
both it and the digest share. Links are absolute (``PUBLIC_BASE_URL``: a task has no
request) and go through ``/notifications/<id>``, which marks the notification read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select, update

from webapp import mail
from webapp.extensions import db
from webapp.models import Delivery, EmailChoice, Notification, NotificationSettings, User
from webapp.models.base import utcnow
from webapp.notifications.events import EMAIL_TASK
from webapp.notifications.queries import email_choice

# A NOW notification still unsent this long after it was made lost its task (the queue
# was unreachable at the commit): the beat queues it again (sending stays at most once).
STALE_NOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Line:
    """One notification as an e-mail shows it."""

    title: str
    link: str


def send_mail(
    user: User, notifications: Sequence[tuple[int, str]], template: str, more: int = 0
) -> None:
    """Render ``template`` (``notification`` or ``notification_digest``) for ``user`` and
    queue it: ``notifications`` as (id, title), ``more`` left out. Call after the commit
    that marked them e-mailed."""
    base = current_app.config["PUBLIC_BASE_URL"]
    with current_app.test_request_context("/", base_url=base):
        lines = [
            Line(
                title,
                url_for("notifications.open_notification", notification_id=nid, _external=True),
            )
            for nid, title in notifications
        ]
        mail.send(
            template,
            user.email,
            name=user.display_name,
            lines=lines,
            more=max(0, more),
            total=len(lines) + max(0, more),
            everything=url_for("notifications.index", _external=True),
            settings=url_for("notifications.preferences", _external=True),
        )


def email_now(notification_id: int) -> bool:
    """E-mail one ``Delivery.NOW`` notification unless it went already, its reader is
    deactivated or wants none (then it is settled unsent), or wants digests only (then
    the digest takes it). Claimed by a conditional UPDATE, so a task delivered twice
    sends once. Whether a message was queued."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.emailed_at is not None:
        return False
    if notification.delivery is not Delivery.NOW:
        return False
    user = db.session.get(User, notification.user_id)
    if user is None:
        return False
    choice = email_choice(user.id)
    if user.active and choice is EmailChoice.DIGEST:
        return False
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    line = (notification.id, notification.title)
    db.session.commit()
    if claimed.rowcount != 1 or not user.active or choice is EmailChoice.OFF:  # type: ignore[attr-defined]
        return False
    send_mail(user, [line], "notification")
    return True


def requeue_stale(now: datetime, limit: int = 200) -> int:
    """Queue again the e-mail of NOW notifications unsent for ``STALE_NOW`` whose reader
    wants each e-mail as it happens (the task claims: a message still goes once)."""
    ids = db.session.scalars(
        select(Notification.id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(
            or_(
                NotificationSettings.email.is_(None), NotificationSettings.email == EmailChoice.ALL
            ),
            Notification.delivery == Delivery.NOW,
            Notification.emailed_at.is_(None),
            Notification.created_at < now - STALE_NOW,
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    celery = current_app.extensions["celery"]
    for notification_id in ids:
        celery.send_task(EMAIL_TASK, args=[notification_id])
    return len(ids)
