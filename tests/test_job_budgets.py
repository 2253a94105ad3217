"""A job's ffmpeg dies with its worker and within its CPU budget, and a failed job says
why in a sentence, never with an exit code. Real ffmpeg runs, real jobs, real processes.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from tests.support.devserver import running
from tests.support.jobs import queued_job
from tests.support.paths import ROOT
from tests.support.waiting import wait_until
from transcoder.budget import CpuAccount, CpuBudget
from transcoder.errors import (
    CPU_BUDGET,
    DAMAGED,
    DISK_FULL,
    CpuBudgetExceeded,
    TranscodeError,
    TranscodeTimeout,
    failure_reason,
)
from transcoder.limits import Limits
from transcoder.pipeline import transcode
from transcoder.run import run_ffmpeg
from transcoder.synth import generate
from webapp.extensions import db
from webapp.models import JobState, TranscodeJob, VideoState
from webapp.storage import ObjectNotFound, StorageError
from webapp.transcoding.reasons import user_reason
from webapp.transcoding.runner import run_job

# Encodes as fast as the CPU allows and never ends on its own.
BUSY = [
    "ffmpeg",
    "-nostdin",
    "-v",
    "error",
    "-progress",
    "pipe:1",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1280x720:rate=30",
    "-c:v",
    "libx264",
    "-preset",
    "medium",
    "-f",
    "null",
    "-",
]
# What a worker does: start a long ffmpeg through the runner's spawn helper, then wait.
PARENT = """
import signal, subprocess, sys
from transcoder.binaries import resolve
from transcoder.child import spawn
child = spawn(resolve(sys.argv[1:]), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
print(child.pid, flush=True)
signal.pause()
"""


def zeroed_media_data(source: Path, out: Path) -> Path:
    """``source`` with every byte of its ``mdat`` box zeroed: the headers still probe
    as a fine H.264/AAC MP4, but no frame or sound decodes (ffmpeg exits with 69)."""
    data = bytearray(source.read_bytes())
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"mdat":
            data[offset + 8 : offset + size] = bytes(size - 8)
            break
        offset += size
    out.write_bytes(bytes(data))
    return out


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s of 1280x720: its ladder costs several CPU seconds, well above a 1 s budget."""
    path = tmp_path_factory.mktemp("budget") / "hd.mp4"
    return generate(path, seconds=8.0, width=1280, height=720, fps=25)


# --------------------------------------------------------------------------- ffmpeg


def test_ffmpeg_dies_with_the_process_that_started_it() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, *BUSY],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    ffmpeg = 0
    try:
        assert parent.stdout is not None
        ffmpeg = int(parent.stdout.readline())
        wait_until(lambda: running(ffmpeg), 30, "ffmpeg never ran")
        parent.send_signal(signal.SIGKILL)  # as kill -9 of a worker: no clean-up runs
        parent.wait(timeout=30)
        wait_until(lambda: not running(ffmpeg), 30, "ffmpeg outlived its parent")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        assert parent.stdout is not None
        parent.stdout.close()
        if ffmpeg and running(ffmpeg):  # the test failed: do not leave it burning CPU
            os.kill(ffmpeg, signal.SIGKILL)


def test_ffmpeg_past_its_cpu_budget_is_stopped_with_a_reason() -> None:
    with pytest.raises(CpuBudgetExceeded) as caught:
        run_ffmpeg(BUSY, duration=3600.0, on_progress=None, timeout=300.0, cpu_seconds=1.0)
    assert caught.value.reason == CPU_BUDGET
    assert "CPU seconds" in caught.value.message  # the detail for the log


def test_cpu_used_is_reported_and_charged_to_the_job() -> None:
    argv = [*BUSY[:9], "testsrc2=size=320x180:rate=25:duration=2", *BUSY[10:]]
    used = run_ffmpeg(argv, duration=2.0, on_progress=None, timeout=120.0, cpu_seconds=60.0)
    assert 0 < used < 60
    account = CpuAccount(CpuBudget(per_media_second=1.0, floor_seconds=0.0).seconds_for(2.0))
    account.spend(used)
    account.spend(2.0)
    with pytest.raises(CpuBudgetExceeded):  # spent: the next run does not even start
        account.left()


