"""The Celery task that e-mails one notification after the commit that created it
(``events.py`` queues it; ``digest.py`` holds the hourly digest's beat task)."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy.exc import OperationalError

from webapp.notifications.events import EMAIL_TASK
from webapp.notifications.mailing import email_now


@shared_task(name=EMAIL_TASK, autoretry_for=(OperationalError,), retry_backoff=2, max_retries=5)
def email_notification(notification_id: int) -> bool:
    """E-mail one ``Delivery.NOW`` notification (at most once, whatever the deliveries)."""
    return email_now(int(notification_id))
