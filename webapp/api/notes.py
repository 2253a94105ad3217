"""API routes for the caller's own notes and bookmarks on a video.

The caller must be able to watch the video (else 404, as for the video itself); a note
is only ever seen or changed by its author: anyone else's note id is 404, never 403, so
ids do not tell that a note exists.
"""

from __future__ import annotations

from flask import abort, g, jsonify, request, url_for

from webapp.access import video_or_404
from webapp.api.auth import api_login_required
from webapp.api.blueprint import bp
from webapp.errors import error_response
from webapp.extensions import db
from webapp.models import Note
from webapp.notes import services
from webapp.notes.export import start_second
from webapp.notes.queries import note_of, notes_for_video
from webapp.notes.services import NoteError


def note_json(note: Note) -> dict:
    """A note as the player's panel and scripts see it."""
    return {
        "id": note.id,
        "video_id": note.video_id,
        "kind": note.kind,
        "position": note.position,
        "body": note.body,
        "url": url_for("playback.watch", video_id=note.video_id, t=start_second(note.position)),
        "created_at": note.created_at.isoformat() if note.created_at else None,
        "updated_at": note.updated_at.isoformat() if note.updated_at else None,
    }


@bp.errorhandler(NoteError)
def _note_error(exc: NoteError):
    db.session.rollback()
    return error_response(400, str(exc))


def _own_note(note_id: int) -> Note:
    note = note_of(g.user.id, note_id)
    if note is None:
        abort(404, "No such note.")
    return note


@bp.get("/videos/<int:video_id>/notes")
@api_login_required
def list_notes(video_id: int):
    """The caller's notes and bookmarks on a video, by time."""
    video = video_or_404(video_id, g.user)
    return jsonify(notes=[note_json(n) for n in notes_for_video(g.user.id, video.id)])


@bp.post("/videos/<int:video_id>/notes")
@api_login_required
def create_note(video_id: int):
    """Add a note or bookmark: JSON ``{kind, position, body}`` → 201."""
    video = video_or_404(video_id, g.user)
    note = services.create_note(g.user, video, request.get_json(silent=True))
    db.session.commit()
    return jsonify(note_json(note)), 201


@bp.patch("/notes/<int:note_id>")
@api_login_required
def update_note(note_id: int):
    """Change a note's ``body`` and/or ``position``."""
    note = _own_note(note_id)
    video = video_or_404(note.video_id, g.user)
    services.update_note(note, video, request.get_json(silent=True))
    db.session.commit()
    return jsonify(note_json(note))


@bp.delete("/notes/<int:note_id>")
@api_login_required
def delete_note(note_id: int):
    """Delete one of the caller's notes (204), even on a video they can no longer watch."""
    services.delete_note(_own_note(note_id))
    db.session.commit()
    return "", 204
