"""User-supplied text made safe to print on a certificate (pure).

Markup and formulas need nothing here: HTML pages escape them and a PDF has no
interpreter for them. What a PDF viewer *does* act on are invisible characters: bidi
overrides (U+202E…) can make a name read backwards or reorder the words around it, and
control characters can break lines. So every control and format character goes, except
the zero-width (non-)joiners that some scripts need to spell words.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})


def _kept(char: str) -> str:
    if char in _KEEP_FORMAT:
        return char
    category = unicodedata.category(char)
    if char in "\t\n\r" or category in _SPACE_CATEGORIES:
        return " "
    return "" if category in _DROP_CATEGORIES else char


def clean_text(text: str, limit: int) -> str:
    """``text`` in NFC without control/format characters, spaces collapsed, at most
    ``limit`` characters (cut ones end in "…")."""
    kept = "".join(_kept(c) for c in unicodedata.normalize("NFC", text or ""))
    single = " ".join(kept.split())
    if len(single) <= limit:
        return single
    return single[: limit - 1].rstrip() + ELLIPSIS


def learner_name(name: str, email: str, limit: int) -> str:
    """The name to certify: the account's name, else the part of the e-mail address
    before the @ (the full address is never printed or shown publicly)."""
    return clean_text(name, limit) or clean_text(email.partition("@")[0], limit) or "Learner"
