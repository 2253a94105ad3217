"""Benchmark: one decode feeding the whole ladder vs. one ffmpeg process per rendition.

Both variants run in this process on the same generated lecture-like source, alternating
to spread machine noise; the script prints the ratio baseline / ours (above 1 = faster).

    .venv/bin/python -m bench.transcode [--seconds 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from transcoder.argv import hls_argv, rendition_dirs
from transcoder.limits import Limits
from transcoder.plan import plan_ladder
from transcoder.probe import probe
from transcoder.run import run_ffmpeg
from transcoder.synth import generate


def _one_decode(source: Path, out: Path, info, plan) -> None:
    for folder in rendition_dirs(plan, out):
        folder.mkdir(parents=True)
    run_ffmpeg(
        hls_argv(source, info, plan, out), duration=info.duration, on_progress=None, timeout=600
    )


def _per_rendition(source: Path, out: Path, info, plan) -> None:
    for index, rendition in enumerate(plan.renditions):
        single = replace(plan, renditions=(rendition,))
        target = out / str(index)
        for folder in rendition_dirs(single, target):
            folder.mkdir(parents=True)
        run_ffmpeg(
            hls_argv(source, info, single, target),
            duration=info.duration,
            on_progress=None,
            timeout=600,
        )


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    """Run both variants ``--rounds`` times and print the median ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = generate(root / "src.mp4", seconds=args.seconds, width=1280, height=720, fps=30)
        info = probe(source, Limits())
        plan = plan_ladder(info)
        ours, baseline = [], []
        for round_no in range(args.rounds):
            ours.append(_timed(_one_decode, source, root / f"one{round_no}", info, plan))
            baseline.append(_timed(_per_rendition, source, root / f"many{round_no}", info, plan))
        names = ", ".join(r.name for r in plan.renditions)
        ratio = statistics.median(b / o for b, o in zip(baseline, ours, strict=True))
        print(f"source: {args.seconds:.0f} s 1280x720@30 (testsrc2) → ladder {names}")
        print(
            f"rounds: {args.rounds}; one-decode median {statistics.median(ours):.2f} s, "
            f"per-rendition median {statistics.median(baseline):.2f} s"
        )
        print(f"one decode for the whole ladder vs one process per rendition: {ratio:.2f}x faster")


if __name__ == "__main__":
    main()
