"""Route-matrix entries: accounts (back office): sign-up, password reset, invitations."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry

_addresses = itertools.count(1)
GONE = "no-such-token"


def _new_address() -> str:
    return f"matrix-invitee-{next(_addresses)}@example.com"


def _invitation_to_cohort_a(world: World) -> dict[str, Any]:
    """A throw-away pending invitation to cohort A, sent by its instructor."""
    from webapp.accounts import services
    from webapp.extensions import db
    from webapp.models import Cohort, Role, User

    instructor = db.session.get(User, world.users["instructor_a"])
    cohort = db.session.get(Cohort, world.cohort_a)
    invitation, _ = services.invite(
        instructor, _new_address(), services.InvitationRequest(Role.LEARNER, cohort=cohort)
    )
    db.session.commit()
    return {"invitation_id": invitation.id}


def entries() -> Iterator[Entry]:
    """Every accounts route, per role."""
    from tests.support.route_matrix import ADMIN, PUBLIC, Policy, _at, _e

    # anon, learner A, learner B, instructor A (teaches cohort A), instructor B (cohort B), admin
    inviters = Policy("INVITER", "admins and cohort instructors", "auth 403 403 ok ok ok")
    cohort_a_inviter = Policy(
        "COHORT_A_INVITER",
        "admins, cohort A's instructors (other instructors 404, learners 403)",
        "auth 403 403 ok 404 ok",
    )
    invite_to_cohort_a = Policy(
        "INVITE_TO_COHORT_A",
        "admins, cohort A's instructors (anyone else 403)",
        "auth 403 403 ok 403 ok",
    )
    token = _at({"token": GONE})
    fresh = _invitation_to_cohort_a
    invitation = _at()

    yield _e("accounts.signup", "GET", PUBLIC)
    yield _e("accounts.signup", "POST", PUBLIC)  # invitation only (default): the how-to page
    yield _e("accounts.confirm_email", "GET", PUBLIC, token, ok=410)
    yield _e("accounts.resend_verification", "GET", PUBLIC)
    yield _e("accounts.resend_verification", "POST", PUBLIC, ok=400)
    yield _e("accounts.forgot_password", "GET", PUBLIC)
    yield _e("accounts.forgot_password", "POST", PUBLIC, ok=400)
    yield _e("accounts.reset_password", "GET", PUBLIC, token, ok=410)
    yield _e("accounts.reset_password", "POST", PUBLIC, token, ok=410)
    yield _e("accounts.accept_invitation", "GET", PUBLIC, token, ok=410)
    yield _e("accounts.accept_invitation", "POST", PUBLIC, token, ok=410)
    yield _e("accounts.signup_policy", "GET", ADMIN)
    yield _e("accounts.signup_policy", "POST", ADMIN, ok=400)
    yield _e("accounts.invitations", "GET", inviters)
    yield _e("accounts.invitations", "POST", inviters, ok=400)
    yield _e("accounts.bulk_invite", "GET", inviters)
    yield _e("accounts.bulk_invite", "POST", inviters, ok=400)
    yield _e(
        "accounts.resend_invitation", "POST", cohort_a_inviter, invitation, ok=302, fresh=fresh
    )
    yield _e("accounts.revoke_invitation", "GET", cohort_a_inviter, invitation, fresh=fresh)
    yield _e(
        "accounts.revoke_invitation", "POST", cohort_a_inviter, invitation, ok=302, fresh=fresh
    )

    def new_invitation(world: World) -> dict[str, Any]:
        return {"email": _new_address(), "role": "learner", "cohort_id": world.cohort_a}

    yield _e("api.create_invitation", "POST", invite_to_cohort_a, json=new_invitation, ok=201)
    yield _e("api.list_invitations", "GET", inviters)
    yield _e("api.revoke_invitation", "DELETE", cohort_a_inviter, invitation, ok=204, fresh=fresh)
    yield _e("api.resend_invitation", "POST", cohort_a_inviter, invitation, fresh=fresh)
    yield _e(
        "api.request_password_reset",
        "POST",
        PUBLIC,
        json=lambda world: {"email": _new_address()},
        ok=202,
    )
