"""Observability (webapp/observability/): JSON logs carrying the request id, the
``X-Request-ID`` header, ``/metrics`` and who may read it, and Sentry only with a DSN."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from flask import Flask, request_started
from prometheus_client.parser import text_string_to_metric_families

from config import load_settings
from tests.support.factories import bearer_headers
from tests.support.jobs import queued_job
from webapp.extensions import db
from webapp.observability import requestid
from webapp.transcoding.runner import run_job

ROOT = Path(__file__).resolve().parent.parent
GRANT = "X-Heartbeat-Grant"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "m" * 40


def _samples(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --------------------------------------------------------------------------- /metrics


def test_metrics_count_requests_heartbeats_and_jobs(
    app: Flask, make_user, make_ready_video, sample_clip: Path
) -> None:
    before = _samples(app)
    client = app.test_client()
    assert client.get("/healthz").status_code in (200, 503)
    learner = make_user("learner")
    video_id = make_ready_video(make_user("instructor").id)
    headers = bearer_headers(app, learner)
    url = f"/api/v1/videos/{video_id}/progress"
    first = client.put(url, json={"position": 1}, headers=headers)  # through Flask
    assert first.status_code == 200
    fast = client.put(url, json={"position": 2}, headers={**headers, GRANT: first.headers[GRANT]})
    assert fast.status_code == 200
    _, job_id = queued_job(app, make_user("instructor").id, sample_clip)
    queued = _samples(app)
    with app.app_context():
        try:
            assert run_job(job_id) == "ready"
        finally:
            db.session.remove()
    after = _samples(app)

    healthz = {"endpoint": "health.healthz", "method": "GET"}
    count = "learnstream_request_seconds_count"
    assert (
        sum(
            _value(after, count, status=c, **healthz) - _value(before, count, status=c, **healthz)
            for c in ("2xx", "5xx")
        )
        == 1
    )
    assert any(k[0] == count and ("method", "PUT") in k[1] for k in after), after.keys()
    assert _value(after, "learnstream_fast_heartbeats_total", status="2xx") == (
        _value(before, "learnstream_fast_heartbeats_total", status="2xx") + 1
    )
    commits = "learnstream_heartbeat_commit_seconds_count"
    assert _value(after, commits) >= _value(before, commits) + 2
    assert ("learnstream_heartbeat_queue_depth", ()) in after
    assert _value(queued, "learnstream_jobs", kind="transcode", state="queued") == 1
    assert _value(after, "learnstream_jobs", kind="transcode", state="queued") == 0
    ready = {"kind": "transcode", "state": "ready"}
    assert (
        _value(after, "learnstream_jobs", **ready)
        == _value(queued, "learnstream_jobs", **ready) + 1
    )
    assert _value(after, "learnstream_jobs", kind="clip_export", state="ready") == 0
    per_minute = "learnstream_transcode_seconds_per_media_minute_count"
    assert _value(after, per_minute) == _value(before, per_minute) + 1


def test_metrics_are_refused_to_a_remote_caller_without_the_token(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 404
    wrong = {"Authorization": "Bearer " + "x" * 40}
    assert client.get("/metrics", environ_base=ELSEWHERE, headers=wrong).status_code == 404
    right = {"Authorization": f"Bearer {TOKEN}"}
    response = client.get("/metrics", environ_base=ELSEWHERE, headers=right)
    assert response.status_code == 200
    assert b"learnstream_request_seconds" in response.data


def test_metrics_refuse_loopback_when_an_untrusted_proxy_forwarded_the_request(
    app: Flask,
) -> None:
    """A reverse proxy on the same machine connects from loopback: without
    TRUSTED_PROXY_HOPS the client behind it is unknown, so loopback proves nothing."""
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/metrics", headers=forwarded).status_code == 404
    assert app.test_client().get("/metrics").status_code == 200


# --------------------------------------------------------------------------- logs


def _log_inside_requests(app: Flask):
    def log_line(sender: Flask, **_extra: object) -> None:
        logging.getLogger("tests.observability").warning(
            "inside %s", "the request", extra={"probe": 7}
        )

    return request_started.connected_to(log_line, app)


def _json_lines(err: str) -> list[dict]:
    lines = []
    for line in err.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_request_logs_json_lines_with_its_request_id(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with _log_inside_requests(app):
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "req-12345678"})
    assert response.headers["X-Request-ID"] == "req-12345678"
    lines = [e for e in _json_lines(capsys.readouterr().err) if e.get("probe") == 7]
    assert len(lines) == 1, lines
    line = lines[0]
    assert line["event"] == "inside the request"
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "warning"
    assert line["logger"] == "tests.observability"
    assert "timestamp" in line


@pytest.mark.parametrize(
    "sent",
    [None, "", "short", "has spaces in it", 'quote"injected', "x" * 129, "é" * 10, "a\r\nb: c"],
)
def test_a_missing_or_bad_request_id_is_replaced(
    app: Flask, capsys: pytest.CaptureFixture[str], sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    capsys.readouterr()
    with _log_inside_requests(app):
        try:
            response = app.test_client().get("/healthz", headers=headers)
        except ValueError:  # the test client refuses a header with a newline itself
            assert sent is not None and "\n" in sent
            return
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    lines = [e for e in _json_lines(capsys.readouterr().err) if e.get("probe") == 7]
    assert [line["request_id"] for line in lines] == [rid]


def test_each_request_gets_its_own_id(app: Flask) -> None:
    client = app.test_client()
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_a_task_queued_in_a_request_carries_its_id() -> None:
    requestid.bind(request_id="req-abcdefgh")
    headers: dict[str, str] = {}
    before_task_publish.send(sender="mail.deliver", headers=headers, body=None)
    requestid.bind()
    assert headers["learnstream_request_id"] == "req-abcdefgh"


# --------------------------------------------------------------------------- Sentry


def _in_fresh_process(tmp_path: Path, env: dict[str, str], code: str) -> str:
    dropped = ("SENTRY_DSN", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_URL")
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ |= {"LEARNSTREAM_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT), **env}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_without_a_dsn_sentry_is_not_even_imported(tmp_path: Path) -> None:
    code = (
        "import sys; from webapp import create_app; create_app(); "
        "print('sentry_sdk' in sys.modules)"
    )
    assert _in_fresh_process(tmp_path, {}, code) == "False"


def test_with_a_dsn_sentry_starts_with_flask_and_celery_and_no_personal_data(
    tmp_path: Path,
) -> None:
    code = (
        "import json, sentry_sdk; from webapp import create_app; create_app(); "
        "c = sentry_sdk.get_client(); "
        "print(json.dumps([c.is_active(), c.options['dsn'], c.options['send_default_pii'], "
        "sorted(set(c.integrations) & {'flask', 'celery'})]))"
    )
    dsn = "http://public@127.0.0.1:9/1"  # nothing listens there; nothing is sent
    out = json.loads(_in_fresh_process(tmp_path, {"SENTRY_DSN": dsn}, code))
    assert out == [True, dsn, False, ["celery", "flask"]]


def test_metrics_add_up_the_workers_files_in_multiprocess_mode(tmp_path: Path) -> None:
    """Under several web workers (PROMETHEUS_MULTIPROC_DIR) the values live in files that
    ``/metrics`` adds up; an unreachable job table only drops the job counts."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    code = (
        "from webapp import create_app; app = create_app({'TESTING': True}); "
        "c = app.test_client(); c.get('/healthz'); text = c.get('/metrics').get_data(True); "
        "print(repr([l for l in text.splitlines() if l.startswith("
        "('learnstream_request_seconds_count', 'learnstream_jobs{'))]))"
    )
    env = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    lines = eval(_in_fresh_process(tmp_path / "instance", env, code))  # noqa: S307  (our repr)
    assert any('endpoint="health.healthz"' in line for line in lines), lines
    assert not any(line.startswith("learnstream_jobs{") for line in lines)  # no tables there
    assert list(shared.glob("histogram_*.db"))


@pytest.mark.worker
def test_the_celery_worker_logs_json_lines(celery_worker, instance_dir: Path) -> None:
    """Celery sets up its own handlers (``--logfile``): they render JSON lines too."""
    lines = (instance_dir / "worker.log").read_text().splitlines()
    ready = [json.loads(line) for line in lines if "ready." in line]
    assert ready, lines[-20:]
    assert ready[0]["event"].endswith("ready.")
    assert ready[0]["level"] == "info"


def test_log_format_is_json_or_console() -> None:
    env = {"SECRET_KEY": "s" * 32}
    assert load_settings(env)["LOG_FORMAT"] == "json"
    assert load_settings(env | {"LOG_FORMAT": "Console"})["LOG_FORMAT"] == "console"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        load_settings(env | {"LOG_FORMAT": "xml"})
