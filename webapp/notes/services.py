"""Writes for notes and bookmarks: create, change, delete, each checked here first.

Every function only flushes; the request that called it commits. A refused input raises
``NoteError`` with a message meant for the learner (the API answers it with 400).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Note, NoteKind, User, Video

MAX_BODY = 5000
MAX_NOTES_PER_VIDEO = 2000
# Line breaks and tabs are kept; every other control character goes (PostgreSQL refuses
# NUL in text, and the rest only garble a page or a PDF).
_KEEP = frozenset("\n\t")
_NEWLINES = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


class NoteError(ValueError):
    """A note or bookmark the learner asked for cannot be stored as asked."""


def check_position(position: float, video: Video) -> float:
    """Seconds from the start (finite and non-negative, as the API's schema declares),
    at most the video's duration (when it is known), rounded to the millisecond."""
    if video.duration is not None and position > video.duration:
        raise NoteError(f"position is past the end of the video ({video.duration:g} s)")
    return round(position, 3)


def clean_body(body: str | None) -> str:
    """The text in NFC with ``\\n`` line breaks and no other control characters,
    without leading or trailing blank space."""
    if body is None:
        return ""
    text = unicodedata.normalize("NFC", body)
    for old, new in _NEWLINES.items():
        text = text.replace(old, new)
    text = "".join(c for c in text if c in _KEEP or unicodedata.category(c) != "Cc")
    return text.strip()


def check_body(body: str | None, kind: NoteKind) -> str:
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


def create_note(
    user: User, video: Video, *, kind: NoteKind, position: float, body: str | None
) -> Note:
    """A new note or bookmark (``kind``) of ``user`` on ``video``. The caller has checked
    that ``user`` may watch ``video``."""
    position = check_position(position, video)
    text = check_body(body, kind)
    if _count(user.id, video.id) >= MAX_NOTES_PER_VIDEO:
        raise NoteError(f"you already have {MAX_NOTES_PER_VIDEO:,} notes on this video")
    note = Note(user_id=user.id, video_id=video.id, kind=kind, position=position, body=text)
    db.session.add(note)
    db.session.flush()
    return note


def update_note(
    note: Note, video: Video, *, body: str | None = None, position: float | None = None
) -> Note:
    """Change ``body`` and/or ``position`` of ``note`` (a note of ``video``; None leaves
    a value as it is); nothing is changed if any of it is refused."""
    if body is None and position is None:
        raise NoteError('send "body" and/or "position" to change')
    text = check_body(body, note.kind) if body is not None else note.body
    moment = check_position(position, video) if position is not None else note.position
    note.body = text
    note.position = moment
    db.session.flush()
    return note


def delete_note(note: Note) -> None:
    """Remove ``note``."""
    db.session.delete(note)
    db.session.flush()
