"""Reads for the audience forms: the organisations one may name."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Organisation


def organisation_choices() -> list[tuple[str, str]]:
    """Every organisation as (slug, name), by name."""
    rows = db.session.execute(
        select(Organisation.slug, Organisation.name).order_by(Organisation.name)
    ).all()
    return [(slug, name) for slug, name in rows]


def organisation_slug(organisation_id: int | None) -> str:
    """The slug of the organisation ``organisation_id`` (empty for none)."""
    if organisation_id is None:
        return ""
    return (
        db.session.scalar(select(Organisation.slug).where(Organisation.id == organisation_id)) or ""
    )
