"""What an honest recording costs in CPU per second of media, against the job budget.

Runs the whole ``transcoder.pipeline.transcode`` (ladder, audio, storyboard, poster) on
generated camera-like sources (``transcoder.synth.generate``: ``testsrc2``, full of
motion and detail, dearer to encode than slides) and prints one JSON line with the CPU
seconds per media second of each, the default ``JOB_CPU_SECONDS_PER_MEDIA_SECOND`` and
the headroom it leaves:

    .venv/bin/python -m bench.cpu_budget [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
from pathlib import Path

from transcoder.budget import DEFAULT_PER_MEDIA_SECOND
from transcoder.limits import Limits
from transcoder.pipeline import transcode
from transcoder.synth import generate

SIZES = ((1920, 1080), (3840, 2160))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_per_media_second(width: int, height: int, seconds: float, work: Path) -> float:
    """CPU seconds the pipeline's ffmpeg and ffprobe runs spend per second of media."""
    source = generate(work / f"{height}p.mp4", seconds=seconds, width=width, height=height, fps=25)
    before = _children_cpu()
    transcode(source, work / f"{height}p-out", Limits(), segment_seconds=4)
    return (_children_cpu() - before) / seconds


def main() -> None:
    """Measure each size and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        costs = {
            f"{h}p": round(cpu_per_media_second(w, h, args.seconds, Path(tmp)), 2) for w, h in SIZES
        }
    print(
        json.dumps(
            {
                "seconds": args.seconds,
                "cpu_seconds_per_media_second": costs,
                "budget_per_media_second": DEFAULT_PER_MEDIA_SECOND,
                "headroom": round(DEFAULT_PER_MEDIA_SECOND / max(costs.values()), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
