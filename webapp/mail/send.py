"""Render a message from ``templates/mail/<name>.{subject,txt,html}`` and send it.

Views call ``send`` AFTER their commit (a message must never point at a token that was
rolled back); it renders in the request (links are absolute) and queues the Celery task
``mail.deliver``, which retries with back-off when the server is unreachable.

A message is written in its recipient's language, not the request's: the ``user`` in the
context (a ``User``), else the account with the ``to`` address, chose it on the profile;
nobody chose one: English.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.i18n import DEFAULT, LANGUAGES
from webapp.models import User


@dataclass(frozen=True)
class Message:
    """A rendered message, plain data so it can travel through the broker."""

    to: str
    subject: str
    text: str
    html: str


def recipient_locale(to: str, context: dict[str, Any]) -> str:
    """The language ``to`` reads: the context's ``user``'s, else the account's, else English."""
    user = context.get("user")
    chosen = user.locale if isinstance(user, User) else _account_locale(to)
    return chosen if chosen in LANGUAGES else DEFAULT


def _account_locale(address: str) -> str | None:
    """The language the account of ``address`` chose. Its own connection: ``send`` also
    runs after a commit (a session event), when the session may not query; a message
    whose lookup fails goes out in English rather than not at all."""
    query = select(User.locale).where(func.lower(User.email) == address.strip().lower())
    try:
        with db.engine.connect() as connection:
            return connection.scalar(query)
    except SQLAlchemyError:
        return None


def render(template: str, to: str, **context: Any) -> Message:
    """The message ``template`` for ``to``; ``context`` reaches all three templates."""
    with force_locale(recipient_locale(to, context)):
        subject = render_template(f"mail/{template}.subject.txt", **context)
        return Message(
            to=to,
            subject=" ".join(subject.split()),
            text=render_template(f"mail/{template}.txt", **context),
            html=render_template(f"mail/{template}.html", **context),
        )


def send(template: str, to: str, **context: Any) -> Message:
    """Render and queue; the worker delivers it (``webapp.mail.tasks``)."""
    from webapp.mail.tasks import deliver

    message = render(template, to, **context)
    deliver.delay(asdict(message))
    return message


def deliver_now(message: Message) -> None:
    """Hand ``message`` to the configured backend (the task's body; raises on failure)."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[message.to],
    )
    email.attach_alternative(message.html, "text/html")
    email.send(fail_silently=False)
