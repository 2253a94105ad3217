"""Reads for certificates: a learner's list, and the public lookup by code."""

from __future__ import annotations

from sqlalchemy import select

from webapp.certificates import codes
from webapp.extensions import db
from webapp.models import Certificate


def by_code(text: object) -> Certificate | None:
    """The certificate whose code someone typed, or None.

    Malformed input costs no query. Well-formed input costs one equality probe of a unique
    index on the code's SHA-256, so how long the answer takes does not depend on how many
    leading characters of a guess match a real code.
    """
    code = codes.normalize(text)
    if code is None:
        return None
    return db.session.scalar(
        select(Certificate).where(Certificate.code_digest == codes.digest(code))
    )


def certificates_of(user_id: int) -> list[Certificate]:
    """The learner's certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def certified_program_ids(user_id: int) -> set[int]:
    """Ids of the programs the learner already holds a certificate for."""
    return set(
        db.session.scalars(
            select(Certificate.program_id).where(
                Certificate.user_id == user_id, Certificate.program_id.is_not(None)
            )
        )
    )
