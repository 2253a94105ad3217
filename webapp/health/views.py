"""``GET /healthz``: 200 when every check passes, 503 otherwise.

Admins and loopback clients (the container's own health check) see each check's result;
everyone else only the overall status, since error texts name hosts and drivers.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from webapp.access import can_see_health_details
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
    body: dict[str, object] = {"status": "ok" if healthy else "error"}
    if _show_details():
        body["checks"] = results
    return jsonify(body), 200 if healthy else 503


def _show_details() -> bool:
    try:
        return can_see_health_details(current_user, request.remote_addr)
    except SQLAlchemyError:  # the database is down: nobody can be recognised as an admin
        db.session.rollback()
        return False
