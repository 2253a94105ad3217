"""API routes for caption tracks (list, upload, relabel, default, delete, cues) and for the
caller's player preferences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from flask import g, request, url_for
from pydantic import AfterValidator, Field, field_validator

from webapp.access import can_manage, video_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation, parse_body, validate
from webapp.captions import services
from webapp.captions.errors import CaptionError, CaptionTooLarge
from webapp.captions.languages import is_tag, normalize_tag
from webapp.captions.parsing import MAX_BYTES
from webapp.captions.preferences import (
    MAX_RATE,
    MIN_RATE,
    PreferenceChanges,
    preferences_of,
    update_preferences,
)
from webapp.captions.queries import caption_of, captions_of, cues_of
from webapp.captions.views import FORM_OVERHEAD, read_upload_file
from webapp.extensions import db
from webapp.models import Caption, UserPreferences, Video
from webapp.problems import ApiError

MULTIPART_OR_JSON = 'send multipart/form-data with a "file", or JSON {"language", "content", ...}'
TRUE_FORM_VALUES = ("1", "true", "on")


def _text_of_a_file(value: str) -> str:
    if not value.strip():
        raise ValueError("must be the text of a WebVTT or SRT file")
    return value


# A BCP 47 tag, put in its canonical case ("PT-br" → "pt-BR").
LanguageTag = Annotated[str, AfterValidator(normalize_tag)]
CaptionText = Annotated[str, AfterValidator(_text_of_a_file)]


class CaptionFields(Input):
    """A track's language, its menu label (left out: the language's name), and whether it
    becomes the default track."""

    language: LanguageTag
    label: str | None = None
    default: bool = False


class CaptionUpload(CaptionFields):
    """A JSON caption upload: the file's text, and its format (left out: detected)."""

    content: CaptionText
    format: Literal["vtt", "srt"] | None = None


class CaptionChange(Input):
    """A new ``label`` (null: the language's name) and/or ``default: true``."""

    label: str | None = None
    default: bool | None = None

    @field_validator("default")
    @classmethod
    def _only_true(cls, value: bool | None) -> bool | None:
        if value is not True:
            raise ValueError("can only be set to true (make another track the default)")
        return value


class CaptionOut(Output):
    """A track as the player and the manager see it."""

    language: str
    label: str
    default: bool
    version: int
    cues: int
    source_format: str
    url: str = Field(description="The WebVTT file.")
    updated_at: Timestamp | None

    @classmethod
    def of(cls, caption: Caption) -> CaptionOut:
        """The track ``caption``."""
        return cls(
            language=caption.language,
            label=caption.label,
            default=caption.is_default,
            version=caption.version,
            cues=caption.cue_count,
            source_format=caption.source_format,
            url=url_for("captions.vtt", video_id=caption.video_id, language=caption.language),
            updated_at=caption.updated_at,
        )


class CueOut(Output):
    """One cue as plain text, in seconds."""

    start: float
    end: float
    text: str


class CaptionDetail(CaptionOut):
    """A track with its cues."""

    cue_list: list[CueOut]


class CaptionList(Output):
    """A video's tracks."""

    captions: list[CaptionOut]


class PreferencesChange(Input):
    """The preferences to set; null clears one ("not chosen")."""

    caption_language: LanguageTag | None = None
    playback_rate: float | None = Field(None, ge=MIN_RATE, le=MAX_RATE, allow_inf_nan=False)
    volume: float | None = Field(None, ge=0.0, le=1.0, allow_inf_nan=False)
    muted: bool | None = None


class PreferencesOut(Output):
    """The caller's player preferences; null: not chosen (the player's own default)."""

    caption_language: str | None = None
    playback_rate: float | None = None
    volume: float | None = None
    muted: bool | None = None

    @classmethod
    def of(cls, prefs: UserPreferences | None) -> PreferencesOut:
        """The preferences in ``prefs`` (all null without a row)."""
        if prefs is None:
            return cls()
        return cls(
            caption_language=prefs.caption_language,
            playback_rate=prefs.playback_rate,
            volume=prefs.volume,
            muted=prefs.muted,
        )


@contextmanager
def _caption_input() -> Iterator[None]:
    """The services' refusals as problems: 413 for a file over the limit, else 400."""
    try:
        yield
    except CaptionTooLarge as exc:
        raise ApiError(413, str(exc)) from None
    except CaptionError as exc:
        raise ApiError(400, str(exc)) from None


def _managed_video(video_id: int) -> Video:
    video = video_or_404(video_id, g.user)
    if not can_manage(g.user, video):
        raise ApiError(403, "Only the recording's instructor or an admin may manage its captions.")
    return video


