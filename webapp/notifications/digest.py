"""The notification digest: a user's undelivered digest notifications gathered into one
e-mail, at most one per ``INTERVAL`` per user.

Celery beat runs :func:`send_digests` every minute. Each user is one transaction: the
claim (``DigestClaim``: a conditional UPDATE of the last send, or the INSERT of the first
on its primary key) and the marking of the gathered notifications commit together
before the message is queued, so a concurrent run finds the claim taken and sends
nothing. Notifications of deactivated users and of users who want no e-mail are
settled unsent (``emailed_at`` set): they never arrive later in a flood.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    Delivery,
    DigestClaim,
    EmailChoice,
    Notification,
    NotificationSettings,
    User,
)
from webapp.models.base import as_utc, utcnow
from webapp.notifications.mailing import requeue_stale, send_mail

log = logging.getLogger(__name__)

INTERVAL = timedelta(hours=1)
MAX_LINES = 50  # a longer digest names the newest 50 and links to the page for the rest
MAILED = (Delivery.NOW, Delivery.DIGEST)


def _pending(now_too: object) -> object:
    """Unsent notifications the digest takes: DIGEST ones, and NOW ones of a user who
    chose digests only (``now_too``: that user's condition)."""
    return and_(
        Notification.emailed_at.is_(None),
        or_(
            Notification.delivery == Delivery.DIGEST,
            and_(Notification.delivery == Delivery.NOW, now_too),  # type: ignore[arg-type]
        ),
    )


def settle_unwanted(now: datetime) -> int:
    """Settle, unsent, the e-mails nobody will get (deactivated users, e-mail off): their
    ``emailed_at`` is set without a message."""
    off = select(NotificationSettings.user_id).where(NotificationSettings.email == EmailChoice.OFF)
    inactive = select(User.id).where(User.active.is_(False))
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.emailed_at.is_(None),
            Notification.delivery.in_(MAILED),
            or_(Notification.user_id.in_(off), Notification.user_id.in_(inactive)),
        )
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def users_waiting() -> list[int]:
    """Active users with digest notifications waiting."""
    digest_only = NotificationSettings.email == EmailChoice.DIGEST
    rows = db.session.scalars(
        select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == Notification.user_id)
        .where(
            User.active.is_(True),
            or_(
                NotificationSettings.email.is_(None), NotificationSettings.email != EmailChoice.OFF
            ),
            _pending(digest_only),  # type: ignore[arg-type]
        )
        .distinct()
    )
    return sorted(set(rows))


def claim(user_id: int, now: datetime) -> bool:
    """Take ``user_id``'s digest slot at ``now`` if their last digest went at least
    ``INTERVAL`` ago (or never); flushes. Raises IntegrityError when a concurrent run
    inserted the first claim meanwhile."""
    moved = db.session.execute(
        update(DigestClaim)
        .where(DigestClaim.user_id == user_id, DigestClaim.sent_at <= now - INTERVAL)
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if db.session.get(DigestClaim, user_id) is not None:
        return False  # the last digest is younger than INTERVAL
    db.session.add(DigestClaim(user_id=user_id, sent_at=now))
    db.session.flush()
    return True


def send_one(user_id: int, now: datetime) -> bool:
    """Claim, gather and mark ``user_id``'s digest, commit, then queue it."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    try:
        if not claim(user_id, now):
            db.session.rollback()
            return False
    except IntegrityError:
        db.session.rollback()
        log.info("notification digest of user %s: a concurrent run took it", user_id)
        return False
    digest_only = db.session.get(NotificationSettings, user_id)
    now_too = digest_only is not None and digest_only.email is EmailChoice.DIGEST
    gathered = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id, _pending(now_too))  # type: ignore[arg-type]
        .order_by(Notification.created_at, Notification.id)
    ).all()
    if not gathered:
        db.session.rollback()  # nothing to send: the slot stays free
        return False
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_([n.id for n in gathered]))
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    lines = [(n.id, n.title) for n in reversed(gathered)]  # newest first
    db.session.commit()
    send_mail(user, lines[:MAX_LINES], "notification_digest", more=len(lines) - MAX_LINES)
    return True


def send_due(now: datetime | None = None) -> list[int]:
    """Send every digest due at ``now``; the users that got one."""
    now = as_utc(now or utcnow())
    settle_unwanted(now)
    db.session.commit()
    return [user_id for user_id in users_waiting() if send_one(user_id, now)]


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """Celery beat, every minute: the notification digests due now, and the e-mails of
    NOW notifications whose task was lost."""
    requeue_stale(utcnow())
    sent = send_due()
    if sent:
        log.info("sent %d notification digest(s)", len(sent))
    return len(sent)
