"""What does a clip cost? Virtual clip vs smart-cut export vs re-encode vs stream copy.

On a generated 60-minute recording (320x180 at 10 fps testsrc2 + a tone, cheap on
purpose), encoded once into the app's HLS ladder (the real ``hls_argv`` command of the
pipeline with ``plan_ladder(..., extras=False)``: same x264 settings and 4 s
segments, without storyboard, analysis, loudness pass or audio-only variant), it
times one 10-minute range four ways in the same run:

* ``virtual``: what the app does when an instructor saves a clip: the service
  ``webapp.clips.services.create_clip`` (one row, committed) plus reading the parent
  media playlist from storage and rendering the clip's playlist with
  ``transcoder.hls.clip_media_playlist``, in a throwaway Flask app instance;
* ``smart_cut``: ``transcoder.clip_export.export_clip`` (re-encodes only the partial
  GOPs at the cut points, copies the rest) into an MP4;
* ``reencode``: ffmpeg ``-ss``/``-t`` on the same media playlist, libx264 with the
  ladder's preset and CRF, AAC audio: the baseline;
* ``copy``: the same cut with ``-c copy`` (fast but snaps to keyframes: not exact).

Prints one JSON line with the median seconds of each and their ratios to the
baseline (``ratio`` = seconds / reencode seconds; ``speedup`` = the inverse)::

    .venv/bin/python -m bench.clips [--minutes 60] [--clip-minutes 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FFMPEG = "ffmpeg"
WIDTH, HEIGHT, FPS = 320, 180, 10
# Where the range starts: off any segment boundary so the smart cut has work to do.
CLIP_START = 754.3


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=3600)


def _generate_source(path: Path, seconds: float) -> Path:
    """testsrc2 + sine; fast x264 and PCM audio, so generating an hour is cheap."""
    _run(
        [
            FFMPEG,
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            f"{seconds:.3f}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "pcm_s16le",
            str(path),
        ]
    )
    return path


def _build_ladder(source: Path, out: Path) -> tuple[float, list[str]]:
    """The pipeline's own HLS command (no extras); returns (duration, files)."""
    from transcoder.argv import hls_argv, rendition_dirs  # noqa: PLC0415
    from transcoder.hls import event_to_vod  # noqa: PLC0415
    from transcoder.limits import Limits  # noqa: PLC0415
    from transcoder.plan import plan_ladder  # noqa: PLC0415
    from transcoder.probe import probe  # noqa: PLC0415

    info = probe(source, Limits())
    plan = plan_ladder(info, 4, extras=False)
    out.mkdir(parents=True)
    for directory in rendition_dirs(plan, out):
        directory.mkdir()
    _run(hls_argv(source, info, plan, out))
    for playlist in out.glob("*/index.m3u8"):
        playlist.write_text(event_to_vod(playlist.read_text()))
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    return info.duration, files


def _top_playlist(out: Path) -> Path:
    from transcoder.clip_export import media_playlist  # noqa: PLC0415

    return media_playlist(out / "master.m3u8")


