"""Route-matrix entries: notifications (issue 21).

Everyone signed in has a bell, a list and e-mail settings of their own. Opening one
notification is for its recipient only (a throw-away notification of learner A; anyone
else, admins too, gets 404). The writes act on the caller's own notifications ("mark
all read", an empty id list) or send an empty settings form (400 once through).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from webapp.extensions import db
from webapp.models import Delivery
from webapp.notifications.services import notify

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def fresh_notification(world: World) -> dict[str, object]:
    """A new notification of learner A (bell only: no e-mail)."""
    notification = notify(
        world.users["learner_a"], "matrix.test", "Matrix", "/", email=Delivery.NONE
    )
    db.session.commit()
    return {"notification_id": notification.id}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import SELF, Policy, _at, _e

    recipient = Policy(
        "RECIPIENT",
        "learner A, the notification's recipient (everyone else 404, admins too)",
        "auth ok 404 404 404 404",
    )
    yield _e("notifications.index", "GET", SELF)
    yield _e(
        "notifications.open_notification",
        "GET",
        recipient,
        _at(),
        fresh=fresh_notification,
        ok=302,
    )
    yield _e("notifications.read_all", "POST", SELF, ok=302, form=lambda w: {})
    yield _e("notifications.preferences", "GET", SELF)
    yield _e("notifications.preferences", "POST", SELF, ok=400, form=lambda w: {})
    yield _e("api.list_notifications", "GET", SELF)
    yield _e("api.read_notifications", "POST", SELF, json=lambda w: {"ids": []})
