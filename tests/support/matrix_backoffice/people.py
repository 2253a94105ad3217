"""Route-matrix entries: profile and the admin user list (back office).

Role changes and deactivation act on a throw-away account (``fresh_person``), so the
shared world's people keep their roles and sessions; the profile's writes send a form
the rules refuse (400 once the caller is through), so nobody's name changes.
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


def fresh_person(world: World) -> dict[str, object]:
    """A new learner account nobody signs in with (its password cannot match)."""
    user = User(
        email=f"person-{secrets.token_hex(6)}@matrix.example.com",
        password_hash="!unusable",
        role=Role.LEARNER,
        name="Throw-away person",
    )
    db.session.add(user)
    db.session.commit()
    return {"user_id": user.id}


def entries() -> Iterator[Entry]:
    """Every route of the profile and of the admin user list."""
    from tests.support.matrix_world import fresh_token
    from tests.support.route_matrix import ADMIN, PUBLIC, SELF, TOKEN_HOLDER, _at, _e

    # The profile: the caller's own account. An empty name is refused (400).
    yield _e("people.profile", "GET", SELF)
    yield _e("people.profile", "POST", SELF, ok=400, form=lambda w: {})
    yield _e("people.create_token", "POST", SELF, ok=400, form=lambda w: {})
    yield _e("people.revoke", "GET", TOKEN_HOLDER, _at(), fresh=fresh_token)
    yield _e("people.revoke", "POST", TOKEN_HOLDER, _at(), fresh=fresh_token, ok=302)
    # The link from the message is the permission itself; an unknown one is a 400 page.
    yield _e("people.confirm_email", "GET", PUBLIC, _at({"token": "not-a-token"}), ok=400)
    yield _e("api.get_me", "GET", SELF)
    yield _e("api.patch_me", "PATCH", SELF, json=lambda w: {})

    # The admin user list.
    yield _e("people.users", "GET", ADMIN)
    person = {"values": _at(), "fresh": fresh_person, "ok": 302}
    yield _e("people.change_role", "POST", ADMIN, form=lambda w: {"role": "instructor"}, **person)
    yield _e("people.deactivate", "POST", ADMIN, **person)
    yield _e("people.reactivate", "POST", ADMIN, **person)
    yield _e("people.sign_out_everywhere", "POST", ADMIN, **person)
    yield _e("api.list_users", "GET", ADMIN)
    yield _e(
        "api.patch_user",
        "PATCH",
        ADMIN,
        _at(),
        fresh=fresh_person,
        json=lambda w: {"role": "instructor", "active": False},
    )
