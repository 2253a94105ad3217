"""Writes: set a video's or a module's audience and a module's free preview. They
flush; the caller commits."""

from __future__ import annotations

from typing import Any

from webapp.extensions import db
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import Audience, Module, Video

# What the forms and the API offer, with the words the pages use.
VIDEO_CHOICES: dict[str, Any] = {
    Audience.OPEN.value: _l("Everyone signed in (the open library)"),
    Audience.PROGRAM.value: _l("Members of the programs that contain it"),
    Audience.COHORT.value: _l("Members of the cohort whose class it recorded"),
    Audience.INSTRUCTORS.value: _l("Its instructors only (draft)"),
    Audience.ORGANISATION.value: _l("Members of one organisation (named below)"),
}
DEFAULT = ""  # a module's "no audience of its own"
MODULE_CHOICES: dict[str, Any] = {
    DEFAULT: _l("Default: program members while in a program, else everyone"),
    **VIDEO_CHOICES,
}


class AudienceError(ValueError):
    """An audience nobody may set (unknown, or an organisation's without one named)."""


def _owner(audience: Audience | None, slug: str | None, current: int | None) -> int | None:
    """The owning organisation's id for ``audience``: the one ``slug`` names, else the
    current owner; none for any other audience."""
    if audience is not Audience.ORGANISATION:
        return None
    if slug:
        from webapp.organisations.queries import organisation_by_slug  # noqa: PLC0415

        org = organisation_by_slug(slug.strip().lower())
        if org is None:
            raise AudienceError(f"no organisation is called {slug!r}")
        return org.id
    if current is None:
        raise AudienceError("name the organisation whose members may watch it")
    return current


def parse_audience(value: str | None, *, allow_default: bool) -> Audience | None:
    """The audience ``value`` names (None: the module default, when allowed)."""
    text = (value or "").strip().lower()
    if not text and allow_default:
        return None
    if text not in VIDEO_CHOICES:
        choices = ", ".join(VIDEO_CHOICES)
        raise AudienceError(
            f"audience must be one of {choices}" + (" or empty" if allow_default else "")
        )
    return Audience(text)


def set_video_audience(video: Video, value: str, organisation: str | None = None) -> Video:
    """Who may watch the recording (and every clip of it); ``organisation`` (a slug)
    names the owner for the organisation audience (else the video keeps its owner)."""
    audience = parse_audience(value, allow_default=False)
    assert audience is not None
    video.organisation_id = _owner(audience, organisation, video.organisation_id)
    video.audience = audience
    db.session.flush()
    return video


def set_module_audience(
    module: Module,
    value: str | None = None,
    free_preview: bool | None = None,
    *,
    keep: bool = False,
    organisation: str | None = None,
) -> Module:
    """A module's own audience (``value`` empty or None: the default) and free preview
    (None: unchanged); ``keep`` leaves the audience as it is; ``organisation`` (a slug)
    names the owner for the organisation audience."""
    if not keep:
        audience = parse_audience(value, allow_default=True)
        module.organisation_id = _owner(audience, organisation, module.organisation_id)
        module.audience = audience
    if free_preview is not None:
        module.free_preview = free_preview
    db.session.flush()
    return module
