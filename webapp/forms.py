"""What every back-office form shares: Flask-WTF forms, and validators for time zones,
single-line text and slugs. A form that fails validation is re-rendered with the data
it was posted (``templates/_forms.html``), so a rejected form loses nothing."""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field, ValidationError

from webapp.cohorts.timezones import is_valid_zone
from webapp.markdown import html_problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def single_line(form: Any, field: Field) -> None:
    """Refuse line breaks and control characters in a one-line text field (titles, names)."""
    value = field.data or ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError("Use one line of plain text (no line breaks or control characters).")


def time_zone(form: Any, field: Field) -> None:
    """An IANA time zone name such as ``Europe/Berlin``."""
    if not is_valid_zone(field.data):
        raise ValidationError(
            f"“{field.data}” is not a time zone we know; use a name such as Europe/Berlin."
        )


def slug(form: Any, field: Field) -> None:
    """Lower-case letters, digits and single hyphens (the address of a page)."""
    if field.data and not SLUG.match(field.data):
        raise ValidationError("Use lower-case letters, digits and hyphens, e.g. data-basics.")


def strip(value: object) -> object:
    """A filter: surrounding white space off text input."""
    return value.strip() if isinstance(value, str) else value


def no_raw_html(form: Any, field: Field) -> None:
    """A Markdown field: raw HTML is refused with the reason (``webapp.markdown``)."""
    if problem := html_problem(field.data or ""):
        raise ValidationError(problem)


def no_tags(form: Any, field: Field) -> None:
    """A plain-text field: anything that looks like an HTML tag is refused."""
    if problem := html_problem(field.data or "", markdown=False):
        raise ValidationError(problem)
