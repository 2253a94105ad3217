"""Writes for notes and bookmarks: create, change, delete, each checked here first.

Every function only flushes; the request that called it commits. A refused input raises
``NoteError`` with a message meant for the learner (the API answers it with 400).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Note, NoteKind, User, Video

MAX_BODY = 5000
MAX_NOTES_PER_VIDEO = 2000
CREATE_FIELDS = frozenset({"kind", "position", "body"})
UPDATE_FIELDS = frozenset({"body", "position"})
# Line breaks and tabs are kept; every other control character goes (PostgreSQL refuses
# NUL in text, and the rest only garble a page or a PDF).
_KEEP = frozenset("\n\t")
_NEWLINES = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


class NoteError(ValueError):
    """A note or bookmark the learner asked for cannot be stored as asked."""


def check_fields(payload: object, allowed: frozenset[str]) -> Mapping[str, Any]:
    """``payload`` as a JSON object holding only ``allowed`` fields."""
    if not isinstance(payload, dict):
        raise NoteError("send a JSON object (Content-Type: application/json)")
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise NoteError(
            f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    return payload


def check_kind(kind: object) -> NoteKind:
    """``"note"`` or ``"bookmark"``, as a :class:`NoteKind`."""
    if isinstance(kind, str):
        with suppress(ValueError):
            return NoteKind(kind)
    raise NoteError('kind must be "note" or "bookmark"')


def check_position(position: object, video: Video) -> float:
    """Seconds from the start, from 0 to the video's duration (when it is known),
    rounded to the millisecond."""
    if position is None:
        raise NoteError("position is required: seconds from the start of the video")
    if isinstance(position, bool) or not isinstance(position, int | float):
        raise NoteError("position must be a number of seconds")
    if not math.isfinite(position):
        raise NoteError("position must be a finite number of seconds")
    if position < 0:
        raise NoteError("position cannot be negative")
    if video.duration is not None and position > video.duration:
        raise NoteError(f"position is past the end of the video ({video.duration:g} s)")
    return round(float(position), 3)


def clean_body(body: object) -> str:
    """The text in NFC with ``\\n`` line breaks and no other control characters,
    without leading or trailing blank space."""
    if body is None:
        return ""
    if not isinstance(body, str):
        raise NoteError("body must be a string")
    text = unicodedata.normalize("NFC", body)
    for old, new in _NEWLINES.items():
        text = text.replace(old, new)
    text = "".join(c for c in text if c in _KEEP or unicodedata.category(c) != "Cc")
    return text.strip()


def check_body(body: object, kind: NoteKind) -> str:
    """The cleaned text: required for a note, optional for a bookmark, at most
    ``MAX_BODY`` characters."""
    text = clean_body(body)
    if kind == NoteKind.NOTE and not text:
        raise NoteError("a note needs some text (a bookmark may have none)")
    if len(text) > MAX_BODY:
        raise NoteError(f"the text is over the {MAX_BODY:,} character limit ({len(text):,})")
    return text


def _count(user_id: int, video_id: int) -> int:
    total = db.session.scalar(
        select(func.count(Note.id)).where(Note.user_id == user_id, Note.video_id == video_id)
    )
    return int(total or 0)


def create_note(user: User, video: Video, payload: object) -> Note:
    """A new note or bookmark of ``user`` on ``video`` from ``{kind, position, body}``
    (``kind`` defaults to ``"note"``). The caller has checked that ``user`` may watch
    ``video``."""
    fields = check_fields(payload, CREATE_FIELDS)
    kind = check_kind(fields.get("kind", NoteKind.NOTE))
    position = check_position(fields.get("position"), video)
    body = check_body(fields.get("body"), kind)
    if _count(user.id, video.id) >= MAX_NOTES_PER_VIDEO:
        raise NoteError(f"you already have {MAX_NOTES_PER_VIDEO:,} notes on this video")
    note = Note(user_id=user.id, video_id=video.id, kind=kind, position=position, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def update_note(note: Note, video: Video, payload: object) -> Note:
    """Change ``body`` and/or ``position`` of ``note`` (a note of ``video``); nothing is
    changed if any of it is refused."""
    fields = check_fields(payload, UPDATE_FIELDS)
    if not fields:
        raise NoteError('send "body" and/or "position" to change')
    body = check_body(fields["body"], note.kind) if "body" in fields else note.body
    position = check_position(fields["position"], video) if "position" in fields else note.position
    note.body = body
    note.position = position
    db.session.flush()
    return note


def delete_note(note: Note) -> None:
    """Remove ``note``."""
    db.session.delete(note)
    db.session.flush()
