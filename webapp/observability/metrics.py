"""The app's Prometheus metrics, and the per-request latency histogram.

Defined once per process in the default registry. Under several web workers (granian
``--workers``) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by the
workers of one machine, before they start: prometheus_client then keeps each worker's
values in files there and ``/metrics`` adds them up (docs/deploy.md, "Metrics").
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import Counter, Gauge, Histogram

PREFIX = "learnstream"
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUEST_SECONDS = Histogram(
    f"{PREFIX}_request_seconds",
    "Time to answer a request that Flask handled, by route.",
    ["endpoint", "method", "status"],
)
FAST_HEARTBEATS = Counter(
    f"{PREFIX}_fast_heartbeats",
    "Heartbeats answered by the fast path (before Flask), by status class.",
    ["status"],
)
HEARTBEAT_QUEUE = Gauge(
    f"{PREFIX}_heartbeat_queue_depth",
    "Heartbeats waiting for the writer's next transaction (as the writer last saw it).",
    multiprocess_mode="livesum",
)
HEARTBEAT_COMMIT_SECONDS = Histogram(
    f"{PREFIX}_heartbeat_commit_seconds",
    "Time to store one batch of heartbeats (one transaction), retries included.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HEARTBEAT_BATCH_SIZE = Histogram(
    f"{PREFIX}_heartbeat_batch_size",
    "Heartbeats stored per transaction.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
TRANSCODE_SECONDS_PER_MINUTE = Histogram(
    f"{PREFIX}_transcode_seconds_per_media_minute",
    "Wall-clock seconds a successful transcode took per minute of media.",
    buckets=(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600),
)

STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# Bound children: the fast path adds one to a counter, without a label lookup.
FAST_BEATS_BY_CLASS = {c[0]: FAST_HEARTBEATS.labels(c) for c in STATUS_CLASSES}


def status_class(status: int) -> str:
    """``404`` → ``"4xx"``."""
    return f"{status // 100}xx"


def observe_transcode(elapsed_seconds: float, media_seconds: float) -> None:
    """One finished transcode: its wall-clock time per minute of media."""
    if media_seconds > 0:
        TRANSCODE_SECONDS_PER_MINUTE.observe(elapsed_seconds / (media_seconds / 60))


def _start_timer() -> None:
    g._metrics_started = time.perf_counter()


def _observe_request(response: Response) -> Response:
    started = g.pop("_metrics_started", None)
    if started is not None:
        rule = request.url_rule
        endpoint = rule.endpoint if rule is not None else "unmatched"
        REQUEST_SECONDS.labels(
            endpoint, request.method, status_class(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Time every request Flask answers (the unmatched ones under one label: a scanner's
    random paths must not create a series each)."""
    app.before_request(_start_timer)
    app.after_request(_observe_request)
