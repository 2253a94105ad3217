"""Run one clip export: claim → fetch the needed segments → smart cut → upload → READY."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import OperationalError

from transcoder.clip_export import export_clip
from transcoder.cutplan import audio_segments_needed, segments_needed
from transcoder.errors import TranscodeError, TranscodeTimeout
from transcoder.hls import audio_playlist_uri, parse_master
from transcoder.run import Interrupted, stop_requested
from webapp.extensions import db
from webapp.jobs import clip_export, lifecycle
from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.jobs.execution import (
    Transient,
    beat_interval,
    fail_now,
    hand_back_now,
    requeue_now,
    scratch_dir,
    stale_after,
)
from webapp.jobs.heartbeat import heartbeat
from webapp.models import JobState
from webapp.storage import ObjectNotFound, StorageError, get_storage
from webapp.transcoding.reasons import PART_MISSING, user_reason
from webapp.transcoding.retry import with_storage_retries

log = logging.getLogger(__name__)


def export_key(clip_id: int, export_id: int, attempt: int) -> str:
    """Storage key of one attempt's MP4."""
    return f"clips/{clip_id}/exports/e{export_id}a{attempt}.mp4"


def run_export(export_id: int) -> str | None:
    """Process the export; returns its final state, or None if there was nothing (more)
    to do: unknown, finished, running elsewhere, or taken over by a later attempt."""
    if stop_requested():  # delivered while this worker shuts down: leave it to the next
        clip_export.dispatch(export_id)
        return None
    export = lifecycle.claim(CLIP_EXPORT, export_id, stale_after())
    if export is None:
        db.session.rollback()
        return None
    clip, attempt = export.clip, export.attempts
    prefix, start, end, clip_id = clip.video.hls_prefix, clip.start, clip.end, clip.id
    db.session.commit()
    try:
        with (
            heartbeat(CLIP_EXPORT, export_id, attempt, beat_interval()),
            scratch_dir(export_id, attempt) as scratch,
        ):
            out = scratch / "clip.mp4"
            # A short store outage is ridden out in place, as transcodes do: each Celery
            # retry is a new attempt, and three of them used to fail the export within
            # a 30 s outage (JOB_MAX_ATTEMPTS).
            playlist, audio = with_storage_retries(
                lambda: _fetch(prefix, start, end, scratch / "hls"),
                f"fetching export {export_id}'s segments",
            )
            (scratch / "work").mkdir()

            def on_progress(percent: float) -> None:
                lifecycle.beat(CLIP_EXPORT, export_id, attempt, percent * 0.95)
                db.session.commit()

            result = export_clip(
                playlist,
                start,
                end,
                out,
                on_progress=on_progress,
                work_dir=scratch / "work",
                audio_playlist=audio,
            )
            key = export_key(clip_id, export_id, attempt)
            with_storage_retries(
                lambda: get_storage().put_file(key, out, content_type="video/mp4"),
                f"publishing export {export_id}",
            )
        previous = _record(export_id, key, result.size_bytes, attempt)
        if previous:
            get_storage().delete(previous)
        return JobState.READY
    except lifecycle.Superseded:  # its file was deleted; the later attempt carries on
        db.session.rollback()
        log.warning("export %s attempt %s was replaced by a later attempt", export_id, attempt)
        return None
    except Interrupted:
        return requeue_now(CLIP_EXPORT, export_id, attempt)
    except ValueError as exc:  # a bad range: its message is written for people
        return fail_now(CLIP_EXPORT, export_id, f"The clip could not be exported: {exc}", attempt)
    except (ObjectNotFound, FileNotFoundError) as exc:
        log.warning("export %s: %s", export_id, exc)
        return fail_now(CLIP_EXPORT, export_id, PART_MISSING, attempt)
    except (StorageError, OperationalError, TranscodeTimeout) as exc:
        log.warning("export %s attempt %s will be retried: %s", export_id, attempt, exc)
        hand_back_now(CLIP_EXPORT, export_id, f"retrying after: {user_reason(exc)}", attempt)
        raise Transient(user_reason(exc)) from exc
    except TranscodeError as exc:
        log.warning("export %s failed: %s", export_id, exc)  # exit code and stderr: the log
        return fail_now(CLIP_EXPORT, export_id, exc.reason, attempt)
    except Exception as exc:  # never leave an export RUNNING
        log.exception("export %s failed unexpectedly", export_id)
        return fail_now(CLIP_EXPORT, export_id, user_reason(exc), attempt)


def _record(export_id: int, key: str, size: int, attempt: int) -> str | None:
    """Commit the result; a replaced attempt's file is deleted and Superseded raised."""
    try:
        previous = clip_export.complete(export_id, key, size, attempt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        try:
            get_storage().delete(key)
        except StorageError:  # an unreferenced file; never hide why the result was refused
            log.warning("could not delete %s", key, exc_info=True)
        raise
    return previous


def _fetch(prefix: str | None, start: float, end: float, folder: Path) -> tuple[Path, Path | None]:
    """Download the top rendition's playlist and the shared audio's (if the ladder has
    one), with just the segments the range needs; returns both local playlists."""
    if not prefix:
        raise ValueError("the recording has no published ladder")
    storage = get_storage()
    master_text = storage.get_bytes(f"{prefix}/master.m3u8").decode()
    top = max((v for v in parse_master(master_text) if v.height), key=lambda v: v.height or 0)
    video = _fetch_playlist(prefix, top.uri, folder, segments_needed, start, end)
    audio_uri = audio_playlist_uri(master_text)
    if audio_uri is None:
        return video, None
    return video, _fetch_playlist(prefix, audio_uri, folder, audio_segments_needed, start, end)


def _fetch_playlist(
    prefix: str,
    uri: str,
    folder: Path,
    needed: Callable[[str, float, float], list[str]],
    start: float,
    end: float,
) -> Path:
    """Download the media playlist ``uri`` and the segments ``needed`` names."""
    storage = get_storage()
    variant_dir = uri.rsplit("/", 1)[0]
    text = storage.get_bytes(f"{prefix}/{uri}").decode()
    local = folder / variant_dir
    local.mkdir(parents=True, exist_ok=True)  # again when retried
    (local / "index.m3u8").write_text(text)
    for segment in needed(text, start, end):
        storage.download(f"{prefix}/{variant_dir}/{segment}", local / segment)
    return local / "index.m3u8"
