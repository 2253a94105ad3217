"""What a user is told in the app (the bell) and, by their choice, by e-mail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow


class Delivery(StrEnum):
    """How a notification also travels by e-mail."""

    NOW = "now"  # its own e-mail, right after the commit that made it
    DIGEST = "digest"  # gathered into at most one e-mail per hour per user
    NONE = "none"  # the bell only


class Notification(Model):
    """One line in a user's bell: what happened, and where to look."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_pending_mail", "delivery", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "question.answered"
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500))  # a path inside the site
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, 10), default=Delivery.NOW)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailChoice(StrEnum):
    """What a user wants of notification e-mails (set on their profile)."""

    ALL = "all"  # as each notification asks: right away, or in the hourly digest
    DIGEST = "digest"  # everything gathered into the hourly digest
    OFF = "off"  # the bell only


class NotificationSettings(Model):
    """A user's choice of notification e-mails; no row means ``EmailChoice.ALL``."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[EmailChoice] = mapped_column(str_enum(EmailChoice, 10), default=EmailChoice.ALL)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DigestClaim(Model):
    """When a user's last notification digest went: one row per user, moved forward by a
    conditional UPDATE (or created by an INSERT on the primary key), so two concurrent
    digest runs cannot both send within the hour."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
