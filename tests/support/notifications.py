"""Helpers of the notification tests: make notifications, read them back, read the bell."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask

from webapp.extensions import db
from webapp.models import Delivery, Notification
from webapp.notifications.services import notify

BELL = re.compile(r'<a class="bell[^"]*"[^>]*aria-label="([^"]*)"[^>]*>(.*?)</a>', re.S)
TAG = re.compile(r"<[^>]+>")


def make(
    app: Flask,
    user_id: int,
    title: str = "Your question was answered",
    url: str = "/videos/1?t=42",
    email: Delivery = Delivery.NONE,
) -> int:
    """One committed notification of ``user_id``; its id."""
    with app.app_context():
        notification = notify(user_id, "test.event", title, url, email=email)
        db.session.commit()
        return notification.id


def state(app: Flask, notification_id: int) -> tuple[datetime | None, datetime | None]:
    """(read_at, emailed_at) of a notification."""
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        assert row is not None
        return row.read_at, row.emailed_at


def bell_text(html: str) -> str:
    """The header bell's accessible name ("Notifications, 3 unread"), checked against
    its visible text ("Notifications 3")."""
    match = BELL.search(html)
    assert match, "no bell in the page"
    name, visible = match.group(1), " ".join(TAG.sub("", match.group(2)).split())
    count = name.removeprefix("Notifications, ").removesuffix(" unread")
    assert visible == f"Notifications {count if int(count) < 100 else '99+'}"
    return name


CHECKED = re.compile(r'<input checked [^>]*name="notification_email" [^>]*value="([a-z]+)"')


def checked_choice(html: str) -> str | None:
    """The e-mail choice checked in a rendered settings form."""
    match = CHECKED.search(html)
    return match.group(1) if match else None