def _virtual(
    work: Path, ladder: Path, files: list[str], duration: float, start: float, end: float
) -> Callable[[], None]:
    """Publish the ladder's playlists in a throwaway app; return the timed action."""
    os.environ["LEARNSTREAM_INSTANCE"] = str(work / "instance")
    # Imported here: the app reads its settings from the environment set just above.
    from datetime import timedelta  # noqa: PLC0415

    from flask import url_for  # noqa: PLC0415
    from flask_migrate import upgrade  # noqa: PLC0415

    from transcoder.hls import clip_media_playlist  # noqa: PLC0415
    from webapp import create_app, jobs  # noqa: PLC0415
    from webapp.auth.services import create_user  # noqa: PLC0415
    from webapp.clips.services import create_clip  # noqa: PLC0415
    from webapp.extensions import db  # noqa: PLC0415
    from webapp.models import User, Video, VideoState  # noqa: PLC0415
    from webapp.storage import get_storage  # noqa: PLC0415
    from webapp.transcoding.publish import upload_outputs, version_prefix  # noqa: PLC0415

    app = create_app()
    with app.app_context():
        upgrade()
        owner = create_user("bench@example.com", "bench-password", "instructor")
        video = Video(title="Bench hour", owner_id=owner.id, state=VideoState.UPLOADED.value)
        db.session.add(video)
        db.session.flush()
        job = jobs.create_job(video)
        jobs.claim(job.id, timedelta(minutes=5))
        db.session.commit()
        prefix = version_prefix(video.id, job.id, 1)
        # Only the playlists: the virtual clip never touches a segment.
        upload_outputs(get_storage(), ladder, [f for f in files if f.endswith(".m3u8")], prefix)
        top = _top_playlist(ladder)
        jobs.complete(
            job.id,
            hls_prefix=prefix,
            poster_key=None,
            storyboard_path=None,
            duration=duration,
            width=WIDTH,
            height=HEIGHT,
            renditions=[
                {
                    "name": top.parent.name,
                    "width": WIDTH,
                    "height": HEIGHT,
                    "bandwidth": 0,
                    "playlist": f"{top.parent.name}/index.m3u8",
                }
            ],
        )
        db.session.commit()
        video_id, owner_id = video.id, owner.id

    def action() -> None:
        with app.test_request_context():
            video = db.session.get(Video, video_id)
            assert video is not None and video.state == VideoState.READY
            author = db.session.get(User, owner_id)
            clip = create_clip(video, author, {"title": "Bench clip", "start": start, "end": end})
            db.session.commit()
            variant = next(r for r in video.renditions if r.height)
            parent = get_storage().get_bytes(f"{video.hls_prefix}/{variant.playlist}").decode()
            base = url_for("playback.hls", video_id=video.id, rel=f"{variant.name}/x")[:-1]
            body = clip_media_playlist(parent, clip.start, clip.end, base)
            assert body.count("#EXTINF") >= (end - start) // 4
            db.session.remove()

    return action


def _ffmpeg_cut(playlist: Path, start: float, end: float, out: Path, *, copy: bool) -> None:
    from transcoder.encoder import CRF, X264_PRESET  # noqa: PLC0415

    codecs = (
        ["-c", "copy"]
        if copy
        else [
            "-c:v",
            "libx264",
            "-preset",
            X264_PRESET,
            "-crf",
            str(CRF),
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "96k",
        ]
    )
    _run(
        [
            FFMPEG,
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-ss",
            f"{start:.3f}",
            "-i",
            str(playlist),
            "-t",
            f"{end - start:.3f}",
            *codecs,
            "-movflags",
            "+faststart",
            str(out),
        ]
    )


def _timed(action: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def _measure(minutes: float, clip_minutes: float, repeat: int, work: Path) -> dict[str, object]:
    from transcoder.clip_export import export_clip  # noqa: PLC0415

    began = time.perf_counter()
    source = _generate_source(work / "hour.mkv", minutes * 60)
    ladder = work / "ladder"
    duration, files = _build_ladder(source, ladder)
    prepare = time.perf_counter() - began
    start = min(CLIP_START, max(0.0, duration - clip_minutes * 60 - 1))
    end = start + clip_minutes * 60
    playlist = _top_playlist(ladder)
    virtual = _virtual(work, ladder, files, duration, start, end)

    seconds = {
        "virtual": _timed(virtual, max(repeat, 20)),
        "smart_cut": _timed(lambda: export_clip(playlist, start, end, work / "smart.mp4"), repeat),
        "copy": _timed(
            lambda: _ffmpeg_cut(playlist, start, end, work / "copy.mp4", copy=True), repeat
        ),
        "reencode": _timed(
            lambda: _ffmpeg_cut(playlist, start, end, work / "reencode.mp4", copy=False), 1
        ),
    }
    baseline = seconds["reencode"]
    return {
        "media_minutes": round(duration / 60, 2),
        "source": f"{WIDTH}x{HEIGHT}@{FPS}",
        "clip": [round(start, 3), round(end, 3)],
        "clip_minutes": clip_minutes,
        "prepare_seconds": round(prepare, 1),
        "seconds": {k: round(v, 5 if k == "virtual" else 3) for k, v in seconds.items()},
        "ratio_vs_reencode": {k: float(f"{v / baseline:.3g}") for k, v in seconds.items()},
        "speedup_vs_reencode": {k: float(f"{baseline / v:.3g}") for k, v in seconds.items()},
        "bytes": {
            name: (work / f"{name}.mp4").stat().st_size for name in ("smart", "copy", "reencode")
        },
    }


def main() -> None:
    """Parse options, run one measurement, print it as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--clip-minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = _measure(args.minutes, args.clip_minutes, args.repeat, Path(tmp))
        print(json.dumps(result))


if __name__ == "__main__":
    main()
