"""Frame-accurate export of a clip of a ready recording into its own MP4 file.

Only the partial GOPs at the cut points are decoded and encoded again; the whole
segments in between are stream-copied, so a short clip of a long class is fast.

How the parts are put together (see :func:`export_clip`):

1. ``head.ts`` / ``tail.ts``: the partial segments, video only, trimmed by *frame
   index* (``trim=start_frame:end_frame`` on the decoded segment, which starts with an
   IDR) and encoded with the ladder's x264 settings plus ``stitchable=1``, so their
   SPS/PPS are byte-identical to the ladder's and the MP4's single ``avcC`` is right
   for every frame.
2. ``middle.ts``: the whole segments, video only, stream-copied through the concat
   *protocol* (byte concatenation: the ladder's MPEG-TS segments share one clock).
3. One final stream copy: the three video files through the concat *demuxer*
   (explicit ``duration`` per entry, so the timeline is exact), plus the audio copied
   from the original segments (concat protocol again, so it is one continuous run on
   the original clock, seeked to the clip start on that clock). The audio keeps its
   packets; the MP4 edit list trims them to the clip, so sync is exact.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from transcoder.clip_argv import (
    SegmentParams,
    concat_script,
    final_argv,
    parse_segment_params,
    piece_argv,
    remux_argv,
)
from transcoder.cutplan import (
    AUDIO_GUARD_SECONDS,
    CutPlan,
    Piece,
    SegmentSpan,
    audio_segments_needed,
    check_range,
    plan_cut,
    segments_needed,
    timeline,
)
from transcoder.errors import TranscodeError, TranscodeTimeout
from transcoder.hls import Segment, audio_playlist_uri, parse_master, parse_media_segments
from transcoder.run import run_ffmpeg

__all__ = [
    "AUDIO_GUARD_SECONDS",
    "ExportResult",
    "audio_segments_needed",
    "export_clip",
    "export_timeout",
    "media_playlist",
    "plan_cut",
    "probe_segment",
    "segments_needed",
    "shared_audio_playlist",
]

FFPROBE = "ffprobe"
FFPROBE_TIMEOUT = 60.0
# Progress shares: a re-encoded second costs far more than a copied one.
ENCODE_WEIGHT = 1.0
COPY_WEIGHT = 0.02
MIN_TIMEOUT = 120.0
TIMEOUT_PER_REENCODED_SECOND = 20.0
TIMEOUT_PER_COPIED_SECOND = 0.5
# The written clip's video may differ from the plan by at most this many frames.
DURATION_TOLERANCE_FRAMES = 1.5
ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_clip` wrote: clip length, file size and how it was made."""

    duration: float
    size_bytes: int
    reencoded_seconds: float
    copied_seconds: float


# --------------------------------------------------------------------------- pure


def export_timeout(plan: CutPlan) -> float:
    """Wall-clock budget for exporting ``plan``."""
    budget = (
        TIMEOUT_PER_REENCODED_SECOND * plan.reencoded_seconds
        + TIMEOUT_PER_COPIED_SECOND * plan.duration
    )
    return max(MIN_TIMEOUT, budget)


# --------------------------------------------------------------------------- I/O


def shared_audio_playlist(playlist: Path) -> Path | None:
    """The audio rendition's playlist when ``playlist`` is a master playlist whose
    variants share one (an HLS audio group); else None."""
    playlist = Path(playlist)
    uri = audio_playlist_uri(playlist.read_text())
    return _inside(playlist.parent, uri) if uri else None


def media_playlist(playlist: Path) -> Path:
    """``playlist`` itself, or the top rendition's playlist when it is a master playlist."""
    playlist = Path(playlist)
    variants = [v for v in parse_master(playlist.read_text()) if v.height]
    if not variants:
        return playlist
    top = max(variants, key=lambda v: (v.height or 0, v.bandwidth))
    return _inside(playlist.parent, top.uri)


def probe_segment(path: Path) -> SegmentParams:
    """Read the coding parameters of the ladder segment ``path`` with ffprobe."""
    argv = [
        FFPROBE,
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        "mpegts",
        "-show_streams",
        "-of",
        "json",
        f"file:{Path(path).resolve()}",
    ]
    return parse_segment_params(_ffprobe(argv))


