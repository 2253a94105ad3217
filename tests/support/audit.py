"""The audit trail in tests: reading its rows, and the clean-up's licence to empty it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import AuditEvent


def allow_purge() -> None:
    """Let this transaction delete audit rows: on PostgreSQL a trigger refuses every
    UPDATE and DELETE of ``audit_events`` unless ``learnstream.audit_purge`` is on (the
    per-test clean-up empties every table)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL learnstream.audit_purge = 'on'"))


def events(app: Flask, kind: str | None = None) -> list[dict[str, Any]]:
    """The stored events (optionally of one kind), oldest first, as plain dicts."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if kind is not None:
            query = query.where(AuditEvent.kind == kind)
        rows = db.session.scalars(query).all()
        found = [
            {c.name: getattr(row, c.name) for c in AuditEvent.__table__.columns} for row in rows
        ]
        db.session.rollback()
        return found
