"""Route-matrix entries: calendar feeds (issue 19).

The private feed's URL is its own permission (no sign-in): every role reaches a
throw-away learner's feed with its secret. "Add to calendar" follows the class: cohort
A's class for its members and admins, the masterclass for anyone. The profile's writes
act on the caller's own account (the feed reset) or send an empty form (400 once through).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

from webapp.extensions import db
from webapp.models import Role, User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def fresh_feed(world: World) -> dict[str, object]:
    """A new learner account with a calendar secret (nobody signs in with it)."""
    secret = secrets.token_urlsafe(32)
    user = User(
        email=f"feed-{secrets.token_hex(6)}@matrix.example.com",
        password_hash="!unusable",
        role=Role.LEARNER,
        calendar_secret=secret,
    )
    db.session.add(user)
    db.session.commit()
    return {"secret": secret}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import MEMBER, PUBLIC, SELF, _at, _e

    yield _e("calendar.feed", "GET", PUBLIC, _at(), fresh=fresh_feed)
    yield _e("calendar.class_file", "GET", MEMBER, _at(class_id="live_class_a"))
    yield _e(
        "calendar.class_file", "GET", PUBLIC, _at(class_id="masterclass"), variant="masterclass"
    )
    yield _e("calendar.reset_feed", "POST", SELF, ok=302, form=lambda w: {})
    yield _e("calendar.save_zone", "POST", SELF, ok=400, form=lambda w: {})
