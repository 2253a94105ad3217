"""Smoke test of the transcoding benchmark's measurement functions (no timing checks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.transcode import measure, write_result
from transcoder.synth import generate_lecture


def test_benchmark_reports_every_measurement(tmp_path: Path) -> None:
    before = os.environ.get("LEARNSTREAM_INSTANCE")
    source = generate_lecture(tmp_path / "lecture.mp4", 2, width=320, height=180)
    work = tmp_path / "work"
    work.mkdir()
    result = measure(source, 1, work)
    assert os.environ.get("LEARNSTREAM_INSTANCE") == before
    line = json.loads(json.dumps(result))  # one JSON-serialisable mapping
    assert {
        "source",
        "ffmpeg",
        "settings",
        "ladder",
        "rounds",
        "seconds_median",
        "ratios",
        "quality",
        "targets",
        "cpu_seconds",
        "cpu_ratios",
        "load_1min_after",
    } <= set(line)
    assert set(line["seconds_median"]) == {
        "pipeline",
        "per_rendition",
        "per_rendition_same",
        "bare",
        "bare_plain",
        "decode",
    }
    assert set(line["ratios"]) >= {
        "pipeline_vs_per_rendition",
        "pipeline_vs_bare",
        "decode_vs_bare",
    }
    assert all(value > 0 for value in line["seconds_median"].values())
    for approach in ("ours", "per_rendition"):
        per_rendition = line["quality"][approach]
        assert list(per_rendition) == line["ladder"]
        for entry in per_rendition.values():
            assert entry["bytes"] > 0
            assert 0.0 < entry["ssim"] <= 1.0
    assert {"pipeline_vs_per_rendition_met", "pipeline_vs_bare_met"} <= set(line["targets"])
    # The baseline runs PeerTube's settings, not ours.
    assert line["per_rendition_settings"]["X264_PRESET"] != line["settings"]["preset"]
    written = write_result(result, tmp_path / "results")
    assert json.loads(written.read_text()) == line