def export_clip(
    playlist: Path,
    start: float,
    end: float,
    out_path: Path,
    *,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
    work_dir: Path | None = None,
    audio_playlist: Path | None = None,
) -> ExportResult:
    """Export ``[start, end)`` seconds of a ready recording to the MP4 ``out_path``.

    ``playlist`` is the top rendition's media playlist (a master playlist is resolved
    to its top rendition and its shared audio); only the segments
    :func:`segments_needed` names must be present next to it. ``audio_playlist`` is the
    shared audio rendition's playlist, when the video segments carry no audio (only
    the segments :func:`audio_segments_needed` names must be present next to it).
    Times are snapped to the nearest frame. ``out_path`` appears
    atomically, complete or not at all. Scratch files live in a private directory
    (inside ``work_dir`` when given) that is always removed. ``timeout`` (default
    :func:`export_timeout`) bounds the whole export.

    Raises ``ValueError`` for a bad range, ``FileNotFoundError`` for a missing
    segment, :class:`TranscodeError` when ffmpeg fails (:class:`TranscodeTimeout`
    past the deadline).
    """
    if audio_playlist is None:
        audio_playlist = shared_audio_playlist(Path(playlist))
    playlist = media_playlist(Path(playlist))
    segments = parse_media_segments(playlist.read_text())
    if not segments:
        raise ValueError(f"{playlist} lists no segments")
    probed = _probed_span(segments, start, end)
    params = probe_segment(_segment_file(playlist.parent, probed.uri))
    plan = plan_cut(segments, float(params.fps), start, end)
    paths = {span.index: _segment_file(playlist.parent, span.uri) for span in _used(plan)}
    if audio_playlist is not None:
        folder = Path(audio_playlist).parent
        needed = audio_segments_needed(Path(audio_playlist).read_text(), start, end)
        audio = [_segment_file(folder, uri) for uri in needed]
    else:
        audio = [paths[s.index] for s in plan.audio] if params.has_audio else []
    deadline = time.monotonic() + (timeout if timeout is not None else export_timeout(plan))
    progress = _Progress(plan, on_progress)
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.name}.{secrets.token_hex(4)}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="clip-", dir=work_dir) as scratch:
            runner = _Runner(Path(scratch), paths, params, plan, deadline, progress)
            runner.build(partial, audio, audio_offset=params.video_start - Fraction(probed.start))
        _check_output(partial, plan, has_audio=bool(audio))
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return ExportResult(
        duration=plan.duration,
        size_bytes=out_path.stat().st_size,
        reencoded_seconds=plan.reencoded_seconds,
        copied_seconds=plan.copied_seconds,
    )


class _Runner:
    """Runs the ffmpeg steps of one export inside ``scratch``."""

    def __init__(
        self,
        scratch: Path,
        paths: dict[int, Path],
        params: SegmentParams,
        plan: CutPlan,
        deadline: float,
        progress: _Progress,
    ) -> None:
        self.scratch = scratch
        self.paths = paths
        self.params = params
        self.plan = plan
        self.deadline = deadline
        self.progress = progress
        self.gop = max(span.frames for span in plan.video_segments)

    def build(self, out: Path, audio: Sequence[Path], *, audio_offset: Fraction) -> None:
        """Write the clip to ``out`` with the audio of the segments ``audio``
        (``audio_offset``: TS clock minus timeline; every ladder playlist shares it)."""
        plan = self.plan
        entries: list[tuple[Path, float]] = []
        if plan.head is not None:
            entries.append((self._encode(plan.head, "head.ts"), plan.head.duration))
        if plan.middle:
            entries.append((self._remux(plan.middle), plan.copied_seconds))
        if plan.tail is not None:
            entries.append((self._encode(plan.tail, "tail.ts"), plan.tail.duration))
        script = self.scratch / "video.ffconcat"
        script.write_text(concat_script(entries))
        audio_start = float(Fraction(plan.start) + audio_offset)
        argv = final_argv(script, audio, audio_start, plan.duration, out)
        self._run(argv, plan.duration, COPY_WEIGHT * plan.duration)

    def _encode(self, piece: Piece, name: str) -> Path:
        out = self.scratch / name
        argv = piece_argv(self.paths[piece.segment.index], piece, self.params, self.gop, out)
        self._run(argv, piece.duration, ENCODE_WEIGHT * piece.duration)
        if not out.is_file() or out.stat().st_size == 0:
            raise TranscodeError(f"ffmpeg wrote no frames for the {out.stem} of the clip")
        return out

    def _remux(self, spans: Sequence[SegmentSpan]) -> Path:
        out = self.scratch / "middle.ts"
        seconds = self.plan.copied_seconds
        self._run(
            remux_argv([self.paths[s.index] for s in spans], out), seconds, COPY_WEIGHT * seconds
        )
        return out

    def _run(self, argv: list[str], duration: float, weight: float) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TranscodeTimeout("the clip export ran out of time")
        run_ffmpeg(
            argv, duration=duration, on_progress=self.progress.step(weight), timeout=remaining
        )
        self.progress.done(weight)


