"""Progressive availability: publish the lowest rendition's segments as they are written.

The single ffmpeg run writes EVENT playlists that grow segment by segment. While it
runs, the job's progress callback calls :meth:`PreviewPublisher.sync`, which copies the
new complete segments of the smallest variant (and of the shared audio rendition, which
that variant plays) and then their playlists to a preview prefix. Learners can start
watching after the first segment; when the full ladder is published the preview is
dropped (the final 240p and audio segments are the very same files).
"""

from __future__ import annotations

import re
from pathlib import Path

from transcoder.hls import parse_media_segments
from transcoder.plan import SharedAudio
from webapp.storage import Storage
from webapp.storage.content_types import content_type

_RUNG = re.compile(r"^(\d+)p$")
PLAYLIST = "index.m3u8"
MASTER = "master.m3u8"
AUDIO = SharedAudio.name  # the shared audio rendition's directory


def preview_prefix(video_id: int, job_id: int, attempt: int) -> str:
    """Where one attempt's preview lives."""
    return f"videos/{video_id}/preview/j{job_id}a{attempt}"


def smallest_variant(out_dir: Path) -> str | None:
    """The lowest-resolution rendition directory ffmpeg is writing (e.g. "240p")."""
    rungs = [
        (int(m.group(1)), p.name)
        for p in out_dir.iterdir()
        if p.is_dir() and (m := _RUNG.match(p.name))
    ]
    return min(rungs)[1] if rungs else None


def complete_playlist_text(text: str) -> str:
    """Drop a possibly half-written last entry: keep lines up to the last segment URI."""
    lines = text.splitlines()
    while lines and (lines[-1].startswith("#EXTINF") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines) + "\n"


class PreviewPublisher:
    """Mirror the smallest variant of an in-progress encode (and its audio) to ``prefix``."""

    def __init__(self, storage: Storage, out_dir: Path, prefix: str) -> None:
        self.storage = storage
        self.out_dir = out_dir
        self.prefix = prefix
        self.variant: str | None = None
        self.uploaded: set[str] = set()
        self.available = False

    def sync(self) -> bool:
        """Publish what is new; True the first time the preview becomes watchable."""
        if not self.out_dir.is_dir():
            return False
        self.variant = self.variant or smallest_variant(self.out_dir)
        if self.variant is None:
            return False
        video = self._mirror(self.variant)
        # The video variants carry no audio of their own when it is shared.
        audio = self._mirror(AUDIO) if (self.out_dir / AUDIO).is_dir() else None
        if self.available or not video or audio is False:
            return False
        self.storage.put_bytes(
            f"{self.prefix}/{MASTER}",
            self._master(self.variant, audio is not None).encode(),
            content_type(MASTER),
        )
        self.available = True
        return True

    def _mirror(self, folder: str) -> bool:
        """Upload the complete segments of ``folder``, then its playlist; False until the
        playlist names at least one segment."""
        playlist = self.out_dir / folder / PLAYLIST
        if not playlist.is_file():
            return False
        text = complete_playlist_text(playlist.read_text())
        segments = parse_media_segments(text)
        if not segments:
            return False
        for segment in segments:
            rel = f"{folder}/{segment.uri}"
            if rel not in self.uploaded:
                self._put(rel, self.out_dir / folder / segment.uri)
                self.uploaded.add(rel)
        # Segments first, then the playlist that names them.
        self.storage.put_bytes(
            f"{self.prefix}/{folder}/{PLAYLIST}", text.encode(), content_type(PLAYLIST)
        )
        return True

    def _put(self, rel: str, path: Path) -> None:
        self.storage.put_file(f"{self.prefix}/{rel}", path, content_type(rel))

    def _master(self, variant: str, with_audio: bool) -> str:
        height = int(variant.removesuffix("p"))  # a rung name: smallest_variant checked it
        # A conservative bandwidth hint; the preview has a single variant anyway.
        lines = ["#EXTM3U"]
        inf = f"#EXT-X-STREAM-INF:BANDWIDTH={height * 2500}"
        if with_audio:
            lines.append(
                f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="{AUDIO}",NAME="{AUDIO}",DEFAULT=YES,'
                f'AUTOSELECT=YES,URI="{AUDIO}/{PLAYLIST}"'
            )
            inf += f',AUDIO="{AUDIO}"'
        lines += [inf, f"{variant}/{PLAYLIST}"]
        return "\n".join(lines) + "\n"
