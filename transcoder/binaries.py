"""Which ffmpeg executable runs the commands that ``transcoder.argv`` builds.

The builders stay pure and name the program ``ffmpeg``; ``run.run_ffmpeg`` swaps in the
resolved executable. Order: ``FFMPEG_BINARY`` from the environment, then the static
ffmpeg build shipped in the ``imageio-ffmpeg`` wheel (ffmpeg 9: its command line runs
filter graphs, encoders and muxers on their own threads, which Debian's 5.1 does not;
see bench/README.md), then ``ffmpeg`` on the PATH. ffprobe always comes from the PATH
(the wheel ships none).
"""

from __future__ import annotations

import os
import shutil
from functools import cache

PROGRAM = "ffmpeg"


@cache
def ffmpeg_executable() -> str:
    """The ffmpeg executable to run (resolved once per process)."""
    configured = os.environ.get("FFMPEG_BINARY", "").strip()
    if configured:
        return configured
    try:
        import imageio_ffmpeg  # optional: the scaled setup may ship its own ffmpeg
    except ImportError:
        return shutil.which(PROGRAM) or PROGRAM
    return imageio_ffmpeg.get_ffmpeg_exe()


def resolve(argv: list[str]) -> list[str]:
    """``argv`` with the bare program name replaced by :func:`ffmpeg_executable`."""
    if argv and argv[0] == PROGRAM:
        return [ffmpeg_executable(), *argv[1:]]
    return argv
