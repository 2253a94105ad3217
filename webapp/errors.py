"""Error responses: problem details (RFC 9457, ``webapp/problems.py``) for the API and
JSON callers, a page for the site."""

from __future__ import annotations

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

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

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_response(413, f"The file is too large (the limit is {limit} MB).")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(StorageError)
    def _storage(exc: StorageError):
        # An unreachable store is a moment's outage: 503 tells clients (Uppy) to retry.
        if not exc.transient:
            app.logger.error("storage error: %s", exc)
            return error_response(500, "Internal server error.")
        response = make_response(
            error_response(503, "Storage is unavailable right now; try again in a moment.")
        )
        response.headers["Retry-After"] = "5"
        return response
