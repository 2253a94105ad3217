"""Error responses: problem details (RFC 9457, ``webapp/problems.py``) for the API and
JSON callers, a page for the site.

A page's message is in the request's language: the messages written here are msgids,
and so are Werkzeug's and Flask-WTF's standard descriptions (listed below so that
``make translations`` finds them); an API path is answered in English (``webapp.i18n``).
"""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from webapp.dbsetup import database_unavailable
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.problems import ApiError, problem_response
from webapp.storage import StorageError

# Werkzeug's and Flask-WTF's own texts, for the catalogue: ``_(exc.description)`` finds
# them there (any other description stays as it was written).
STANDARD_DESCRIPTIONS = (
    _l("The browser (or proxy) sent a request that this server could not understand."),
    _l(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    _l(
        "The requested URL was not found on the server. If you entered the URL manually "
        "please check your spelling and try again."
    ),
    _l("The method is not allowed for the requested URL."),
    _l("The data value transmitted exceeds the capacity limit."),
    _l("This user has exceeded an allotted request count. Try again later."),
    _l(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    _l("The CSRF token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
    _l("The CSRF session token is missing."),
)


def _translated(text: str | None) -> str:
    """``text`` from the catalogue when it is there (``_("")`` would be its header)."""
    return _(text) if text else ""


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
        return error_response(
            400, _("CSRF check failed: %(reason)s", reason=_translated(exc.description))
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return error_response(exc.code or 500, _translated(exc.description) or exc.name)

    @app.errorhandler(StorageError)
    def _storage(exc: StorageError):
        # An unreachable store is a moment's outage: 503 tells clients (Uppy) to retry.
        if not exc.transient:
            app.logger.error("storage error: %s", exc)
            return error_response(500, _("Internal server error."))
        app.logger.warning("storage unavailable: %s", exc)
        return unavailable_response(_("Storage is unavailable right now; try again in a moment."))

    @app.errorhandler(OperationalError)
    def _database(exc: OperationalError):
        if not database_unavailable(exc):
            raise exc  # a bug: the usual 500 (and the traceback in tests)
        app.logger.warning("database unavailable: %s", exc.orig)
        return unavailable_response(_("The database is unavailable right now; try again shortly."))

    @app.errorhandler(PoolTimeout)
    def _pool(exc: PoolTimeout):
        # Every pooled connection busy for DB_POOL_TIMEOUT seconds: overloaded, not broken.
        app.logger.warning("no database connection free: %s", exc)
        return unavailable_response(_("The server is busy right now; try again shortly."))
