"""How much a request may send: a small body for every route, more only for a signed-in
caller on the few routes that take files.

``MAX_CONTENT_LENGTH`` (``REQUEST_MAX_BYTES``, 1 MB) is the default for every request,
sign-in included, so nobody can make the app read a 2 GiB body before it knows who is
calling. The routes in :data:`RAISED` (video parts and the plain upload form, caption
files, CSV imports) get their own, larger limit once the caller is signed in and may use
them. A body declared larger than the request's limit is refused here, before anything
reads it; a body without a length stops being read at the limit (Werkzeug). Form fields
are bounded by ``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS`` (Flask).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from webapp import csvinput
from webapp.api.auth import bearer_token
from webapp.auth.services import user_for_token
from webapp.captions.parsing import MAX_BYTES as CAPTION_MAX_BYTES
from webapp.errors import error_response
from webapp.models import User
from webapp.uploads.rules import human_bytes

# Room for the multipart envelope and the other form fields around a file.
FORM_OVERHEAD = 64 * 1024


def _uploader(user: User) -> bool:
    return bool(user.can_upload)


def _signed_in(user: User) -> bool:
    return user.is_active


@dataclass(frozen=True)
class Raised:
    """A route's own limit, and who may send that much."""

    max_bytes: Callable[[], int]
    may: Callable[[User], bool]
    form_memory: bool = False  # the file may also come as a pasted form field


def _video_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_BYTES"]) + FORM_OVERHEAD


def _caption_bytes() -> int:
    return CAPTION_MAX_BYTES + FORM_OVERHEAD


# A CSV over csvinput's cap still reaches the form, which refuses it beside the field and
# keeps what was typed; only files past this much larger bound get the bare 413 page.
CSV_REQUEST_BYTES = 16 * csvinput.MAX_BYTES


def _csv_bytes() -> int:
    return CSV_REQUEST_BYTES + FORM_OVERHEAD


def _project_bytes() -> int:
    from webapp.projects.views import request_bytes  # noqa: PLC0415  (a feature's cap)

    return request_bytes()


# Endpoint → its limit. Every other endpoint keeps MAX_CONTENT_LENGTH.
RAISED: dict[str, Raised] = {
    "api.put_upload_part": Raised(_video_bytes, _uploader),
    "uploads.create": Raised(_video_bytes, _uploader),
    "api.upload_caption": Raised(_caption_bytes, _uploader, form_memory=True),
    "captions.upload": Raised(_caption_bytes, _uploader),
    "accounts.bulk_invite": Raised(_csv_bytes, _signed_in, form_memory=True),
    "cohorts.import_members": Raised(_csv_bytes, _signed_in, form_memory=True),
    # issue 21: a project hand-in (files; the view checks each against its own cap)
    "projects.submit": Raised(_project_bytes, _signed_in),
}


def size_text(size: int) -> str:
    """``1 MB`` for whole megabytes, else ``1.5 MB``-style."""
    mb = 1024 * 1024
    return f"{size // mb} MB" if size >= mb and size % mb == 0 else human_bytes(size)


def too_large_message() -> str:
    """What a 413 says: the body over the request's limit, or a form over its caps."""
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and (length is None or length > limit):
        return (
            f"The request is larger than {size_text(limit)}, the most this address "
            "accepts. Send less (large files only to the upload routes, signed in)."
        )
    return (
        f"The form is too large: at most {request.max_form_parts} fields and "
        f"{size_text(request.max_form_memory_size or 0)} of text."
    )


def _caller() -> User | None:
    """The signed-in user or the bearer token's, without refusing anyone (the view does)."""
    if request.blueprint == "api" and request.headers.get("Authorization"):
        token = bearer_token()
        return user_for_token(token) if token else None
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()
        return user
    return None


def apply_limits() -> None:
    """Raise the request's limit on an upload route for a caller who may use it, then
    refuse a body declared over the limit before anything reads it."""
    raised = RAISED.get(request.endpoint or "")
    if raised is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        user = _caller()
        if user is not None and raised.may(user):
            request.max_content_length = raised.max_bytes()
            if raised.form_memory:
                request.max_form_memory_size = raised.max_bytes()
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    """Check the limits before every other request hook that could read the body; a 413
    says which limit (a page, or a problem for the API)."""
    app.before_request(apply_limits)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        return error_response(413, too_large_message())
