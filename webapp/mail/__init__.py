"""E-mail: messages rendered from templates (text + HTML), handed to a Celery task that
sends them with retries through Flask-Mailman. Without ``MAIL_URL`` the backend writes
each message to ``instance/outbox/`` (``outbox.py``); with it, SMTP."""

from webapp.mail.send import Message, deliver_now, render, send

__all__ = ["Message", "deliver_now", "render", "send"]
