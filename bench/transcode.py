"""Benchmark: our transcoding pipeline vs. one ffmpeg process per rendition.

Generates a lecture-like source (mostly still slides, a small moving camera inset,
quiet speech-like audio), then, in this one process and alternating the order every
round to spread machine noise, times:

* ``pipeline``: ``webapp.transcoding.runner.run_job`` on a throwaway app and SQLite
  database: claim, download the source from storage, probe, the single ffmpeg command
  (video ladder + one shared, loudness-normalised audio rendition + storyboard +
  analysis), poster, upload, DB switch;
* ``per_rendition``: what PeerTube and MediaCMS do, one ffmpeg per video rendition
  (each decoding the source; PeerTube's default x264 settings: veryfast, CRF 23 capped
  per rung; no extras), one after another;
* ``per_rendition_same``: the same, but with our lecture x264 settings (like for like:
  what one decode and the cascade alone buy);
* ``bare``: our single ffmpeg command alone, exactly as the pipeline builds it;
* ``bare_plain``: the same command for the plain ladder: the per-rendition approach's
  outputs (audio muxed into every variant, no loudnorm, storyboard or analysis);
* ``decode``: ``ffmpeg -i source -f null -``, the floor.

Every step runs the same ffmpeg executable (``transcoder.binaries``; ``--alt-ffmpeg``
also times ``bare`` with another one). Ratios are medians of per-round ratios.
Quality: bytes and SSIM per rendition for ours and for the per-rendition approach
(SSIM against the source scaled down to the rendition's size with lanczos); our total
bytes include the shared audio rendition, theirs the audio inside every variant. Prints one
JSON line and writes it to ``bench/results/transcode-<timestamp>.json``.

    .venv/bin/python -m bench.transcode [--seconds 300] [--rounds 1] [--alt-ffmpeg PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import transcoder.encoder as encoder
from bench.measure import (
    PEERTUBE_SETTINGS,
    decode_only,
    dir_bytes,
    encoder_knobs,
    ladder_quality,
    plain_ladder,
    run_ladder,
    run_per_rendition,
    timed,
)
from transcoder.binaries import ffmpeg_executable
from transcoder.limits import Limits
from transcoder.plan import Plan, plan_ladder
from transcoder.probe import MediaInfo, probe
from transcoder.synth import generate_lecture

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TARGET_VS_PER_RENDITION = 0.55
TARGET_VS_BARE = 1.10
SSIM_TOLERANCE = 0.005
BYTES_TOLERANCE = 1.25
SSIM_REFERENCE = "source scaled down to the rendition size (lanczos+accurate_rnd)"
# Settings that would point the throwaway app at real data or services.
_APP_ENV = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "UPLOAD_TMP_DIR",
    "S3_BUCKET",
)


@contextmanager
def throwaway_instance(root: Path) -> Iterator[Path]:
    """Point ``LEARNSTREAM_INSTANCE`` at ``root`` (and nothing else at real data)."""
    saved = {k: os.environ.get(k) for k in ("LEARNSTREAM_INSTANCE", *_APP_ENV)}
    os.environ["LEARNSTREAM_INSTANCE"] = str(root)
    for key in _APP_ENV:
        os.environ.pop(key, None)
    try:
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class PipelineRunner:
    """A migrated throwaway app with one instructor; each call transcodes one upload."""

    def __init__(self) -> None:
        import flask_migrate
        from celery import _state as celery_state

        from webapp import create_app
        from webapp.auth.services import create_user
        from webapp.extensions import db

        # create_app makes its Celery app the process default; put the previous one back
        # when done so a host process (the test suite) keeps its own.
        self._celery_default = celery_state.default_app
        self.app = create_app()
        self.db = db
        with self.app.app_context():
            flask_migrate.upgrade()
            self.user_id = create_user("bench@example.org", "bench-password-1", "instructor").id
            db.session.commit()

    def run(self, source: Path, title: str) -> tuple[float, dict[str, Path]]:
        """Ingest ``source`` (untimed), then time ``run_job``; returns the rendition dirs."""
        from webapp.models import User
        from webapp.storage import get_storage
        from webapp.transcoding.runner import run_job
        from webapp.uploads.services import ingest

        with self.app.app_context():
            user = self.db.session.get(User, self.user_id)
            video, job = ingest(source, title=title, owner=user)
            self.db.session.commit()
            job_id, video_id = job.id, video.id
            seconds = timed(lambda: _expect_ready(run_job(job_id)))
            self.db.session.expire_all()
            video = self.db.session.get(type(video), video_id)
            root = get_storage().path(video.hls_prefix)  # type: ignore[attr-defined]
            dirs = {r.name: root / Path(r.playlist).parent for r in video.renditions}
        return seconds, dirs

    def close(self) -> None:
        """Release the database connections and restore the default Celery app."""
        from celery import _state as celery_state

        with self.app.app_context():
            self.db.engine.dispose()
        celery_state.set_default_app(self._celery_default)


def _expect_ready(state: str | None) -> None:
    if state != "ready":
        raise RuntimeError(f"the pipeline ended in state {state!r}")


def ffmpeg_version(binary: str | None = None) -> str:
    """First line of ``ffmpeg -version`` (default: the executable the pipeline runs)."""
    binary = binary or ffmpeg_executable()
    out = subprocess.run([binary, "-version"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0]


def encoder_settings() -> dict[str, object]:
    """The knobs of :mod:`transcoder.encoder` in effect."""
    return {
        "preset": encoder.X264_PRESET,
        "x264_params": encoder.X264_PARAMS,
        "rate_control": encoder.RATE_CONTROL,
        "crf": encoder.CRF if encoder.RATE_CONTROL == "crf" else None,
        "x264_threads_per_encoder": encoder.X264_THREADS,
        "cascade_scaling": encoder.CASCADE_SCALING,
        "scale_flags": encoder.SCALE_FLAGS,
    }


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its reaped children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _median_ratio(num: list[float], den: list[float]) -> float:
    return round(statistics.median(n / d for n, d in zip(num, den, strict=True)), 3)


def measure(
    source: Path,
    rounds: int,
    work: Path,
    alt_ffmpeg: str | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Time every variant ``rounds`` times on ``source`` and measure quality once.

    Everything (the throwaway instance included) lives under ``work``. Returns the
    result mapping printed by :func:`main`.
    """
    info: MediaInfo = probe(source, Limits())
    plan: Plan = plan_ladder(info)
    videos = [r.name for r in plan.renditions]
    times: dict[str, list[float]] = {
        k: []
        for k in ("pipeline", "per_rendition", "per_rendition_same", "bare", "bare_plain", "decode")
    }
    if alt_ffmpeg:
        times["bare_alt_ffmpeg"] = []
    loads: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    with throwaway_instance(work / "instance"):
        runner = PipelineRunner()
        try:
            ours_dirs: dict[str, Path] = {}
            per_dirs: dict[str, Path] = {}
            for round_no in range(rounds):
                out = work / f"round{round_no}"
                steps = _round_steps(
                    runner, source, info, plan, out, round_no, alt_ffmpeg, ours_dirs, per_dirs
                )
                shift = round_no % len(steps)
                for name, step in steps[shift:] + steps[:shift]:
                    before = _cpu_seconds()
                    times[name].append(step())
                    cpu.setdefault(name, []).append(_cpu_seconds() - before)
                    # Other processes on the box skew wall times: keep the evidence.
                    loads.setdefault(name, []).append(round(os.getloadavg()[0], 2))
                    log(f"round {round_no + 1}/{rounds}: {name} {times[name][-1]:.2f} s")
                if round_no < rounds - 1:
                    shutil.rmtree(out, ignore_errors=True)
            log("measuring SSIM")
            quality = {
                "ours": ladder_quality(source, plan, ours_dirs),
                "per_rendition": ladder_quality(source, plan, per_dirs),
            }
            # Our video variants carry no audio: it is the shared rendition's.
            audio_dir = ours_dirs.get(plan.shared_audio.name) if plan.shared_audio else None
            shared_audio_bytes = dir_bytes(audio_dir) if audio_dir else 0
        finally:
            runner.close()
    result = _report(
        source, info, plan, videos, times, quality, rounds, alt_ffmpeg, shared_audio_bytes
    )
    result["load_1min_after"] = loads
    # CPU seconds (this process + its ffmpeg children) are steadier than wall time
    # when the machine is shared.
    result["cpu_seconds"] = {k: round(statistics.median(v), 1) for k, v in cpu.items()}
    result["cpu_ratios"] = {
        "pipeline_vs_per_rendition": _median_ratio(cpu["pipeline"], cpu["per_rendition"]),
        "pipeline_vs_bare": _median_ratio(cpu["pipeline"], cpu["bare"]),
        "pipeline_vs_per_rendition_same_settings": _median_ratio(
            cpu["pipeline"], cpu["per_rendition_same"]
        ),
        "bare_plain_vs_per_rendition": _median_ratio(cpu["bare_plain"], cpu["per_rendition"]),
    }
    return result


