"""Error responses: problem details (RFC 9457, ``webapp/problems.py``) for the API and
JSON callers, a page for the site."""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from webapp.dbsetup import database_unavailable
from webapp.problems import ApiError, problem_response
from webapp.storage import StorageError


def wants_json() -> bool:
    """API paths and JSON requests get JSON errors."""
    return request.path.startswith("/api/") or request.is_json


def error_response(status: int, message: str):
    """Render an error the way the caller expects."""
    if wants_json():
        return problem_response(status, message)
    return render_template("error.html", status=status, message=message), status


def unavailable_response(message: str):
    """503 with ``Retry-After``: a page, or a problem (RFC 9457) for API callers."""
    retry_after = str(current_app.config["OUTAGE_RETRY_AFTER_SECONDS"])
    response = make_response(error_response(503, message))
    response.headers["Retry-After"] = retry_after
    return response


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if not wants_json():
            return error_response(exc.status, exc.detail)
        return problem_response(exc.status, exc.detail, exc.errors, exc.headers)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(400, f"CSRF check failed: {exc.description}")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(StorageError)
    def _storage(exc: StorageError):
        # An unreachable store is a moment's outage: 503 tells clients (Uppy) to retry.
        if not exc.transient:
            app.logger.error("storage error: %s", exc)
            return error_response(500, "Internal server error.")
        app.logger.warning("storage unavailable: %s", exc)
        return unavailable_response("Storage is unavailable right now; try again in a moment.")

    @app.errorhandler(OperationalError)
    def _database(exc: OperationalError):
        if not database_unavailable(exc):
            raise exc  # a bug: the usual 500 (and the traceback in tests)
        app.logger.warning("database unavailable: %s", exc.orig)
        return unavailable_response("The database is unavailable right now; try again shortly.")

    @app.errorhandler(PoolTimeout)
    def _pool(exc: PoolTimeout):
        # Every pooled connection busy for DB_POOL_TIMEOUT seconds: overloaded, not broken.
        app.logger.warning("no database connection free: %s", exc)
        return unavailable_response("The server is busy right now; try again shortly.")
