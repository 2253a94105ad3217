"""API routes for the caller's own notifications: the list with the unread count, and
marking read. Another user's notification id is 404 and changes nothing."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import g, url_for
from pydantic import Field

from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, Timestamp, operation
from webapp.extensions import db
from webapp.models import Notification
from webapp.notifications import services
from webapp.notifications.links import safe_path
from webapp.notifications.queries import MAX_PER_PAGE, PER_PAGE, notification_page, unread_count
from webapp.notifications.services import NotificationError
from webapp.problems import ApiError, FieldError

MAX_IDS = 500


class NotificationOut(Output):
    """One notification."""

    id: int
    kind: str = Field(description='What happened, e.g. "question.answered".')
    title: str = Field(description="Plain text (escape it when showing it as HTML).")
    url: str | None = Field(description="The page it is about (a path of this site).")
    open_url: str = Field(description="Opens the page and marks the notification read.")
    created_at: Timestamp
    read: bool

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        """The shape of ``notification``."""
        return cls(
            id=notification.id,
            kind=notification.kind,
            title=notification.title,
            url=safe_path(notification.url),
            open_url=url_for("notifications.open_notification", notification_id=notification.id),
            created_at=notification.created_at,
            read=notification.read_at is not None,
        )


class NotificationList(Output):
    """One page of the caller's notifications, newest first, and their unread count."""

    items: list[NotificationOut]
    unread: int
    total: int
    page: int
    per_page: int


class Paging(Query):
    """Which page."""

    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)


class MarkRead(Input):
    """Which notifications to mark read: ``ids`` (the caller's own) or ``all: true``."""

    ids: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, max_length=MAX_IDS, description="Ids of the caller's notifications."
    )
    all: Literal[True] | None = Field(default=None, description="true: every notification.")


class MarkedOut(Output):
    """What marking did."""

    marked: int = Field(description="How many were unread and are now read.")
    unread: int


@operation(bp, "GET", "/notifications", query=Paging, responses={200: NotificationList})
def list_notifications(query: Paging) -> NotificationList:
    """The caller's notifications, newest first, with the unread count."""
    page = notification_page(g.user.id, query.page, query.per_page)
    return NotificationList(
        items=[NotificationOut.of(n) for n in page.items],
        unread=page.unread,
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


@operation(
    bp,
    "POST",
    "/notifications/read",
    body=MarkRead,
    responses={200: MarkedOut},
    errors=(404,),
)
def read_notifications(body: MarkRead) -> MarkedOut:
    """Mark notifications read: ``{ids: [...]}`` or ``{all: true}``.

    Every id must be one of the caller's notifications; otherwise 404 and nothing is
    marked."""
    if (body.ids is None) == (body.all is None):
        message = "send either ids or all: true"
        raise ApiError(400, message, [FieldError("ids", message), FieldError("all", message)])
    try:
        if body.all:
            marked = services.mark_all_read(g.user.id)
        else:
            marked = services.mark_read(g.user.id, body.ids or [])
    except NotificationError as exc:
        db.session.rollback()
        raise ApiError(404, str(exc), [FieldError(exc.field, str(exc))]) from None
    db.session.commit()
    return MarkedOut(marked=marked, unread=unread_count(g.user.id))
