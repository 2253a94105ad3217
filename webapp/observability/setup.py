"""Wiring of the observability pieces into the app (``create_app`` calls these)."""

from __future__ import annotations

from flask import Flask

from webapp.observability import logs, metrics, requestid, sentry
from webapp.observability import worker_metrics as _worker_metrics  # noqa: F401  (signal)
from webapp.observability.views import bp

__all__ = ["bp", "init_app", "init_middleware"]


def init_app(app: Flask) -> None:
    """Logging and Sentry first (before anything logs), then the request timer and
    ``/metrics``."""
    logs.init_app(app)
    sentry.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)


def init_middleware(app: Flask) -> None:
    """The request id's WSGI middleware: call after every other middleware."""
    requestid.init_app(app)
