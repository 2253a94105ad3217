"""Saving the branding: checks the colour and images, puts the images in the media
storage, and updates the one row (``flush`` only; the view commits)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from webapp.branding.colour import contrast_problem, normalise
from webapp.branding.images import EXTENSIONS, ImageRejected, sniff
from webapp.branding.queries import stored_branding
from webapp.extensions import db
from webapp.models import BRANDING_ID, Branding
from webapp.storage import get_storage

PREFIX = "branding/"


class BrandingError(ValueError):
    """A value the branding cannot take; ``field`` names the form field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class BrandingChange:
    """What the admin asked for: ``None`` images leave the current ones as they are."""

    name: str
    colour: str = ""
    logo: bytes | None = None
    favicon: bytes | None = None
    remove_logo: bool = False
    remove_favicon: bool = False


@dataclass
class Saved:
    """The saved row and the storage keys it no longer uses (delete after the commit)."""

    branding: Branding
    stale_keys: list[str] = field(default_factory=list)


def checked_colour(text: str) -> str | None:
    """The normalised colour, None for the default; BrandingError when it is unusable."""
    if not text:
        return None
    colour = normalise(text)
    if colour is None:
        raise BrandingError("colour", _("Write the colour as #rrggbb, e.g. #1f5fbf."))
    problem = contrast_problem(colour)
    if problem:
        raise BrandingError("colour", problem)
    return colour


def checked_image(field_name: str, data: bytes | None) -> str | None:
    """The sniffed type of an uploaded image (None when nothing was uploaded)."""
    if data is None:
        return None
    try:
        return sniff(data)
    except ImageRejected as exc:
        raise BrandingError(field_name, str(exc)) from exc


def save_branding(change: BrandingChange) -> Saved:
    """Apply ``change`` to the branding row (created on first save)."""
    colour = checked_colour(change.colour)
    logo_type = checked_image("logo", change.logo)
    favicon_type = checked_image("favicon", change.favicon)
    row = stored_branding()
    if row is None:
        row = Branding(id=BRANDING_ID, name=change.name, version=0)
        db.session.add(row)
    row.name, row.primary_colour = change.name, colour
    row.version = (row.version or 0) + 1
    saved = Saved(row)
    for kind, data, ctype, remove in (
        ("logo", change.logo, logo_type, change.remove_logo),
        ("favicon", change.favicon, favicon_type, change.remove_favicon),
    ):
        old = getattr(row, f"{kind}_key")
        if data is not None and ctype is not None:
            key = f"{PREFIX}{kind}-{row.version}.{EXTENSIONS[ctype]}"
            get_storage().put_bytes(key, data, ctype)
            setattr(row, f"{kind}_key", key)
            setattr(row, f"{kind}_type", ctype)
        elif remove:
            setattr(row, f"{kind}_key", None)
            setattr(row, f"{kind}_type", None)
        if old and old != getattr(row, f"{kind}_key"):
            saved.stale_keys.append(old)
    db.session.flush()
    return saved
