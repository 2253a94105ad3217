"""The Celery worker's own metrics (transcode speed): served on ``WORKER_METRICS_PORT``
when it is set, since the worker has no web server of its own and its observations
never reach the web workers' ``/metrics``."""

from __future__ import annotations

import logging

from celery.signals import worker_ready
from prometheus_client import start_http_server

log = logging.getLogger(__name__)


@worker_ready.connect
def _serve_metrics(sender: object = None, **_kwargs: object) -> None:
    app = getattr(getattr(sender, "app", None), "flask_app", None)
    if app is None or not app.config.get("WORKER_METRICS_PORT"):
        return
    port, host = app.config["WORKER_METRICS_PORT"], app.config["WORKER_METRICS_HOST"]
    start_http_server(port, addr=host)
    log.info("worker metrics on http://%s:%d/metrics", host, port, extra={"port": port})
