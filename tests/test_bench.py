"""Smoke test of the transcoding benchmark's measurement functions (no timing checks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench import app_server, framework, heartbeats, heartbeats_app
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
    # Our variants carry no audio: the shared rendition's bytes count towards our total.
    quality = line["quality"]
    assert quality["ours_shared_audio_bytes"] > 0
    assert quality["ours_bytes"] == quality["ours_shared_audio_bytes"] + sum(
        entry["bytes"] for entry in quality["ours"].values()
    )
    assert {"pipeline_vs_per_rendition_met", "pipeline_vs_bare_met"} <= set(line["targets"])
    # The baseline runs PeerTube's settings, not ours.
    assert line["per_rendition_settings"]["X264_PRESET"] != line["settings"]["preset"]
    written = write_result(result, tmp_path / "results")
    assert json.loads(written.read_text()) == line


def test_framework_benchmark_compares_our_app_with_bare_flask() -> None:
    before = dict(os.environ)
    line = json.loads(json.dumps(framework.measure(requests=30, rounds=2)))
    assert dict(os.environ) == before  # the throwaway instance is undone
    assert set(line["cpu_ms_per_request"]) == {"bare", "api_404"}
    assert all(v > 0 for v in line["cpu_ms_per_request"].values())
    assert len(line["ratios"]) == 2 and line["ratio_api_404_to_bare"] > 0


def test_our_app_answers_the_framework_request_like_bare_flask(tmp_path: Path) -> None:
    """Both apps must answer the measured request the same way, or the ratio compares
    different work."""
    with framework.throwaway_instance(tmp_path):
        for app in (framework.bare_app(), framework.our_app()):
            response = app.test_client().get(framework.PATH, headers=framework.HEADERS)
            assert response.status_code == 404 and response.is_json


def test_heartbeat_bench_server_commands() -> None:
    gunicorn = app_server.server_argv("gunicorn", 8123, 2, 64, pool=20)
    assert gunicorn[0].endswith("gunicorn") and "--bind=127.0.0.1:8123" in gunicorn
    assert "--threads=64" in gunicorn and "'pool_size': 20" in gunicorn[-1]
    assert app_server.server_argv("gunicorn", 8123, 2, 64)[-1] == "webapp:create_app()"
    granian = app_server.server_argv("granian", 8123, 2, 64, pool=20)
    assert granian[0].endswith("granian") and "--port=8123" in granian
    assert "--blocking-threads=64" in granian and granian[-2:] == [
        "--factory",
        "bench.heartbeats_app:create",
    ]


def test_heartbeat_bench_runs_what_we_deploy_and_compares_it_with_a_baseline() -> None:
    assert app_server.SERVERS[0] == "granian"  # the default of --http-server

    def run(per_second: float, p99: float, app_ms: float, floor: float) -> dict:
        cpu = {"app_ms": app_ms, "total_ms": app_ms + 0.2}
        return {
            "beats": {"per_second": per_second, "p99_ms": p99, "cpu": cpu},
            "api_404": {"per_second": floor},
        }

    ratios = heartbeats.ratios(run(2000, 20, 0.4, 5000), run(1600, None, 0.8, 1250))
    assert ratios == {
        "beats_per_second": 1.25,
        "beats_p99_ms": None,  # the baseline answered nothing
        "app_cpu_ms_per_beat": 0.5,
        "total_cpu_ms_per_beat": 0.6,
        "api_404_per_second": 4.0,
    }


def test_heartbeat_bench_app_factory_takes_the_pool_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("BENCH_DB_POOL", "7")
    app = heartbeats_app.create()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 7
