"""Per-user player preferences (caption language, speed, volume, mute): read and update.

Every field may be null ("not chosen": the player uses its own default). An update
names only the fields it changes; unknown fields are refused rather than ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from webapp.captions.errors import CaptionError
from webapp.captions.languages import normalize_tag
from webapp.extensions import db
from webapp.models import User, UserPreferences

FIELDS = ("caption_language", "playback_rate", "volume", "muted")
MIN_RATE, MAX_RATE = 0.25, 4.0


class PreferenceError(ValueError):
    """A preference value is not acceptable (400); the message names the field."""


def preferences_of(user: User) -> UserPreferences | None:
    """The user's row, if they ever saved a preference."""
    return db.session.get(UserPreferences, user.id)


def preferences_json(prefs: UserPreferences | None) -> dict[str, Any]:
    """Every field, null when not chosen."""
    return {name: getattr(prefs, name) if prefs is not None else None for name in FIELDS}


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PreferenceError(f"{name} must be a number from {low:g} to {high:g}, or null")
    if not low <= value <= high:
        raise PreferenceError(f"{name} must be from {low:g} to {high:g}")
    return round(float(value), 3)


def _language(value: object) -> str:
    try:
        return normalize_tag(value)
    except CaptionError as exc:
        raise PreferenceError(f"caption_language: {exc}") from None


def _value(name: str, value: object) -> object:
    if value is None:
        return None
    if name == "caption_language":
        return _language(value)
    if name == "playback_rate":
        return _number(value, name, MIN_RATE, MAX_RATE)
    if name == "volume":
        return _number(value, name, 0.0, 1.0)
    if not isinstance(value, bool):
        raise PreferenceError("muted must be true, false or null")
    return value


def update_preferences(user: User, payload: Mapping[str, object]) -> UserPreferences:
    """Set the named fields (null clears one); validates everything before changing any."""
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        raise PreferenceError(
            f"unknown preference {', '.join(unknown)}; allowed: {', '.join(FIELDS)}"
        )
    values = {name: _value(name, value) for name, value in payload.items()}
    prefs = preferences_of(user)
    if prefs is None:
        prefs = UserPreferences(user_id=user.id)
        db.session.add(prefs)
    for name, value in values.items():
        setattr(prefs, name, value)
    db.session.flush()
    return prefs
