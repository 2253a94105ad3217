"""API routes for the caller's own notes and bookmarks on a video.

The caller must be able to watch the video (else 404, as for the video itself); a note
is only ever seen or changed by its author: anyone else's note id is 404, never 403, so
ids do not tell that a note exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from flask import g, url_for
from pydantic import Field, field_validator

from webapp.access import video_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.extensions import db
from webapp.models import Note, NoteKind
from webapp.notes import services
from webapp.notes.export import start_second
from webapp.notes.queries import note_of, notes_for_video
from webapp.notes.services import NoteError
from webapp.problems import ApiError

Seconds = Annotated[
    float, Field(ge=0, allow_inf_nan=False, description="Seconds from the start of the video.")
]
BODY_DOC = "The text (cleaned of control characters; a note needs some, a bookmark may not)."


class NewNote(Input):
    """A note or bookmark to add."""

    kind: Literal["note", "bookmark"] = "note"
    position: Seconds
    body: str | None = Field(default=None, description=BODY_DOC)


class NoteChange(Input):
    """What to change of a note: its ``body`` and/or ``position`` (absent: unchanged)."""

    body: str | None = Field(default=None, description=BODY_DOC + " null: none.")
    position: Seconds | None = None

    @field_validator("position", mode="before")
    @classmethod
    def _position_given(cls, value: object) -> object:
        # Absent means "unchanged"; an explicit null is no position at all.
        if value is None:
            raise ValueError("position must be a number of seconds")
        return value


class NoteOut(Output):
    """A note as the player's panel and scripts see it."""

    id: int
    video_id: int
    kind: str
    position: float
    body: str
    url: str = Field(description="The watch page at the note's moment.")
    created_at: Timestamp | None
    updated_at: Timestamp | None

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        """The shape of ``note``."""
        return cls(
            id=note.id,
            video_id=note.video_id,
            kind=note.kind,
            position=note.position,
            body=note.body,
            url=url_for("playback.watch", video_id=note.video_id, t=start_second(note.position)),
            created_at=note.created_at,
            updated_at=note.updated_at,
        )


class NoteList(Output):
    """The caller's notes and bookmarks on a video, by time."""

    notes: list[NoteOut]


@contextmanager
def _refused() -> Iterator[None]:
    """A note the rules refuse: nothing is stored, 400 with the reason."""
    try:
        yield
    except NoteError as exc:
        db.session.rollback()
        raise ApiError(400, str(exc)) from None


def _own_note(note_id: int) -> Note:
    note = note_of(g.user.id, note_id)
    if note is None:
        raise ApiError(404, "No such note.")
    return note


@operation(bp, "GET", "/videos/<int:video_id>/notes", responses={200: NoteList}, errors=(403, 404))
def list_notes(video_id: int) -> NoteList:
    """The caller's notes and bookmarks on a video, by time."""
    video = video_or_404(video_id, g.user)
    return NoteList(notes=[NoteOut.of(n) for n in notes_for_video(g.user.id, video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/notes",
    body=NewNote,
    responses={201: NoteOut},
    errors=(403, 404),
)
def create_note(video_id: int, body: NewNote) -> NoteOut:
    """Add a note or bookmark: JSON ``{kind, position, body}`` → 201."""
    video = video_or_404(video_id, g.user)
    with _refused():
        note = services.create_note(
            g.user, video, kind=NoteKind(body.kind), position=body.position, body=body.body
        )
    db.session.commit()
    return NoteOut.of(note)


@operation(
    bp, "PATCH", "/notes/<int:note_id>", body=NoteChange, responses={200: NoteOut}, errors=(404,)
)
def update_note(note_id: int, body: NoteChange) -> NoteOut:
    """Change a note's ``body`` and/or ``position``."""
    note = _own_note(note_id)
    video = video_or_404(note.video_id, g.user)
    given = body.model_fields_set
    with _refused():
        services.update_note(
            note,
            video,
            body=(body.body or "") if "body" in given else None,
            position=body.position,
        )
    db.session.commit()
    return NoteOut.of(note)


@operation(bp, "DELETE", "/notes/<int:note_id>", responses={204: None}, errors=(404,))
def delete_note(note_id: int) -> None:
    """Delete one of the caller's notes (204), even on a video they can no longer watch."""
    services.delete_note(_own_note(note_id))
    db.session.commit()