def _track(video: Video, language: str) -> Caption:
    caption = caption_of(video.id, language) if is_tag(language) else None
    if caption is None:
        raise ApiError(404, "This video has no captions in that language.")
    return caption


def _upload() -> tuple[bytes, str | None, CaptionFields]:
    """File bytes, file name and the other fields, from multipart or JSON."""
    if request.mimetype == "multipart/form-data":
        data, filename = read_upload_file()
        fields = {
            "language": request.form.get("language"),
            "label": request.form.get("label"),
            "default": request.form.get("default") in TRUE_FORM_VALUES,
        }
        return data, filename, validate(CaptionFields, fields)
    if (request.content_length or 0) > 2 * MAX_BYTES + FORM_OVERHEAD:
        raise CaptionTooLarge(f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not request.is_json:
        raise ApiError(400, MULTIPART_OR_JSON)
    body = parse_body(CaptionUpload)
    return body.content.encode(), f"upload.{body.format}" if body.format else None, body


@operation(
    bp, "GET", "/videos/<int:video_id>/captions", responses={200: CaptionList}, errors=(404,)
)
def list_captions(video_id: int) -> CaptionList:
    """The tracks of a video the caller may watch."""
    video = video_or_404(video_id, g.user)
    return CaptionList(captions=[CaptionOut.of(c) for c in captions_of(video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/captions",
    responses={200: CaptionOut, 201: CaptionOut},
    errors=(403, 404, 409, 413),
    documented_body=CaptionUpload,
    documented_form=CaptionFields,
)
def upload_caption(video_id: int) -> tuple[CaptionOut, int]:
    """Add (201) or replace (200) a language's track.

    Send ``multipart/form-data`` with ``file``, ``language``, ``label``? and ``default``?
    (``1``, ``true`` or ``on``), or a JSON object (the ``CaptionUpload`` schema) with the
    file's text as ``content``.
    """
    video = _managed_video(video_id)
    if video.duration is None:
        raise ApiError(409, "add captions once the recording has been processed")
    with _caption_input():
        data, filename, fields = _upload()
        caption, created, replaced = services.store_caption(
            video,
            g.user,
            fields.language,
            fields.label,
            data,
            filename,
            make_default=fields.default,
        )
    db.session.commit()
    services.discard_objects([replaced])
    return CaptionOut.of(caption), 201 if created else 200


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/captions/<language>",
    responses={200: CaptionDetail},
    errors=(404,),
)
def get_caption(video_id: int, language: str) -> CaptionDetail:
    """One track with its cues as plain text (``start``, ``end`` in seconds)."""
    video = video_or_404(video_id, g.user)
    caption = _track(video, language)
    cues = [CueOut(start=cue.start, end=cue.end, text=cue.text) for cue in cues_of(caption.id)]
    return CaptionDetail(**CaptionOut.of(caption).model_dump(), cue_list=cues)


@operation(
    bp,
    "PATCH",
    "/videos/<int:video_id>/captions/<language>",
    body=CaptionChange,
    responses={200: CaptionOut},
    errors=(403, 404),
)
def update_caption(video_id: int, language: str, body: CaptionChange) -> CaptionOut:
    """Change ``label`` and/or make the track the ``default`` (``true`` only)."""
    video = _managed_video(video_id)
    caption = _track(video, language)
    if not body.model_fields_set:
        raise ApiError(400, 'send a JSON object with "label" and/or "default": true')
    with _caption_input():
        if "label" in body.model_fields_set:
            services.relabel(caption, body.label)
        if body.default:
            services.set_default(caption)
    db.session.commit()
    return CaptionOut.of(caption)


@operation(
    bp,
    "DELETE",
    "/videos/<int:video_id>/captions/<language>",
    responses={204: None},
    errors=(403, 404),
)
def delete_caption(video_id: int, language: str) -> None:
    """Delete a track (204)."""
    video = _managed_video(video_id)
    key = services.delete_caption(_track(video, language))
    db.session.commit()
    services.discard_objects([key])


@operation(bp, "GET", "/me/preferences", responses={200: PreferencesOut})
def get_preferences() -> PreferencesOut:
    """The caller's player preferences (null: not chosen)."""
    return PreferencesOut.of(preferences_of(g.user))


@operation(bp, "PUT", "/me/preferences", body=PreferencesChange, responses={200: PreferencesOut})
def put_preferences(body: PreferencesChange) -> PreferencesOut:
    """Set some preferences: ``caption_language``, ``playback_rate``, ``volume``, ``muted``."""
    changes: PreferenceChanges = body.model_dump(exclude_unset=True)  # type: ignore[assignment]
    prefs = update_preferences(g.user, changes)
    db.session.commit()
    return PreferencesOut.of(prefs)
