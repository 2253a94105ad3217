"""The request id: taken from the client's (or the proxy's) ``X-Request-ID`` when it is
sane, made up otherwise; bound to every log line of the request, sent back in the
answer's ``X-Request-ID``, and carried into the logs of the Celery tasks the request
queued.

A WSGI middleware, outside the heartbeat fast path, so that every answer carries one;
it costs a header check, or a random id, and one ContextVar set per request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from flask import Flask

HEADER = "X-Request-ID"
ENVIRON_KEY = "learnstream.request_id"
_INCOMING = "HTTP_X_REQUEST_ID"
# What a proxy or a client may choose: printable, no spaces or quotes (nothing that
# could forge a log field or a header), and short.
SANE = re.compile(r"[A-Za-z0-9._:@+/=-]{8,128}")
_TASK_HEADER = "learnstream_request_id"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]
# What every log line of the current request or task carries. One ContextVar set once
# per request: cheaper than structlog's bind/clear_contextvars, which copy the context.
_NOTHING: Mapping[str, Any] = MappingProxyType({})
_context: ContextVar[Mapping[str, Any]] = ContextVar("learnstream_log_context", default=_NOTHING)


def request_id_from(value: str | None) -> str:
    """``value`` when it is a sane request id, else a new random one."""
    if value is not None and SANE.fullmatch(value):
        return value
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request (or of the request that queued the task) being handled."""
    return _context.get().get("request_id")


def add_context(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the request's (or task's) ids into every log line."""
    for key, value in _context.get().items():
        event.setdefault(key, value)
    return event


class RequestIdMiddleware:
    """Binds the request id for the request's log lines and echoes it in the answer."""

    def __init__(self, wsgi_app: WsgiApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        """Bind the id (a fresh context: nothing of the thread's last request is kept)."""
        rid = request_id_from(environ.get(_INCOMING))
        environ[ENVIRON_KEY] = rid
        _context.set({"request_id": rid})  # replaces whatever the thread's last request left

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers.append((HEADER, rid))
            return start_response(status, headers, *exc_info)

        return self.wsgi_app(environ, start)


@before_task_publish.connect
def _send_request_id(headers: dict | None = None, **_kwargs: object) -> None:
    """A task queued while handling a request carries the request's id."""
    rid = current_request_id()
    if rid is not None and headers is not None:
        headers[_TASK_HEADER] = rid


@task_prerun.connect
def _bind_task(task_id: str | None = None, task: Any = None, **_kwargs: object) -> None:
    """A task's log lines name the task, and the request that queued it."""
    context: dict[str, Any] = {"task_id": task_id, "task": getattr(task, "name", None)}
    rid = getattr(getattr(task, "request", None), _TASK_HEADER, None)
    if isinstance(rid, str) and SANE.fullmatch(rid):
        context["request_id"] = rid
    _context.set(context)


@task_postrun.connect
def _unbind_task(**_kwargs: object) -> None:
    _context.set(_NOTHING)


def bind(**values: Any) -> None:
    """Replace the current log context (tests, CLI commands)."""
    _context.set(values)


def init_app(app: Flask) -> None:
    """Wrap ``app``'s WSGI callable (outside the fast path; the proxy fix and the
    environment filter wrap it)."""
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
