"""Pure parsers for the HLS playlists ffmpeg writes (enough to verify our output)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# KEY=VALUE pairs; quoted values may contain commas (CODECS="avc1...,mp4a...").
_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


@dataclass(frozen=True)
class VariantInfo:
    """One ``#EXT-X-STREAM-INF`` entry of a master playlist."""

    uri: str
    bandwidth: int
    width: int | None
    height: int | None
    codecs: str | None = None

    @property
    def name(self) -> str:
        """The rendition name: the URI's directory ("360p/index.m3u8" -> "360p")."""
        head, _, tail = self.uri.rpartition("/")
        return head or tail.rsplit(".", 1)[0]


@dataclass(frozen=True)
class MediaTag:
    """One ``#EXT-X-MEDIA`` rendition of a master playlist (an audio group member)."""

    type: str
    group: str
    name: str
    uri: str | None


@dataclass(frozen=True)
class Segment:
    """One media segment of a media playlist."""

    duration: float
    uri: str


def parse_attributes(text: str) -> dict[str, str]:
    """Parse an HLS attribute list into a dict, unquoting quoted values."""
    return {key: value.strip('"') for key, value in _ATTRIBUTE.findall(text)}


def parse_master(text: str) -> list[VariantInfo]:
    """Variants of a master playlist, in playlist order."""
    variants: list[VariantInfo] = []
    pending: dict[str, str] | None = None
    for line in _lines(text):
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = parse_attributes(line.partition(":")[2])
        elif pending is not None and not line.startswith("#"):
            variants.append(_variant(line, pending))
            pending = None
    return variants


def parse_media_tags(text: str) -> list[MediaTag]:
    """``#EXT-X-MEDIA`` renditions of a master playlist, in playlist order."""
    tags = []
    for line in _lines(text):
        if line.startswith("#EXT-X-MEDIA:"):
            attributes = parse_attributes(line.partition(":")[2])
            tags.append(
                MediaTag(
                    type=attributes.get("TYPE", ""),
                    group=attributes.get("GROUP-ID", ""),
                    name=attributes.get("NAME", ""),
                    uri=attributes.get("URI"),
                )
            )
    return tags


def audio_playlist_uri(text: str) -> str | None:
    """URI of the master playlist's (first) audio rendition, if its audio is separate."""
    return next((t.uri for t in parse_media_tags(text) if t.type == "AUDIO" and t.uri), None)


def parse_media_segments(text: str) -> list[Segment]:
    """Segments (duration and URI) of a media playlist, in playlist order."""
    segments: list[Segment] = []
    duration: float | None = None
    for line in _lines(text):
        if line.startswith("#EXTINF:"):
            duration = float(line.partition(":")[2].split(",", 1)[0])
        elif duration is not None and not line.startswith("#"):
            segments.append(Segment(duration=duration, uri=line))
            duration = None
    return segments


def _variant(uri: str, attributes: dict[str, str]) -> VariantInfo:
    width = height = None
    resolution = attributes.get("RESOLUTION", "")
    if "x" in resolution:
        w, _, h = resolution.partition("x")
        width, height = int(w), int(h)
    return VariantInfo(
        uri=uri,
        bandwidth=int(attributes.get("BANDWIDTH", "0")),
        width=width,
        height=height,
        codecs=attributes.get("CODECS"),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def event_to_vod(text: str) -> str:
    """Turn a finished EVENT media playlist into a VOD one; it must have ENDLIST."""
    if "#EXT-X-ENDLIST" not in text:
        raise ValueError("the playlist is not finished (no #EXT-X-ENDLIST)")
    return text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD")


CLIP_TAG = "#EXT-X-LEARNSTREAM-CLIP"


def first_segment_start(text: str, start: float) -> float:
    """Start time of the segment containing ``start`` (where a clip playlist begins)."""
    position = 0.0
    for segment in parse_media_segments(text):
        if position + segment.duration > start:
            return position
        position += segment.duration
    raise ValueError("the time lies outside the recording")


def clip_media_playlist(text: str, start: float, end: float, uri_prefix: str) -> str:
    """A VOD playlist of only the segments of ``text`` that overlap [start, end).

    No re-encoding: the URIs point at the parent's segments (``uri_prefix`` + URI). The
    exact range travels in two tags: the standard ``EXT-X-START`` (where to begin,
    relative to the first listed segment) and ``EXT-X-LEARNSTREAM-CLIP`` (START/END in
    the parent's time and OFFSET, the parent time of the playlist's first segment), so
    the player starts and stops exactly at the in and out points.
    """
    if not 0 <= start < end:
        raise ValueError("a clip needs 0 <= start < end")
    kept: list[tuple[int, float, Segment]] = []
    position = 0.0
    for index, segment in enumerate(parse_media_segments(text)):
        if position < end and position + segment.duration > start:
            kept.append((index, position, segment))
        position += segment.duration
    if not kept:
        raise ValueError("the range lies outside the recording")
    first_index, offset, _ = kept[0]
    target = max(1, math.ceil(max(s.duration for _, _, s in kept)))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        f"#EXT-X-TARGETDURATION:{target}",
        f"#EXT-X-MEDIA-SEQUENCE:{first_index}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f"#EXT-X-START:TIME-OFFSET={start - offset:.3f},PRECISE=YES",
        f"{CLIP_TAG}:START={start:.3f},END={end:.3f},OFFSET={offset:.3f}",
    ]
    for _, _, segment in kept:
        lines += [f"#EXTINF:{segment.duration:.6f},", f"{uri_prefix}{segment.uri}"]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
