"""Caption languages: BCP 47 tags (a simple, common subset) and their labels (pure)."""

from __future__ import annotations

import re
import unicodedata

from webapp.captions.errors import CaptionError

MAX_TAG = 35
MAX_LABEL = 80

# language[-Script][-REGION], e.g. "en", "pt-BR", "zh-Hant", "zh-Hant-TW", "es-419".
# Private-use and extension subtags are not needed for captions and are refused.
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?$")

# Names for the tags instructors use most, so the label can be left out.
KNOWN_LABELS = {
    "ar": "العربية",
    "de": "Deutsch",
    "en": "English",
    "en-GB": "English (UK)",
    "en-US": "English (US)",
    "es": "Español",
    "fr": "Français",
    "hi": "हिन्दी",
    "it": "Italiano",
    "ja": "日本語",
    "ko": "한국어",
    "nl": "Nederlands",
    "pl": "Polski",
    "pt": "Português",
    "pt-BR": "Português (Brasil)",
    "ru": "Русский",
    "sv": "Svenska",
    "tr": "Türkçe",
    "uk": "Українська",
    "zh": "中文",
    "zh-Hans": "中文（简体）",
    "zh-Hant": "中文（繁體）",
}


# Embeddings, overrides and isolates could make a label display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def normalize_tag(value: object) -> str:
    """A BCP 47 tag in its canonical case ("PT-br" → "pt-BR"), or CaptionError."""
    if not isinstance(value, str) or not value.strip():
        raise CaptionError("language is required (a BCP 47 tag such as en, fr or pt-BR)")
    tag = value.strip().replace("_", "-")
    match = _TAG.match(tag) if len(tag) <= MAX_TAG else None
    if match is None:
        raise CaptionError(
            f"language {value[:40]!r} is not a BCP 47 tag such as en, fr, pt-BR or zh-Hant"
        )
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def is_tag(value: str) -> bool:
    """Whether ``value`` is already a canonical tag (for URL segments)."""
    try:
        return normalize_tag(value) == value
    except CaptionError:
        return False


def primary(tag: str) -> str:
    """The language subtag: "pt-BR" → "pt"."""
    return tag.split("-", 1)[0]


def default_label(tag: str) -> str:
    """A human name for ``tag``: a known name, else that of its language, else the tag."""
    if tag in KNOWN_LABELS:
        return KNOWN_LABELS[tag]
    base = KNOWN_LABELS.get(primary(tag))
    return f"{base} ({tag})" if base else tag


def clean_label(value: str | None, tag: str) -> str:
    """The label shown in the caption menu: trimmed, one line, no control characters;
    empty means the default label of ``tag``."""
    if value is None:
        return default_label(tag)
    label = " ".join(value.split())
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in label):
        raise CaptionError("label must not contain control characters")
    if len(label) > MAX_LABEL:
        raise CaptionError(f"label has at most {MAX_LABEL} characters")
    return label or default_label(tag)