class _Progress:
    """Maps each ffmpeg step's 0-100 % onto its share of the whole export."""

    def __init__(self, plan: CutPlan, on_progress: ProgressCallback | None) -> None:
        copied = plan.copied_seconds + plan.duration  # the middle remux, then the final copy
        self.total = ENCODE_WEIGHT * plan.reencoded_seconds + COPY_WEIGHT * copied
        self.finished = 0.0
        self.on_progress = on_progress

    def step(self, weight: float) -> ProgressCallback | None:
        """A callback for one step of ``weight`` (None when nobody listens)."""
        if self.on_progress is None:
            return None
        report, base = self.on_progress, self.finished
        return lambda percent: report(
            min(100.0, (base + weight * percent / 100.0) / self.total * 100.0)
        )

    def done(self, weight: float) -> None:
        """Record that a step of ``weight`` finished."""
        self.finished += weight


def _probed_span(segments: Sequence[Segment], start: float, end: float) -> SegmentSpan:
    """The segment holding ``start`` (after checking the range): the one probed."""
    spans = timeline(segments, 1.0)  # times only; the real frame grid needs the probe
    check_range(start, end, spans[-1].end)
    return next((span for span in spans if start < span.end), spans[-1])


def _used(plan: CutPlan) -> list[SegmentSpan]:
    spans = {span.index: span for span in (*plan.video_segments, *plan.audio)}
    return [spans[index] for index in sorted(spans)]


def _segment_file(folder: Path, uri: str) -> Path:
    path = _inside(folder, uri)
    if not path.is_file():
        raise FileNotFoundError(f"segment {uri} is missing from {folder}")
    return path


def _inside(folder: Path, uri: str) -> Path:
    """``folder/uri`` for a plain relative URI that stays inside ``folder``."""
    relative = PurePosixPath(uri)
    if (
        ":" in uri
        or "|" in uri
        or relative.is_absolute()
        or ".." in relative.parts
        or "|" in str(folder)
    ):
        raise ValueError(f"refusing segment URI {uri!r}: only plain relative paths are allowed")
    return Path(folder).resolve() / relative


def _check_output(path: Path, plan: CutPlan, *, has_audio: bool) -> None:
    """ffmpeg can exit 0 having written too little: check streams, frames and length."""
    data = _ffprobe(
        [
            FFPROBE,
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,duration,nb_frames",
            "-of",
            "json",
            f"file:{path.resolve()}",
        ]
    )
    kinds = {s.get("codec_type"): s for s in data.get("streams", [])}
    video = kinds.get("video")
    if video is None or (has_audio and "audio" not in kinds):
        raise TranscodeError(f"the exported clip lacks streams (has {sorted(map(str, kinds))})")
    frames = plan.end_frame - plan.first_frame
    if str(video.get("nb_frames")) != str(frames):
        raise TranscodeError(
            f"the exported clip has {video.get('nb_frames')} frames instead of {frames}"
        )
    written = float(video.get("duration") or "nan")
    if not abs(written - plan.duration) <= DURATION_TOLERANCE_FRAMES / plan.fps:
        raise TranscodeError(
            f"the exported clip lasts {written:.3f} s instead of {plan.duration:.3f} s"
        )


def _ffprobe(argv: list[str]) -> dict[str, Any]:
    try:
        proc = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=FFPROBE_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TranscodeError(f"ffprobe failed: {exc}") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip()
        raise TranscodeError(f"ffprobe failed with exit code {proc.returncode}", tail)
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise TranscodeError(f"ffprobe wrote unreadable output: {exc}") from exc
