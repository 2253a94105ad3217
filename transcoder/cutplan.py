"""Pure planning of a frame-accurate clip cut from an HLS rendition (no I/O).

The ladder puts a keyframe (IDR) at the start of every segment and nowhere else that
matters, so a clip ``[start, end)`` splits into at most three kinds of parts: a
re-encoded *head* (from ``start`` up to the next segment boundary), whole *middle*
segments that are stream-copied, and a re-encoded *tail* (from the last boundary up
to ``end``). Everything is computed on the frame grid: times are snapped to the
nearest frame and pieces are described by frame counts, so no rounding of
timestamps can add or drop a frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from transcoder.hls import Segment, parse_media_segments

# Audio is copied from the segments around the range, not just the video ones: the
# muxer interleaves audio ahead of video (B-frame reorder delay), so the audio of a
# segment's first instants can sit in the previous file, and that of its last
# instants in the next. Half a second also covers snapping to the grid at >= 1 fps.
AUDIO_GUARD_SECONDS = 0.5
# Float slack when comparing user times with sums of playlist durations.
_EPSILON = 1e-6
# Float noise tolerated when a time lies exactly halfway between two frames.
_GRID_SLACK = 1e-9


@dataclass(frozen=True)
class SegmentSpan:
    """One media segment placed on the recording's timeline and frame grid."""

    index: int
    uri: str
    start: float
    duration: float
    first_frame: int
    frames: int

    @property
    def end(self) -> float:
        """Where the segment ends (seconds)."""
        return self.start + self.duration

    @property
    def end_frame(self) -> int:
        """Index of the first frame after the segment."""
        return self.first_frame + self.frames


@dataclass(frozen=True)
class Piece:
    """Frames ``[skip, skip + frames)`` of ``segment``, to be decoded and re-encoded."""

    segment: SegmentSpan
    skip: int
    frames: int
    fps: float

    @property
    def start(self) -> float:
        """Timeline position of the piece's first frame (seconds)."""
        return (self.segment.first_frame + self.skip) / self.fps

    @property
    def duration(self) -> float:
        """Length of the piece (seconds)."""
        return self.frames / self.fps


@dataclass(frozen=True)
class CutPlan:
    """How to build the clip of frames ``[first_frame, end_frame)`` at ``fps``.

    ``head`` re-encodes from the clip start to the first keyframe after it (``None``
    when the start is a segment boundary). When both ends fall strictly inside the
    same segment, ``head`` is the single re-encoded piece and ``tail`` is ``None``.
    ``middle`` holds the whole segments that are stream-copied; ``tail`` re-encodes
    from the last keyframe at or before the end (``None`` when the end is a
    boundary). ``audio`` lists the segments whose audio covers the range.
    """

    first_frame: int
    end_frame: int
    fps: float
    head: Piece | None
    middle: tuple[SegmentSpan, ...]
    tail: Piece | None
    audio: tuple[SegmentSpan, ...]

    @property
    def start(self) -> float:
        """Clip start on the timeline, snapped to the frame grid (seconds)."""
        return self.first_frame / self.fps

    @property
    def end(self) -> float:
        """Clip end on the timeline, snapped to the frame grid (seconds)."""
        return self.end_frame / self.fps

    @property
    def duration(self) -> float:
        """Length of the clip (seconds)."""
        return (self.end_frame - self.first_frame) / self.fps

    @property
    def reencoded_seconds(self) -> float:
        """Seconds of video that are decoded and encoded again."""
        frames = sum(piece.frames for piece in (self.head, self.tail) if piece is not None)
        return frames / self.fps

    @property
    def copied_seconds(self) -> float:
        """Seconds of video that are stream-copied untouched."""
        return sum(span.frames for span in self.middle) / self.fps

    @property
    def video_segments(self) -> tuple[SegmentSpan, ...]:
        """Segments the video is taken from, in timeline order."""
        pieces = [piece.segment for piece in (self.head,) if piece is not None]
        tail = [self.tail.segment] if self.tail is not None else []
        return (*pieces, *self.middle, *tail)


def timeline(segments: Sequence[Segment], fps: float) -> tuple[SegmentSpan, ...]:
    """Place playlist ``segments`` on the timeline (start = sum of earlier durations).

    Boundaries are snapped to the frame grid of ``fps``; a segment's frame count is the
    distance between its boundary and the next one.
    """
    _check_fps(fps)
    spans: list[SegmentSpan] = []
    start = 0.0
    for index, segment in enumerate(segments):
        first, last = to_frame(start, fps), to_frame(start + segment.duration, fps)
        spans.append(SegmentSpan(index, segment.uri, start, segment.duration, first, last - first))
        start += segment.duration
    return tuple(spans)


def to_frame(seconds: float, fps: float) -> int:
    """Index of the frame of the ``fps`` grid nearest to ``seconds``.

    A time exactly between two frames goes to the earlier one: the frame on screen at
    that instant (4.5 s at 25 fps is frame 112, shown from 4.48 s to 4.52 s).
    """
    return math.ceil(seconds * fps - 0.5 - _GRID_SLACK)


