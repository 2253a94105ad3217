"""A notification to e-mail right away leaves after the commit that created it: ``notify``
names it here, the commit queues one ``notifications.email`` task per name, and a
rollback forgets them (the same pattern as ``webapp/certificates/events.py``)."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from webapp.extensions import db

log = logging.getLogger(__name__)
PENDING = "notifications_to_email"
EMAIL_TASK = "notifications.email"


def email_after_commit(notification_id: int) -> None:
    """Queue the e-mail of ``notification_id`` once the current session commits."""
    db.session.info.setdefault(PENDING, set()).add(notification_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    celery = current_app.extensions["celery"]
    for notification_id in sorted(pending):
        try:
            celery.send_task(EMAIL_TASK, args=[notification_id])
        except Exception:  # the commit stands; the bell still shows it
            log.exception("notification e-mail %s not queued", notification_id)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # Only the whole transaction's rollback: a savepoint's leaves the others standing
    # (a notification rolled back with its savepoint is found missing by the task).
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
