"""Writing notifications. Features call ``notify``; delivery by e-mail is this package's
business (after the commit that made the notification)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.models import Delivery, EmailChoice, Notification, NotificationSettings
from webapp.models.base import utcnow
from webapp.notifications.events import email_after_commit


class NotificationError(Exception):
    """A request the rules refuse (``field`` names the input at fault)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def notify(
    user_id: int, kind: str, title: str, url: str, *, email: Delivery = Delivery.NOW
) -> Notification:
    """Tell ``user_id`` that ``title`` happened, pointing at ``url`` (a path in the site).
    ``kind`` names the event ("question.answered"); ``email`` how it also travels by
    e-mail. Flushes only: the caller commits, and e-mail leaves after that commit."""
    notification = Notification(
        user_id=user_id, kind=kind[:40], title=title[:300], url=url[:500], delivery=email
    )
    db.session.add(notification)
    db.session.flush()
    if email is Delivery.NOW:
        email_after_commit(notification.id)
    return notification


def mark_read(user_id: int, ids: Collection[int]) -> int:
    """Mark these notifications of ``user_id`` read; every id must be theirs (else
    ``NotificationError`` and nothing changes). The number newly marked."""
    wanted = set(ids)
    if not wanted:
        return 0
    owned = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.id.in_(wanted)
        )
    )
    if owned != len(wanted):
        raise NotificationError("No such notification.", "ids")
    return _mark(user_id, Notification.id.in_(wanted))


def mark_all_read(user_id: int) -> int:
    """Mark every notification of ``user_id`` read; the number newly marked."""
    return _mark(user_id, True)


def _mark(user_id: int, which: object) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None), which)  # type: ignore[arg-type]
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_email_choice(user_id: int, choice: EmailChoice) -> None:
    """Store what ``user_id`` wants of notification e-mails."""
    settings = db.session.get(NotificationSettings, user_id)
    if settings is None:
        settings = NotificationSettings(user_id=user_id)
        db.session.add(settings)
    settings.email = choice
    settings.updated_at = utcnow()
    db.session.flush()
