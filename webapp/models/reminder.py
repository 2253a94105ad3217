"""Class reminders already sent: one row per class, member and offset, so each goes once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import utcnow


class ClassReminder(Model):
    """The reminder ``hours`` before ``class_id`` for ``user_id`` was sent (or skipped)."""

    __tablename__ = "class_reminders"
    __table_args__ = (UniqueConstraint("class_id", "user_id", "hours", name="uq_class_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("live_classes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hours: Mapped[int] = mapped_column(Integer)
    # False: a later (closer) reminder was due at the same time and went instead.
    sent: Mapped[bool] = mapped_column(default=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
