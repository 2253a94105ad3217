"""probe -> plan -> HLS encode -> poster, writing into one fresh output directory."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from transcoder.analysis import (
    ANALYSIS_DIR,
    SCENES_FILE,
    SILENCES_FILE,
    Suggestion,
    parse_scenes,
    parse_silences,
    suggest,
)
from transcoder.argv import (
    MASTER_NAME,
    STORYBOARD_DIR,
    hls_argv,
    poster_argv,
    rendition_dirs,
    tile_argv,
    variant_names,
)
from transcoder.budget import CpuAccount, CpuBudget
from transcoder.errors import TranscodeError
from transcoder.hls import (
    VariantInfo,
    audio_playlist_uri,
    event_to_vod,
    parse_master,
    parse_media_segments,
)
from transcoder.limits import Limits
from transcoder.plan import Plan, plan_ladder
from transcoder.probe import MediaInfo, probe
from transcoder.run import run_ffmpeg
from transcoder.storyboard import VTT_NAME, sheet_name, storyboard_vtt

POSTER_NAME = "poster.jpg"
POSTER_WIDTH = 640
ENCODE_SHARE = 95.0  # percent of on_progress spent on the HLS encode
MIN_TIMEOUT = 120.0
TIMEOUT_PER_SECOND = 6.0
POSTER_TIMEOUT = 120.0
SHORT_VIDEO_SECONDS = 2.0

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class RenditionOutput:
    """One published HLS variant; ``playlist`` is relative to the output directory."""

    name: str
    width: int
    height: int
    bandwidth: int
    playlist: str


@dataclass(frozen=True)
class TranscodeResult:
    """What :func:`transcode` wrote; every path is relative to the output directory.

    ``suggestions`` are chapter/clip suggestions (see :mod:`transcoder.analysis`);
    they are data only, nothing in ``files`` belongs to them.
    """

    duration: float
    width: int
    height: int
    master: str
    poster: str
    renditions: tuple[RenditionOutput, ...]
    files: tuple[str, ...]
    storyboard: str | None = None
    suggestions: tuple[Suggestion, ...] = ()


def transcode(
    source: Path,
    out_dir: Path,
    limits: Limits,
    on_progress: ProgressCallback | None = None,
    *,
    segment_seconds: int = 4,
    cpu_budget: CpuBudget | None = None,
) -> TranscodeResult:
    """Turn ``source`` into an HLS ladder plus a poster inside ``out_dir``.

    ``out_dir`` must be missing or empty; it is created if needed and nothing outside
    it is written. Raises :class:`InvalidMedia` before writing anything for bad
    uploads, and :class:`TranscodeError` when ffmpeg fails
    (:class:`~transcoder.errors.CpuBudgetExceeded` once its runs used ``cpu_budget``
    for the media's length); either way ``out_dir`` is left as it was found (removed
    again if this call created it). ``on_progress`` receives percentages from 0 to 100.
    """
    out_dir = Path(out_dir).resolve()
    created = not out_dir.exists()
    _prepare_out_dir(out_dir)
    try:
        info = probe(source, limits)
        plan = plan_ladder(info, segment_seconds)
        cpu = CpuAccount(cpu_budget.seconds_for(info.duration) if cpu_budget else None)
        return _encode(Path(source), out_dir, info, plan, on_progress, cpu)
    except BaseException:
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        elif out_dir.is_dir():
            _empty_dir(out_dir)
        raise


def poster_time(duration: float) -> float:
    """Where to grab the poster: 10 % in, or the first frame of very short clips."""
    return 0.0 if duration < SHORT_VIDEO_SECONDS else duration * 0.1


def encode_timeout(duration: float) -> float:
    """Wall-clock budget for the HLS encode of a ``duration``-second source."""
    return max(MIN_TIMEOUT, TIMEOUT_PER_SECOND * duration)


def _encode(
    source: Path,
    out_dir: Path,
    info: MediaInfo,
    plan: Plan,
    on_progress: ProgressCallback | None,
    cpu: CpuAccount,
) -> TranscodeResult:
    analysis = wants_analysis(plan)
    for directory in rendition_dirs(plan, out_dir):
        directory.mkdir()
    if analysis:
        (out_dir / ANALYSIS_DIR).mkdir()
    _run(
        cpu,
        hls_argv(source, info, plan, out_dir, analysis=analysis),
        duration=info.duration,
        on_progress=_scaled(on_progress, ENCODE_SHARE),
        timeout=encode_timeout(info.duration),
    )
    suggestions = _read_suggestions(out_dir / ANALYSIS_DIR, info.duration) if analysis else ()
    _write_poster(source, info, out_dir / POSTER_NAME, cpu)
    renditions = _check_renditions(out_dir, plan)
    storyboard = _write_storyboard_vtt(out_dir, plan, info.duration, cpu)
    if on_progress is not None:
        on_progress(100.0)
    return TranscodeResult(
        duration=info.duration,
        width=info.width,
        height=info.height,
        master=MASTER_NAME,
        poster=POSTER_NAME,
        renditions=renditions,
        files=_list_files(out_dir),
        storyboard=storyboard,
        suggestions=suggestions,
    )


def _run(
    cpu: CpuAccount,
    argv: list[str],
    *,
    duration: float,
    on_progress: ProgressCallback | None,
    timeout: float,
) -> None:
    """One ffmpeg run of the job, charged to (and limited by) its CPU account."""
    used = run_ffmpeg(
        argv, duration=duration, on_progress=on_progress, timeout=timeout, cpu_seconds=cpu.left()
    )
    cpu.spend(used)


def wants_analysis(plan: Plan) -> bool:
    """Suggestions are one of the plan's extras, like the storyboard."""
    return plan.storyboard is not None


