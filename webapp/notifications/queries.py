"""Reading notifications: the bell's count, a user's pages, one notification."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import EmailChoice, Notification, NotificationSettings

PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class NotificationPage:
    """One page of a user's notifications, newest first."""

    items: list[Notification]
    total: int
    unread: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def unread_count(user_id: int) -> int:
    """How many of ``user_id``'s notifications are unread (one indexed count)."""
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notification_page(user_id: int, page: int = 1, per_page: int = PER_PAGE) -> NotificationPage:
    """Page ``page`` of ``user_id``'s notifications, newest first."""
    total = int(
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user_id)
        )
        or 0
    )
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return NotificationPage(list(items), total, unread_count(user_id), page, per_page)


def notification_of(user_id: int, notification_id: int) -> Notification | None:
    """``notification_id`` if it is ``user_id``'s, else None."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    return notification


def email_choice(user_id: int) -> EmailChoice:
    """What ``user_id`` wants of notification e-mails (``ALL`` until they choose)."""
    choice = db.session.scalar(
        select(NotificationSettings.email).where(NotificationSettings.user_id == user_id)
    )
    return choice or EmailChoice.ALL
