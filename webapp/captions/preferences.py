"""Per-user player preferences (caption language, speed, volume, mute): read and update.

Every field may be null ("not chosen": the player uses its own default). An update
names only the fields it changes; the API's schema (``webapp/captions/api.py``) has
checked each value's type and range already.
"""

from __future__ import annotations

from typing import TypedDict

from webapp.extensions import db
from webapp.models import User, UserPreferences
from webapp.progress.beats import PLAYER_MAX_RATE

# The speed menu's range: a saved speed the player cannot offer would only be capped there.
MIN_RATE, MAX_RATE = 0.25, PLAYER_MAX_RATE


class PreferenceChanges(TypedDict, total=False):
    """The fields an update sets (null clears one); values are already valid."""

    caption_language: str | None
    playback_rate: float | None
    volume: float | None
    muted: bool | None


def preferences_of(user: User) -> UserPreferences | None:
    """The user's row, if they ever saved a preference."""
    return db.session.get(UserPreferences, user.id)


def update_preferences(user: User, changes: PreferenceChanges) -> UserPreferences:
    """Set the named fields (null clears one); numbers are kept to three decimals."""
    prefs = preferences_of(user)
    if prefs is None:
        prefs = UserPreferences(user_id=user.id)
        db.session.add(prefs)
    for name, value in changes.items():
        if isinstance(value, float):
            value = round(value, 3)
        setattr(prefs, name, value)
    db.session.flush()
    return prefs
