"""``lazy_gettext`` for form labels, hints, choices and validator messages.

Flask-Babel's ``LazyString.__html__`` returns the translated text unescaped, so a label
such as "browser's zone" would reach the page as ``browser's`` instead of
``browser&#39;s`` (and a translation could inject markup). This lazy string is escaped
like any other text when Jinja or WTForms render it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, gettext
from markupsafe import escape


class EscapedLazyString(LazyString):
    """A lazy translation that renders escaped in HTML."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables: Any) -> EscapedLazyString:
    """The translation of ``string`` in the language of the request that uses it."""
    return EscapedLazyString(gettext, string, **variables)