def _round_steps(
    runner: PipelineRunner,
    source: Path,
    info: MediaInfo,
    plan: Plan,
    out: Path,
    round_no: int,
    alt_ffmpeg: str | None,
    ours_dirs: dict[str, Path],
    per_dirs: dict[str, Path],
) -> list[tuple[str, Callable[[], float]]]:
    """The timed steps of one round, as (name, run-and-return-seconds) pairs."""
    plain = plain_ladder(plan)
    steps: list[tuple[str, Callable[[], float]]] = [
        ("pipeline", lambda: _pipeline(runner, source, round_no, ours_dirs)),
        ("per_rendition", lambda: _per(source, info, plan, out / "per", per_dirs)),
        ("per_rendition_same", lambda: _per(source, info, plan, out / "same", {}, same=True)),
        ("bare", lambda: timed(lambda: run_ladder(source, info, plan, out / "bare"))),
        ("bare_plain", lambda: timed(lambda: run_ladder(source, info, plain, out / "plain"))),
        ("decode", lambda: timed(lambda: decode_only(source))),
    ]
    if alt_ffmpeg:
        steps.append(
            (
                "bare_alt_ffmpeg",
                lambda: timed(lambda: run_ladder(source, info, plan, out / "alt", alt_ffmpeg)),
            )
        )
    return steps