def _read_suggestions(folder: Path, duration: float) -> tuple[Suggestion, ...]:
    """Parse the analysis files, then delete them (never published).

    Suggestions are a nicety: any problem is logged and yields none.
    """
    try:
        scenes = parse_scenes((folder / SCENES_FILE).read_text())
        silences_path = folder / SILENCES_FILE
        text = silences_path.read_text() if silences_path.is_file() else ""
        return tuple(suggest(scenes, parse_silences(text, duration), duration))
    except Exception:
        logger.warning("could not analyse %s for suggestions", folder, exc_info=True)
        return ()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_storyboard_vtt(
    out_dir: Path, plan: Plan, duration: float, cpu: CpuAccount
) -> str | None:
    """Tile the thumbnails into sheets and write the track; None if there are none."""
    board = plan.storyboard
    if board is None:
        return None
    folder = out_dir / STORYBOARD_DIR
    thumbs = sorted(folder.glob("thumb_*.jpg"))
    if not thumbs:
        # A storyboard is a nicety: a lesson stays publishable without seek previews.
        shutil.rmtree(folder, ignore_errors=True)
        return None
    board = replace(board, count=len(thumbs))
    _run(cpu, tile_argv(folder, board), duration=1.0, on_progress=None, timeout=POSTER_TIMEOUT)
    for thumb in thumbs:
        thumb.unlink()
    if not (folder / sheet_name(0)).is_file():
        raise TranscodeError("ffmpeg did not write the storyboard sheets")
    (folder / VTT_NAME).write_text(storyboard_vtt(board, duration))
    return f"{STORYBOARD_DIR}/{VTT_NAME}"


def _write_poster(source: Path, info: MediaInfo, poster: Path, cpu: CpuAccount) -> None:
    # A seek near the end of a file with sparse keyframes can yield no frame at all,
    # which ffmpeg does not treat as an error; fall back to the first frame.
    for at_seconds in dict.fromkeys((poster_time(info.duration), 0.0)):
        _run(
            cpu,
            poster_argv(source, info, poster, at_seconds, width=POSTER_WIDTH),
            duration=1.0,
            on_progress=None,
            timeout=POSTER_TIMEOUT,
        )
        if poster.is_file() and poster.stat().st_size > 0:
            return
    raise TranscodeError("ffmpeg did not write a poster frame")


def _check_renditions(out_dir: Path, plan: Plan) -> tuple[RenditionOutput, ...]:
    """Read back the playlists: ffmpeg exits 0 even when it failed to write segments."""
    master = out_dir / MASTER_NAME
    if not master.is_file():
        raise TranscodeError("ffmpeg did not write the master playlist")
    text = master.read_text()
    variants = parse_master(text)
    audio_uri = audio_playlist_uri(text)
    if audio_uri is not None and plan.shared_audio is not None:
        # The shared audio is listed as a rendition of its own, after the video.
        bandwidth = plan.shared_audio.bitrate
        variants.append(VariantInfo(uri=audio_uri, bandwidth=bandwidth, width=None, height=None))
    expected = variant_names(plan)
    if sorted(v.name for v in variants) != sorted(expected):
        raise TranscodeError(
            f"master playlist lists {[v.name for v in variants]}, expected {expected}"
        )
    return tuple(_rendition_output(out_dir, variant, plan) for variant in variants)


def _rendition_output(out_dir: Path, variant: VariantInfo, plan: Plan) -> RenditionOutput:
    playlist = out_dir / variant.uri
    if not playlist.is_file():
        raise TranscodeError(f"ffmpeg did not write {variant.uri}")
    try:
        playlist.write_text(event_to_vod(playlist.read_text()))
    except ValueError as exc:
        raise TranscodeError(f"{variant.uri}: {exc}") from exc
    segments = parse_media_segments(playlist.read_text())
    if not segments or not all((playlist.parent / s.uri).is_file() for s in segments):
        raise TranscodeError(f"{variant.uri} is missing media segments")
    planned = next((r for r in plan.renditions if r.name == variant.name), None)
    if planned is None:  # the shared audio
        return RenditionOutput(variant.name, 0, 0, variant.bandwidth, variant.uri)
    return RenditionOutput(
        name=planned.name,
        width=variant.width or planned.width,
        height=variant.height or planned.height,
        bandwidth=variant.bandwidth,
        playlist=variant.uri,
    )


def _prepare_out_dir(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise ValueError(f"output directory {out_dir} is not empty")


def _empty_dir(out_dir: Path) -> None:
    """Remove what we wrote (the directory was verified empty before we started)."""
    for child in out_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _list_files(out_dir: Path) -> tuple[str, ...]:
    return tuple(
        sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    )


def _scaled(on_progress: ProgressCallback | None, share: float) -> ProgressCallback | None:
    if on_progress is None:
        return None
    return lambda percent: on_progress(percent * share / 100.0)
