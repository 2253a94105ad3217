"""Liveness and readiness: ``GET /healthz``."""

from webapp.health.views import bp

__all__ = ["bp"]
