"""Try encoder/scaling/threading settings on one source; print a table (one JSON line each).

Each variant patches the knobs of :mod:`transcoder.encoder` (and the two that
:mod:`transcoder.argv` imports by name), then times our single ffmpeg command for the
full plan and the per-rendition baseline with the same x264 settings, and measures the
top rendition's SSIM and the ladder's bytes for both. The per-rendition time is reused
for variants that only change knobs it does not use (cascade, threads per encoder).

    .venv/bin/python -m bench.explore --seconds 60 [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import (
    dir_bytes,
    encoder_knobs,
    ladder_quality,
    run_ladder,
    run_per_rendition,
    timed,
)
from transcoder.limits import Limits
from transcoder.plan import Plan, plan_ladder
from transcoder.probe import MediaInfo, probe
from transcoder.synth import generate_lecture

BASE = {
    "X264_PRESET": "veryfast",
    "X264_PARAMS": "",
    "RATE_CONTROL": "abr",
    "CRF": 23,
    "X264_THREADS": None,
    "CASCADE_SCALING": False,
    "SCALE_FLAGS": "bicubic",
}
# Knobs the per-rendition baseline does not depend on (it has one encoder, one scale).
OURS_ONLY = {"CASCADE_SCALING", "X264_THREADS"}
STATIC = "ref=1:bframes=3:rc-lookahead=10"
VARIANTS: dict[str, dict[str, object]] = {
    "abr-veryfast (old default)": {},
    "crf23-veryfast": {"RATE_CONTROL": "crf"},
    "crf23-veryfast cascade": {"RATE_CONTROL": "crf", "CASCADE_SCALING": True},
    "crf23-veryfast cascade thr2": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_THREADS": 2,
    },
    "crf23-veryfast cascade thr1": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_THREADS": 1,
    },
    "crf23-veryfast cascade thr3": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_THREADS": 3,
    },
    "crf23-veryfast cascade area": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "SCALE_FLAGS": "area",
    },
    "crf23-veryfast cascade lanczos": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "SCALE_FLAGS": "lanczos",
    },
    "crf23-veryfast cascade bilinear": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "SCALE_FLAGS": "bilinear",
    },
    "crf23-faster cascade": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_PRESET": "faster",
    },
    "crf23-superfast cascade": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_PRESET": "superfast",
    },
    "crf23-veryfast cascade stillimage": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_PARAMS": "psy-rd=2.0,0.7:aq-strength=1.2:deblock=-3,-3",
    },
    "crf23-veryfast cascade static-tuned": {
        "RATE_CONTROL": "crf",
        "CASCADE_SCALING": True,
        "X264_PARAMS": STATIC,
    },
}
# Candidate lecture settings on top of today's defaults (capped CRF 23, cascade,
# bicubic); compared with ``--fixed-baseline`` against the per-rendition approach at
# those defaults (what PeerTube would run), at equal quality.
DEFAULTS = {"RATE_CONTROL": "crf", "CASCADE_SCALING": True}
LECTURE: dict[str, dict[str, object]] = {
    "defaults": {},
    "me=dia": {"X264_PARAMS": "me=dia"},
    "subme=1": {"X264_PARAMS": "subme=1"},
    "me=dia:subme=1": {"X264_PARAMS": "me=dia:subme=1"},
    "partitions=i8x8,i4x4": {"X264_PARAMS": "partitions=i8x8,i4x4"},
    "b-adapt=0": {"X264_PARAMS": "b-adapt=0"},
    "bframes=2": {"X264_PARAMS": "bframes=2"},
    "rc-lookahead=5": {"X264_PARAMS": "rc-lookahead=5"},
    "weightp=0": {"X264_PARAMS": "weightp=0"},
    "no-mbtree": {"X264_PARAMS": "mbtree=0"},
    "dia+subme1+part": {"X264_PARAMS": "me=dia:subme=1:partitions=i8x8,i4x4"},
    "dia+subme1+part+badapt0": {"X264_PARAMS": "me=dia:subme=1:partitions=i8x8,i4x4:b-adapt=0"},
    "superfast+mbtree": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10",
    },
    "superfast": {"X264_PRESET": "superfast"},
    "superfast+mbtree no-deblock": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10:no-deblock=1",
    },
    "superfast+mbtree aq0": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10:aq-mode=0",
    },
    "superfast+mbtree la5": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=5",
    },
    "superfast+mbtree no-cabac": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10:no-cabac=1",
    },
    "superfast+mbtree la5 no-cabac": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=5:no-cabac=1",
    },
    "superfast+mbtree no-cabac no-deblock": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10:no-cabac=1:no-deblock=1",
    },
    "superfast+mbtree la5 no-cabac no-deblock": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=5:no-cabac=1:no-deblock=1",
    },
    "superfast+mbtree b-adapt0": {
        "X264_PRESET": "superfast",
        "X264_PARAMS": "mbtree=1:rc-lookahead=10:b-adapt=0",
    },
}
# ffmpeg 9 runs each encoder on its own thread, so one x264 thread per rung keeps both
# cores busy without frame-threading overhead; then cheaper settings at a higher CRF.
CHOSEN = {"X264_PRESET": "superfast", "X264_THREADS": 1}
CHOSEN_PARAMS = "mbtree=1:rc-lookahead=10:no-cabac=1"
for _name, _extra, _crf in (
    ("thr1", "", 23),
    ("thr1 crf24", "", 24),
    ("thr1 crf25", "", 25),
    ("thr1 aq0 crf26", ":aq-mode=0", 26),
    ("thr1 aq0 crf27", ":aq-mode=0", 27),
    ("thr1 no-8x8dct", ":8x8dct=0", 23),
    ("thr1 weightp0 bframes2", ":weightp=0:bframes=2", 23),
    ("thr1 partitions-none", ":partitions=none", 23),
    ("thr1 no-8x8dct partitions-none", ":8x8dct=0:partitions=none", 23),
    ("thr1 no-8x8dct partitions-none weightp0", ":8x8dct=0:partitions=none:weightp=0", 23),
    ("thr1 no-8x8dct partitions-none crf24", ":8x8dct=0:partitions=none", 24),
):
    LECTURE[_name] = {**CHOSEN, "X264_PARAMS": CHOSEN_PARAMS + _extra, "CRF": _crf}
for _name, _settings in LECTURE.items():
    VARIANTS[f"lecture {_name}"] = {**DEFAULTS, **_settings}


@contextmanager
def patched(settings: dict[str, object]) -> Iterator[None]:
    """Temporarily set the encoder knobs: ``BASE`` overlaid with ``settings``."""
    with encoder_knobs({**BASE, **settings}):
        yield


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_variant(
    name: str,
    settings: dict[str, object],
    source: Path,
    info: MediaInfo,
    plan: Plan,
    root: Path,
    baseline_cache: dict[str, dict[str, float]],
    fixed_baseline: bool = False,
) -> dict[str, object]:
    """Measure one variant; returns its table row."""
    work = root / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    videos = [r.name for r in plan.renditions]
    with patched(settings):
        cpu = _cpu_seconds()
        ours = timed(lambda: run_ladder(source, info, plan, work / "ours"))
        ours_cpu = _cpu_seconds() - cpu
        ours_q = ladder_quality(source, plan, {n: work / "ours" / n for n in videos})
        key = json.dumps({k: v for k, v in {**BASE, **settings}.items() if k not in OURS_ONLY})
        if fixed_baseline:
            key = "fixed"
        if key not in baseline_cache:
            baseline_settings = {**DEFAULTS} if fixed_baseline else settings
            with patched(baseline_settings):
                baseline_cache[key] = _baseline(source, info, plan, work, videos)
        base = baseline_cache[key]
    # With shared audio the video variants carry none: count the audio rendition too.
    ours_bytes = sum(dir_bytes(work / "ours" / n) for n in [*videos, "audio"])
    return {
        "variant": name,
        "ours_s": round(ours, 2),
        "ours_cpu_s": round(ours_cpu, 1),
        "per_rendition_s": round(base["per_rendition_s"], 2),
        "per_cpu_s": round(base["per_cpu_s"], 1),
        "ratio": round(ours / base["per_rendition_s"], 3),
        "cpu_ratio": round(ours_cpu / base["per_cpu_s"], 3),
        "ssim": [ours_q[n]["ssim"] for n in videos],
        "per_ssim_top": base["per_ssim_top"],
        "video_bytes": ours_bytes,
        "per_video_bytes": int(base["per_bytes"]),
    }


def _baseline(
    source: Path, info: MediaInfo, plan: Plan, work: Path, videos: list[str]
) -> dict[str, float]:
    """Time and score the per-rendition approach with the currently patched knobs."""
    dirs: dict[str, Path] = {}
    cpu = _cpu_seconds()
    per = timed(lambda: dirs.update(run_per_rendition(source, info, plan, work / "per")))
    per_cpu = _cpu_seconds() - cpu
    per_q = ladder_quality(source, plan, dirs, True)
    return {
        "per_rendition_s": per,
        "per_cpu_s": per_cpu,
        "per_ssim_top": per_q[videos[0]]["ssim"],
        "per_bytes": sum(int(q["bytes"]) for q in per_q.values()),
    }


def main() -> None:
    """Generate one lecture source and measure the selected variants."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--source", type=Path, help="reuse this lecture source")
    parser.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    parser.add_argument(
        "--fixed-baseline",
        action="store_true",
        help="compare every variant with the per-rendition approach at today's defaults",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = args.source or generate_lecture(root / "lecture.mp4", args.seconds)
        info = probe(source, Limits())
        plan = plan_ladder(info)
        cache: dict[str, dict[str, float]] = {}
        for name, settings in VARIANTS.items():
            if args.only and name not in args.only:
                continue
            row = run_variant(name, settings, source, info, plan, root, cache, args.fixed_baseline)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
