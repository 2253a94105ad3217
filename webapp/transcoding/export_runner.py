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
from webapp.clips import exports
from webapp.extensions import db
from webapp.models import ClipExport, JobState
from webapp.storage import ObjectNotFound, StorageError, get_storage
from webapp.transcoding.heartbeat import heartbeat
from webapp.transcoding.runner import Transient, scratch_dir, stale_after

log = logging.getLogger(__name__)


def export_key(clip_id: int, export_id: int, attempt: int) -> str:
    """Storage key of one attempt's MP4."""
    return f"clips/{clip_id}/exports/e{export_id}a{attempt}.mp4"


def run_export(export_id: int) -> str | None:
    """Process the export; returns its final state, or None if there was nothing to do."""
    if stop_requested():  # delivered while this worker shuts down: leave it to the next
        exports.dispatch(export_id)
        return None
    export = exports.claim(export_id, stale_after())
    if export is None:
        db.session.rollback()
        return None
    clip, attempt = export.clip, export.attempts
    prefix, start, end, clip_id = clip.video.hls_prefix, clip.start, clip.end, clip.id
    db.session.commit()
    try:
        with heartbeat_for(export_id), scratch_dir(export_id, attempt) as scratch:
            out = scratch / "clip.mp4"
            playlist, audio = _fetch(prefix, start, end, scratch / "hls")
            (scratch / "work").mkdir()

            def on_progress(percent: float) -> None:
                exports.report_progress(export_id, percent * 0.95)
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
            get_storage().put_file(key, out, content_type="video/mp4")
        previous = exports.complete(export_id, key, result.size_bytes)
        db.session.commit()
        if previous:
            get_storage().delete(previous)
        return JobState.READY.value
    except Interrupted:
        return _requeue(export_id)
    except (ValueError, ObjectNotFound, FileNotFoundError) as exc:
        return _fail(export_id, f"The clip could not be exported: {exc}")
    except (StorageError, OperationalError, TranscodeTimeout) as exc:
        db.session.rollback()
        exports.hand_back(export_id, f"retrying after: {exc}")
        db.session.commit()
        raise Transient(str(exc)) from exc
    except TranscodeError as exc:
        return _fail(export_id, f"Exporting failed: {exc.message}")
    except Exception as exc:  # never leave an export RUNNING
        log.exception("export %s failed unexpectedly", export_id)
        return _fail(export_id, f"Internal error while exporting ({type(exc).__name__}).")


def heartbeat_for(export_id: int):
    """The background heartbeat, pointed at the export table."""
    return heartbeat(export_id, stale_after().total_seconds() / 5, model=ClipExport)


def _fetch(prefix: str | None, start: float, end: float, folder: Path) -> tuple[Path, Path | None]:
    """Download the top rendition's playlist and the shared audio's (if the ladder has
    one), with just the segments the range needs; returns both local playlists."""
    if not prefix:
        raise ValueError("the recording has no published ladder")
    storage = get_storage()
    master_text = storage.get_bytes(f"{prefix}/master.m3u8").decode()
    top = max((v for v in parse_master(master_text) if v.height), key=lambda v: v.height)
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
    local.mkdir(parents=True)
    (local / "index.m3u8").write_text(text)
    for segment in needed(text, start, end):
        storage.download(f"{prefix}/{variant_dir}/{segment}", local / segment)
    return local / "index.m3u8"


def _requeue(export_id: int) -> str:
    """The worker is shutting down: hand the export back and queue it again at once."""
    log.warning("export %s interrupted by the worker's shutdown; handing it back", export_id)
    db.session.rollback()
    exports.hand_back(export_id, "The worker was stopped; the export will run again.")
    db.session.commit()
    exports.dispatch(export_id)
    return JobState.QUEUED.value


def _fail(export_id: int, reason: str) -> str:
    db.session.rollback()
    exports.fail(export_id, reason)
    db.session.commit()
    return JobState.FAILED.value
