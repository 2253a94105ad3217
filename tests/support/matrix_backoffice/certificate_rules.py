"""Route-matrix entries: certificate rules and revocation (issue 19).

Page writes send a form the rules refuse (400 once the caller is through); the API
validates bodies first, so it gets valid ones: the default rule stored again, and the
revocation of a throw-away certificate. Learner A's certificate stays valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import select

from tests.support.matrix_backoffice.people import fresh_person
from webapp.certificates.services import issue_certificate
from webapp.extensions import db
from webapp.models import Program, User

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry


def fresh_certificate(world: World) -> dict[str, object]:
    """A throw-away person's certificate of program A (to revoke)."""
    user = db.session.get_one(User, fresh_person(world)["user_id"])
    program = db.session.scalar(select(Program).where(Program.slug == world.program_a))
    assert program is not None
    certificate, _ = issue_certificate(user, program)
    db.session.commit()
    return {"code": certificate.code}


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import ADMIN, SELF, _at, _e

    program = _at(slug="program_a")
    certificate = _at(code="certificate")
    yield _e("certificates.manage_rule", "GET", ADMIN, program)
    yield _e("certificates.manage_rule", "POST", ADMIN, program, ok=400, form=lambda w: {})
    yield _e("certificates.revoke", "GET", ADMIN, certificate)
    yield _e("certificates.revoke", "POST", ADMIN, certificate, ok=400, form=lambda w: {})
    yield _e("api.get_certificate_rule", "GET", ADMIN, program)
    yield _e(
        "api.put_certificate_rule",
        "PUT",
        ADMIN,
        program,
        json=lambda w: {},
    )
    yield _e(
        "api.revoke_certificate",
        "POST",
        ADMIN,
        _at(),
        fresh=fresh_certificate,
        json=lambda w: {"reason": "Issued by mistake"},
    )
    yield _e("api.my_certificate_status", "GET", SELF, program)
