"""The site's look as pages need it, read once per request (one primary-key lookup)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.models import BRANDING_ID, Branding

DEFAULT_NAME = "Learnstream"


@dataclass(frozen=True)
class Look:
    """Name, colour and images of the site (the defaults when nothing is saved)."""

    name: str = DEFAULT_NAME
    colour: str | None = None
    logo_type: str | None = None
    favicon_type: str | None = None
    version: int = 0

    @property
    def custom_logo(self) -> bool:
        """Whether an admin uploaded a logo (else the shipped SVG)."""
        return self.logo_type is not None


def stored_branding() -> Branding | None:
    """The branding row, if an admin ever saved one."""
    return db.session.get(Branding, BRANDING_ID)


def current_look() -> Look:
    """The look for this request, cached on ``g`` (the header asks several times); the
    defaults when the database cannot answer (an error page must still render)."""
    look = g.get("branding_look")
    if look is None:
        try:
            row = stored_branding()
        except SQLAlchemyError:
            row = None
        look = Look() if row is None else look_of(row)
        g.branding_look = look
    return look


def look_of(row: Branding) -> Look:
    """The :class:`Look` a stored row describes."""
    return Look(
        name=row.name or DEFAULT_NAME,
        colour=row.primary_colour,
        logo_type=row.logo_type if row.logo_key else None,
        favicon_type=row.favicon_type if row.favicon_key else None,
        version=row.version,
    )