def _pipeline(runner: PipelineRunner, source: Path, round_no: int, dirs: dict[str, Path]) -> float:
    seconds, found = runner.run(source, f"Benchmark lecture {round_no + 1}")
    dirs.clear()
    dirs.update(found)
    return seconds


def _per(
    source: Path,
    info: MediaInfo,
    plan: Plan,
    out: Path,
    dirs: dict[str, Path],
    same: bool = False,
) -> float:
    found: dict[str, Path] = {}
    with encoder_knobs({} if same else PEERTUBE_SETTINGS):
        seconds = timed(lambda: found.update(run_per_rendition(source, info, plan, out)))
    dirs.clear()
    dirs.update(found)
    return seconds


def _report(
    source: Path,
    info: MediaInfo,
    plan: Plan,
    videos: list[str],
    times: dict[str, list[float]],
    quality: dict[str, dict[str, dict[str, float]]],
    rounds: int,
    alt_ffmpeg: str | None,
    shared_audio_bytes: int = 0,
) -> dict[str, Any]:
    ours_q, per_q = quality["ours"], quality["per_rendition"]
    ours_video_bytes = sum(int(q["bytes"]) for q in ours_q.values())
    ours_bytes = ours_video_bytes + shared_audio_bytes
    per_bytes = sum(int(q["bytes"]) for q in per_q.values())
    top = videos[0]
    ssim_gap = round(per_q[top]["ssim"] - ours_q[top]["ssim"], 5)
    ratios = {
        "pipeline_vs_per_rendition": _median_ratio(times["pipeline"], times["per_rendition"]),
        "pipeline_vs_bare": _median_ratio(times["pipeline"], times["bare"]),
        "decode_vs_bare": _median_ratio(times["decode"], times["bare"]),
        "bare_vs_per_rendition": _median_ratio(times["bare"], times["per_rendition"]),
        "pipeline_vs_per_rendition_same_settings": _median_ratio(
            times["pipeline"], times["per_rendition_same"]
        ),
        "bare_plain_vs_per_rendition": _median_ratio(times["bare_plain"], times["per_rendition"]),
        "bare_plain_vs_bare": _median_ratio(times["bare_plain"], times["bare"]),
    }
    result: dict[str, Any] = {
        "source": {
            "seconds": info.duration,
            "size": f"{info.width}x{info.height}",
            "fps": info.fps,
            "bytes": source.stat().st_size,
            "kind": "lecture (synth.generate_lecture)",
        },
        "ffmpeg": ffmpeg_version(),
        "cpus": os.cpu_count(),
        "settings": encoder_settings(),
        "per_rendition_settings": PEERTUBE_SETTINGS,
        "ladder": videos,
        "rounds": rounds,
        "seconds_median": {k: round(statistics.median(v), 2) for k, v in times.items()},
        "seconds_all": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "ratios": ratios,
        "quality": {
            "ssim_reference": SSIM_REFERENCE,
            "ours": ours_q,
            "per_rendition": per_q,
            "ours_bytes": ours_bytes,
            "ours_shared_audio_bytes": shared_audio_bytes,
            "per_rendition_bytes": per_bytes,
            "bytes_ratio": round(ours_bytes / per_bytes, 3),
            "top_ssim_gap": ssim_gap,
        },
    }
    equal_quality = ssim_gap <= SSIM_TOLERANCE and ours_bytes <= BYTES_TOLERANCE * per_bytes
    result["targets"] = {
        "equal_quality": equal_quality,
        "pipeline_vs_per_rendition_max": TARGET_VS_PER_RENDITION,
        "pipeline_vs_per_rendition_met": equal_quality
        and ratios["pipeline_vs_per_rendition"] <= TARGET_VS_PER_RENDITION,
        "pipeline_vs_bare_max": TARGET_VS_BARE,
        "pipeline_vs_bare_met": ratios["pipeline_vs_bare"] <= TARGET_VS_BARE,
    }
    if alt_ffmpeg:
        result["alt_ffmpeg"] = {
            "version": ffmpeg_version(alt_ffmpeg),
            "bare_alt_vs_bare": _median_ratio(times["bare_alt_ffmpeg"], times["bare"]),
        }
    return result


def write_result(result: dict[str, Any], results_dir: Path = RESULTS_DIR) -> Path:
    """Write ``result`` as JSON to ``results_dir/transcode-<timestamp>.json``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"transcode-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, sort_keys=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Generate the source, run :func:`measure`, print and store the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="source length")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument(
        "--alt-ffmpeg",
        metavar="PATH",
        help="also time the bare command with this ffmpeg (e.g. /usr/bin/ffmpeg)",
    )
    parser.add_argument("--no-write", action="store_true", help="only print the JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    alt = args.alt_ffmpeg

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=__import__("sys").stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as tmp:
        work = Path(tmp)
        log(f"generating a {args.seconds:g} s {args.width}x{args.height} lecture source")
        source = generate_lecture(
            work / "lecture.mp4", args.seconds, width=args.width, height=args.height, fps=args.fps
        )
        result = measure(source, args.rounds, work, alt, log)
    print(json.dumps(result), flush=True)
    if not args.no_write:
        log(f"written to {write_result(result)}")
    return result


if __name__ == "__main__":
    main()
