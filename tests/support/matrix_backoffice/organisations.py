"""Route-matrix entries: organisations (issue 19).

No matrix role manages an organisation, so every manager page and API route answers 404
to everyone but admins (who reach every organisation's), and ``/org/`` (the caller's own
organisation) 404 to all but admins (sent to the list of organisations). Each case runs
on a throw-away organisation (``fresh_org``) whose one person is a throw-away member; the
admin pages answer 403 to non-admins first.
Writes send what the rules refuse (400 once the caller is through), except removing the
throw-away member (302).
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


def fresh_org(world: World) -> dict[str, object]:
    """A new organisation with one throw-away member (nobody signs in as them)."""
    from webapp.organisations import services

    token = secrets.token_hex(6)
    person = User(
        email=f"org-person-{token}@matrix.example.com",
        password_hash="!unusable",
        role=Role.LEARNER,
        name="Throw-away member",
    )
    db.session.add(person)
    org = services.create_organisation(f"Org {token}", f"org-{token}")
    services.add_member(org, person)
    db.session.commit()
    return {"slug": org.slug, "user_id": person.id}


def fresh_assignment(world: World) -> dict[str, object]:
    """A throw-away organisation whose member is assigned program A (one seat)."""
    from webapp.learning.services import program_by_slug
    from webapp.organisations import services
    from webapp.organisations.queries import organisation_by_slug

    made = fresh_org(world)
    org = organisation_by_slug(str(made["slug"]))
    program = program_by_slug(world.program_a)
    person = db.session.get(User, made["user_id"])
    assert org is not None and program is not None and person is not None
    services.set_seats(org, program, 1)
    services.assign(org, person, program, None, None)
    db.session.commit()
    return {"slug": org.slug, "user_id": person.id, "program": program.slug}


def _slug_only(world: World) -> dict[str, object]:
    return {"slug": fresh_org(world)["slug"]}


def entries() -> Iterator[Entry]:
    """The admin's organisation pages, the manager's pages and API, the learner's list."""
    from tests.support.route_matrix import ADMIN, SELF, Policy, _at, _e

    manager = Policy(
        "ORG_MANAGER",
        "the organisation's managers (no matrix role), admins; everyone else 404",
        "auth 404 404 404 404 ok",
    )
    own = Policy(
        "ORG_MINE",
        "the caller's own organisation, as its manager (admins: the list)",
        "auth 404 404 404 404 ok",
    )
    org = {"values": _at(), "fresh": _slug_only}

    yield _e("organisations.admin_list", "GET", ADMIN)
    yield _e("organisations.admin_create", "POST", ADMIN, ok=400, form=lambda w: {})
    yield _e("organisations.admin_detail", "GET", ADMIN, **org)
    yield _e("organisations.admin_add_member", "POST", ADMIN, ok=400, form=lambda w: {}, **org)
    yield _e("organisations.admin_set_seats", "POST", ADMIN, ok=400, form=lambda w: {}, **org)
    yield _e("organisations.admin_private_program", "POST", ADMIN, ok=400, form=lambda w: {}, **org)
    yield _e("organisations.admin_remove_member", "POST", ADMIN, _at(), fresh=fresh_org, ok=302)

    yield _e("organisations.mine", "GET", own, ok=302)
    yield _e("organisations.dashboard", "GET", manager, **org)
    yield _e("organisations.dashboard_csv", "GET", manager, **org)
    yield _e("organisations.people", "GET", manager, **org)
    yield _e("organisations.assign", "GET", manager, **org)
    yield _e("organisations.assign", "POST", manager, ok=400, form=lambda w: {}, **org)
    yield _e("api.org_dashboard_api", "GET", manager, **org)
    yield _e("api.org_people_api", "GET", manager, **org)
    # The person is the organisation's own; it holds no seat in the program: 400.
    yield _e(
        "api.org_assign_api",
        "POST",
        manager,
        _at(),
        fresh=_org_for_body,
        ok=400,
        json=lambda w: {"user_id": _ORG_OF_BODY["user_id"], "program": "not-held"},
    )
    yield _e("api.my_assignments", "GET", SELF)
    taken_back = {"values": _at(), "fresh": fresh_assignment}
    yield _e("organisations.unassign", "POST", manager, ok=302, **taken_back)
    yield _e("api.org_unassign_api", "DELETE", manager, ok=204, **taken_back)


# The API body is made from the world alone: the throw-away organisation of the case is
# remembered here for it (the case makes it just before it sends the body).
_ORG_OF_BODY: dict[str, object] = {}


def _org_for_body(world: World) -> dict[str, object]:
    made = fresh_org(world)
    _ORG_OF_BODY.update(made)
    return {"slug": made["slug"]}
