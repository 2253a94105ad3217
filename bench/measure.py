"""Timed ffmpeg runs, output sizes and SSIM for the transcoding benchmarks."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path

import transcoder.argv as argv_module
import transcoder.encoder as encoder
from transcoder.argv import PLAYLIST_NAME, hls_argv, rendition_dirs
from transcoder.binaries import resolve
from transcoder.plan import Plan, Rendition
from transcoder.probe import MediaInfo
from transcoder.run import run_ffmpeg

FFMPEG = "ffmpeg"
TIMEOUT = 6 * 3600.0
_SSIM_ALL = re.compile(r"SSIM .*All:([0-9.]+)")
# Plan fields that are not part of a plain video ladder (added by later features).
_EXTRAS = {"shared_audio": None, "storyboard": None, "loudness_target": None}


# What PeerTube's default transcoding profile runs (libx264 veryfast, CRF 23 capped per
# resolution), the baseline our lecture settings are compared with at equal quality.
PEERTUBE_SETTINGS: dict[str, object] = {"X264_PRESET": "veryfast", "X264_PARAMS": "", "CRF": 23}
# Knobs that ``transcoder.argv`` imported by name.
_ARGV_KNOBS = ("CASCADE_SCALING", "SCALE_FLAGS")


@contextmanager
def encoder_knobs(settings: dict[str, object]) -> Iterator[None]:
    """Temporarily set knobs of :mod:`transcoder.encoder` (and argv's copies of two)."""
    saved = {k: getattr(encoder, k) for k in settings}
    saved_argv = {k: getattr(argv_module, k) for k in _ARGV_KNOBS if k in settings}
    try:
        for key, value in settings.items():
            setattr(encoder, key, value)
            if key in saved_argv:
                setattr(argv_module, key, value)
        yield
    finally:
        for key, value in saved.items():
            setattr(encoder, key, value)
        for key, value in saved_argv.items():
            setattr(argv_module, key, value)


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds ``fn()`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def with_binary(argv: list[str], binary: str) -> list[str]:
    """``argv`` with its program replaced by ``binary`` (another ffmpeg build)."""
    return [binary, *argv[1:]]


def plain_ladder(plan: Plan) -> Plan:
    """``plan`` without the extras (shared audio, loudnorm, storyboard): every variant
    muxes its own audio, as one-process-per-rendition pipelines make it."""
    names = {f.name for f in fields(plan)}
    return replace(plan, **{k: v for k, v in _EXTRAS.items() if k in names})


def run_ladder(source: Path, info: MediaInfo, plan: Plan, out: Path, binary: str = FFMPEG) -> None:
    """The single ffmpeg command of our pipeline for ``plan``, writing into ``out``."""
    for folder in rendition_dirs(plan, out):
        folder.mkdir(parents=True)
    argv = with_binary(hls_argv(source, info, plan, out), binary)
    run_ffmpeg(argv, duration=info.duration, on_progress=None, timeout=TIMEOUT)


def run_per_rendition(
    source: Path, info: MediaInfo, plan: Plan, out: Path, binary: str = FFMPEG
) -> dict[str, Path]:
    """PeerTube/MediaCMS style: one ffmpeg per rendition, each decoding the source.

    Same x264/AAC settings as ours (each process is built by the same ``hls_argv``
    from a one-rendition plain plan), run one after another. Returns each rendition's
    directory.
    """
    dirs = {}
    for index, rendition in enumerate(plan.renditions):
        single = replace(plain_ladder(plan), renditions=(rendition,))
        target = out / f"r{index}"
        run_ladder(source, info, single, target, binary)
        dirs[rendition.name] = target / rendition.name
    return dirs


def decode_only(source: Path, binary: str = FFMPEG) -> None:
    """Decode every stream of ``source`` and throw the frames away (the floor)."""
    subprocess.run(
        resolve(
            [binary, "-hide_banner", "-nostdin", "-v", "error", "-i", str(source), "-f", "null"]
            + ["-"]
        ),
        check=True,
        timeout=TIMEOUT,
    )


def dir_bytes(folder: Path) -> int:
    """Total size of the files below ``folder``."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def ssim(source: Path, rendition_dir: Path, rendition: Rendition) -> float:
    """SSIM (``All``) of a rendition against the source scaled down to its size.

    The reference is the source scaled with lanczos (accurate rounding, full chroma
    interpolation), so a blurrier kernel in the ladder shows up as lower SSIM. Both
    inputs restart at timestamp 0: the HLS segments carry a muxing offset.
    """
    size = f"{rendition.width}:{rendition.height}"
    graph = (
        f"[0:v]setpts=PTS-STARTPTS,setsar=1,format=yuv420p[dist];"
        f"[1:v]scale={size}:flags=lanczos+accurate_rnd+full_chroma_int,"
        f"setpts=PTS-STARTPTS,setsar=1,format=yuv420p[ref];[dist][ref]ssim"
    )
    argv = [
        FFMPEG,
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-i",
        str(Path(rendition_dir) / PLAYLIST_NAME),
        "-i",
        str(source),
        "-filter_complex",
        graph,
        "-f",
        "null",
        "-",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    found = _SSIM_ALL.findall(proc.stderr)
    if not found:
        raise RuntimeError(f"no SSIM in ffmpeg output: {proc.stderr[-500:]}")
    return round(float(found[-1]), 5)


def ladder_quality(
    source: Path, plan: Plan, dirs: dict[str, Path], top_only: bool = False
) -> dict[str, dict[str, float]]:
    """``{name: {"bytes": ..., "ssim": ...}}`` per rendition (SSIM of the top one only
    when ``top_only``)."""
    result: dict[str, dict[str, float]] = {}
    for index, rendition in enumerate(plan.renditions):
        entry: dict[str, float] = {"bytes": dir_bytes(dirs[rendition.name])}
        if not top_only or index == 0:
            entry["ssim"] = ssim(source, dirs[rendition.name], rendition)
        result[rendition.name] = entry
    return result
