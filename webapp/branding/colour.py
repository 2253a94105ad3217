"""Colour rules for the primary colour: its form (``#rrggbb``) and WCAG contrast.

The primary colour is the background of primary buttons (white text on it) and the
colour of links on the light theme's page background, so it must reach WCAG AA's
4.5:1 against both.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

HEX = re.compile(r"^#[0-9a-f]{6}$")
WHITE = "#ffffff"
PAGE_BACKGROUND = "#f6f7fb"  # --bg of the light theme (app.css)
AA_TEXT = 4.5


def normalise(text: str) -> str | None:
    """``#RRGGBB`` (or ``#rgb``) lower-cased to ``#rrggbb``; None when it is not one."""
    value = (text or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value if HEX.match(value) else None


def luminance(colour: str) -> float:
    """The WCAG relative luminance of ``#rrggbb``."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be the primary colour, or None when it can."""
    on_white = contrast(colour, WHITE)
    if on_white < AA_TEXT:
        return _(
            "White button text on %(colour)s has a contrast of %(ratio)s:1; WCAG AA asks "
            "for %(aa)s:1. Choose a darker colour.",
            colour=colour,
            ratio=f"{on_white:.1f}",
            aa=AA_TEXT,
        )
    on_page = contrast(colour, PAGE_BACKGROUND)
    if on_page < AA_TEXT:
        return _(
            "Links in %(colour)s on the page background have a contrast of %(ratio)s:1; "
            "WCAG AA asks for %(aa)s:1. Choose a darker colour.",
            colour=colour,
            ratio=f"{on_page:.1f}",
            aa=AA_TEXT,
        )
    return None


def darker(colour: str, factor: float = 0.8) -> str:
    """``colour`` with each channel scaled by ``factor`` (hover states)."""
    parts = (round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return "#" + "".join(f"{p:02x}" for p in parts)
