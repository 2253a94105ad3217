"""``GET /healthz``: 200 when every check passes, 503 naming the failing ones."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from webapp.extensions import db
from webapp.health.checks import CHECKS

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """Run every check; never raises."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:  # a health check reports failures, it does not raise them
            log.warning("health check %s failed: %s", name, exc)
            problem = f"{type(exc).__name__}: {exc}"[:200]
            if name == "database":
                db.session.rollback()
        results[name] = "ok" if problem is None else f"error: {problem}"
    healthy = all(v == "ok" for v in results.values())
    body = {"status": "ok" if healthy else "error", "checks": results}
    return jsonify(body), 200 if healthy else 503
