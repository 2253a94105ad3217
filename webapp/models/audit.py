"""The audit trail: an append-only table of security events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import utcnow


class AuditEvent(Model):
    """One security event: who did what to what, from where, when, and how it ended.

    Rows are only ever inserted (``webapp.audit.services``); nothing in the app updates
    or deletes one, and on PostgreSQL a trigger refuses it (migration 0031). The actor
    and the target are copied, not linked: the row keeps the e-mail address and the label
    as they were at the time, and no foreign key can make deleting a user or a video
    touch (or be blocked by) the trail.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    actor_id: Mapped[int | None] = mapped_column()
    actor_email: Mapped[str | None] = mapped_column(String(254), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
