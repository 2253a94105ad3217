"""The platform's look, set by an admin: its name, primary colour, logo and favicon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import utcnow

BRANDING_ID = 1  # one row: the site has one look


class Branding(Model):
    """The one branding row (absent until an admin saves the form once).

    Images live in the media storage under ``*_key`` with the type sniffed on upload;
    ``version`` grows on every save and tags the stylesheet and image URLs.
    """

    __tablename__ = "branding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    primary_colour: Mapped[str | None] = mapped_column(String(7))
    logo_key: Mapped[str | None] = mapped_column(String(200))
    logo_type: Mapped[str | None] = mapped_column(String(40))
    favicon_key: Mapped[str | None] = mapped_column(String(200))
    favicon_type: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