def test_the_budget_grows_with_the_media_and_has_a_floor() -> None:
    budget = CpuBudget(per_media_second=20.0, floor_seconds=60.0)
    assert budget.seconds_for(1.0) == 60.0
    assert budget.seconds_for(600.0) == 12_000.0


def test_an_exit_code_is_never_the_reason(tmp_path: Path, sample_clip: Path) -> None:
    bad = zeroed_media_data(sample_clip, tmp_path / "zeroed.mp4")
    out_dir = tmp_path / "out"
    with pytest.raises(TranscodeError) as caught:
        transcode(bad, out_dir, Limits(), segment_seconds=2)
    assert "exit code" in caught.value.message  # kept for the log
    assert caught.value.reason == DAMAGED
    assert not out_dir.exists()  # nothing left behind, not even the empty folder
    # A full disk is the server's problem, not the file's.
    assert failure_reason("av_interleaved_write_frame(): No space left on device") == DISK_FULL


def test_transcode_over_its_budget_stops_and_leaves_nothing(tmp_path: Path, hd_clip: Path) -> None:
    out_dir = tmp_path / "out"
    with pytest.raises(CpuBudgetExceeded):
        transcode(
            hd_clip,
            out_dir,
            Limits(),
            segment_seconds=2,
            cpu_budget=CpuBudget(per_media_second=0.01, floor_seconds=1.0),
        )
    assert not out_dir.exists()


# --------------------------------------------------------------------------- jobs


def _job(app: Flask, job_id: int) -> tuple[str, str, str]:
    with app.app_context():
        job = db.session.get(TranscodeJob, job_id)
        return job.state, job.video.state, job.error


def _scratch(app: Flask) -> list[Path]:
    root = Path(app.config["SCRATCH_DIR"])
    return sorted(root.iterdir()) if root.is_dir() else []


def test_a_damaged_recording_fails_with_a_sentence(
    app: Flask, make_user, sample_clip: Path, tmp_path: Path
) -> None:
    bad = zeroed_media_data(sample_clip, tmp_path / "zeroed.mp4")
    _video_id, job_id = queued_job(app, make_user("instructor").id, bad)  # it probes fine
    with app.app_context():
        assert run_job(job_id) == JobState.FAILED
    state, video_state, error = _job(app, job_id)
    assert (state, video_state) == (JobState.FAILED, VideoState.FAILED)
    assert error == DAMAGED
    assert "exit code" not in error and "ffmpeg" not in error
    assert _scratch(app) == []


def test_a_job_over_its_cpu_budget_fails_with_a_sentence(
    app: Flask, make_user, hd_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "JOB_CPU_SECONDS_PER_MEDIA_SECOND", 0.01)
    monkeypatch.setitem(app.config, "JOB_CPU_FLOOR_SECONDS", 1)
    _video_id, job_id = queued_job(app, make_user("instructor").id, hd_clip)
    with app.app_context():
        assert run_job(job_id) == JobState.FAILED
    state, video_state, error = _job(app, job_id)
    assert (state, video_state, error) == (JobState.FAILED, VideoState.FAILED, CPU_BUDGET)
    assert _scratch(app) == []


def test_the_budget_is_a_setting(app: Flask) -> None:
    assert app.config["JOB_CPU_SECONDS_PER_MEDIA_SECOND"] == 20.0
    assert app.config["JOB_CPU_FLOOR_SECONDS"] == 60


@pytest.mark.parametrize(
    "exc",
    [
        TranscodeError("ffmpeg failed with exit code 69", "[aac] Decode error rate 1"),
        TranscodeError(
            "ffmpeg failed with exit code 251", reason=failure_reason("No space left on device")
        ),
        TranscodeTimeout("ffmpeg timed out after 600 seconds"),
        CpuBudgetExceeded("ffmpeg stopped after 61.0 CPU seconds (budget 60, exit code 255)"),
        StorageError("EndpointConnectionError: http://127.0.0.1:9/bucket"),
        ObjectNotFound("sources/1.mp4"),
        OperationalError("SELECT 1", {}, Exception("connection refused")),
        TimeoutError("timed out"),
        KeyError("renditions"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_every_reason_is_a_sentence_without_the_technical_detail(exc: Exception) -> None:
    reason = user_reason(exc)
    assert reason[0].isupper() and reason.endswith(".")
    for detail in ("exit code", "ffmpeg", "http://", "sources/1.mp4", "KeyError", "SELECT"):
        assert detail not in reason
