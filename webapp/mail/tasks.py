"""The Celery task that delivers a rendered message, retried with back-off."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task

from webapp.mail.send import Message, deliver_now

# A server that is down or refuses for now is tried again: 10 s, 20 s, 40 s… for about
# an hour in all. A message the server rejects for good (bad recipient) is not.
RETRY_ON = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
MAX_RETRIES = 8


@shared_task(
    name="mail.deliver",
    autoretry_for=RETRY_ON,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def deliver(message: dict[str, Any]) -> None:
    """Send one message (``Message`` as a dict)."""
    deliver_now(Message(**message))
