"""LIKE patterns built from what a person typed: ``%``, ``_`` and ``\\`` in it match
themselves, not any text (use with ``escape=LIKE_ESCAPE``)."""

from __future__ import annotations

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str) -> str:
    """A LIKE pattern matching values that contain ``text``."""
    return f"%{escape_like(text)}%"