def check_range(start: float, end: float, total: float) -> None:
    """Raise ``ValueError`` unless ``0 <= start < end <= total`` (all finite)."""
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ValueError(f"clip start and end must be finite numbers (got {start}, {end})")
    if start < 0:
        raise ValueError(f"clip start must not be negative (got {start:g} s)")
    if start >= end:
        raise ValueError(f"clip start ({start:g} s) must be before its end ({end:g} s)")
    if end > total + _EPSILON:
        raise ValueError(f"clip end ({end:g} s) is past the end of the recording ({total:g} s)")


def plan_cut(
    segments: Sequence[Segment],
    fps: float,
    start: float,
    end: float,
    *,
    audio_guard: float = AUDIO_GUARD_SECONDS,
) -> CutPlan:
    """Plan the clip ``[start, end)`` of a rendition made of ``segments`` at ``fps``.

    ``start`` and ``end`` are snapped to the nearest frame. Raises ``ValueError`` for
    an empty playlist or a range outside ``[0, total duration]``, or one that is
    shorter than a frame once snapped.
    """
    spans = timeline(segments, fps)
    if not spans:
        raise ValueError("the playlist has no segments")
    check_range(start, end, spans[-1].end)
    first, last = to_frame(start, fps), min(to_frame(end, fps), spans[-1].end_frame)
    if first >= last:
        raise ValueError(f"the clip [{start:g}, {end:g}) is shorter than one frame")
    head_span = _span_at(spans, first)
    tail_span = _span_at(spans, last - 1)
    head = _head(head_span, first, last, fps)
    tail = (
        None if head_span is tail_span and head is not None else _tail(tail_span, first, last, fps)
    )
    copy_from = head_span.index + (1 if head is not None else 0)
    copy_to = tail_span.index - (1 if tail is not None else 0)
    return CutPlan(
        first_frame=first,
        end_frame=last,
        fps=fps,
        head=head,
        middle=spans[copy_from : copy_to + 1],
        tail=tail,
        audio=_overlapping(spans, first / fps - audio_guard, last / fps + audio_guard),
    )


def segments_needed(
    playlist_text: str, start: float, end: float, *, audio_guard: float = AUDIO_GUARD_SECONDS
) -> list[str]:
    """URIs of the segments :func:`plan_cut` may read to cut ``[start, end)``.

    That is every segment overlapping ``[start - audio_guard, end + audio_guard]``,
    in playlist order: the video segments plus the neighbours that may hold audio of
    the range. Raises ``ValueError`` for a bad range.
    """
    spans = _time_spans(playlist_text, "the playlist has no segments")
    check_range(start, end, spans[-1].end)
    return [span.uri for span in _overlapping(spans, start - audio_guard, end + audio_guard)]


def audio_segments_needed(
    playlist_text: str, start: float, end: float, *, guard: float = AUDIO_GUARD_SECONDS
) -> list[str]:
    """URIs of a separate audio playlist's segments that cover ``[start, end)``.

    Its segments are cut on audio frames, so they end a few milliseconds off the video
    ones: no range check against its own length, one ``guard`` on either side.
    """
    spans = _time_spans(playlist_text, "the audio playlist has no segments")
    return [span.uri for span in _overlapping(spans, start - guard, end + guard)]


def _time_spans(playlist_text: str, empty_message: str) -> tuple[SegmentSpan, ...]:
    """The playlist's segments on its timeline (only the times matter, not the frame
    grid); ``ValueError(empty_message)`` when it lists none."""
    segments = parse_media_segments(playlist_text)
    if not segments:
        raise ValueError(empty_message)
    return timeline(segments, 1.0)


def _check_fps(fps: float) -> None:
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number (got {fps})")


def _span_at(spans: Sequence[SegmentSpan], frame: int) -> SegmentSpan:
    """The segment holding ``frame`` (the last one for frames past the end)."""
    for span in spans:
        if span.first_frame <= frame < span.end_frame:
            return span
    return spans[-1]


def _head(span: SegmentSpan, first: int, last: int, fps: float) -> Piece | None:
    if first == span.first_frame:
        return None
    return Piece(span, first - span.first_frame, min(last, span.end_frame) - first, fps)


def _tail(span: SegmentSpan, first: int, last: int, fps: float) -> Piece | None:
    if last == span.end_frame:
        return None
    begin = max(first, span.first_frame)
    return Piece(span, begin - span.first_frame, last - begin, fps)


def _overlapping(spans: Sequence[SegmentSpan], lo: float, hi: float) -> tuple[SegmentSpan, ...]:
    """Segments sharing more than an instant with ``[lo, hi]``."""
    return tuple(s for s in spans if s.start < hi - _EPSILON and s.end > lo + _EPSILON)
