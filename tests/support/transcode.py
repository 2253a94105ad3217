"""Helpers of the worker tests: wait for a transcode job, check a published ladder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from flask import Flask

from tests.support.waiting import wait_until
from transcoder.hls import audio_playlist_uri, parse_master, parse_media_segments
from webapp.extensions import db
from webapp.models import TranscodeJob, Video, VideoState
from webapp.storage import get_storage


def wait_for_job(app: Flask, job_id: int, timeout: float = 120) -> TranscodeJob:
    """Poll the job row (the truth) until it is READY or FAILED."""

    def finished() -> TranscodeJob | None:
        with app.app_context():
            job = db.session.get(TranscodeJob, job_id)
            if job is None or not job.is_finished:
                return None
            db.session.expunge(job)
            return job

    return wait_until(finished, timeout, f"job {job_id} did not finish", interval=0.3)


def stray_keys(app: Flask, video_id: int) -> list[str]:
    """Objects under the video's media prefix that are not part of its published ladder."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        keep = f"{video.hls_prefix}/" if video.hls_prefix else None
        keys = get_storage().list(f"videos/{video_id}")
        return sorted(k for k in keys if keep is None or not k.startswith(keep))


def wait_for_clean_storage(app: Flask, video_id: int, timeout: float = 60) -> None:
    """The worker collects old versions just after it commits READY: wait for that."""
    wait_until(
        lambda: not stray_keys(app, video_id),
        timeout,
        lambda: f"orphaned objects of video {video_id}: {stray_keys(app, video_id)[:10]}",
        interval=0.3,
    )


def assert_complete_ladder(app: Flask, video_id: int, tmp_path: Path) -> None:
    """The published ladder is whole and valid: every variant and segment the master
    names is stored, every playlist is a finished VOD list, and each variant's segments
    decode (ffprobe) to the video's full duration."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        assert video.state == VideoState.READY and video.hls_prefix
        storage, prefix = get_storage(), video.hls_prefix
        master_text = storage.get_bytes(f"{prefix}/master.m3u8").decode()
        # The video variants, and the audio rendition they share when there is sound.
        uris = [v.uri for v in parse_master(master_text)]
        audio = audio_playlist_uri(master_text)
        uris += [audio] if audio else []
        assert sorted(uris) == sorted(r.playlist for r in video.renditions)
        for uri in uris:
            text = storage.get_bytes(f"{prefix}/{uri}").decode()
            assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text
            folder = uri.rpartition("/")[0]
            joined = tmp_path / f"{folder}.ts"
            with joined.open("wb") as out:
                for segment in parse_media_segments(text):
                    out.write(storage.get_bytes(f"{prefix}/{folder}/{segment.uri}"))
            probed = ffprobe_json(joined, "-show_entries", "format=duration")
            assert abs(float(probed["format"]["duration"]) - video.duration) < 1.0, uri
        assert storage.stat(video.poster_key).size > 0
        if video.storyboard_path:
            assert storage.stat(f"{prefix}/{video.storyboard_path}").size > 0


def ffprobe_json(path: Path, *args: str) -> dict:
    """ffprobe's JSON report on ``path`` (``args`` choose the entries)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)
