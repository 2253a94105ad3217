"""Logs: every record, from structlog or from the standard ``logging`` module, is one
JSON object per line (``LOG_FORMAT=json``) or a readable line (``console``, for
``make run``), with the request id and whatever ``extra={...}`` the call passed.

The standard library stays the one way to write a log line (``logging.getLogger``);
structlog only renders: its ``ProcessorFormatter`` sits on the root logger's handler and
adds the request's or task's ids (``requestid.add_context``) and anything bound with
``structlog.contextvars``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from celery.signals import after_setup_logger, after_setup_task_logger
from flask import Flask
from flask.logging import default_handler

from webapp.observability.requestid import add_context

# The attributes every LogRecord has: the rest came from ``extra={...}``.
_RECORD_KEYS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_HANDLER_MARK = "_learnstream_handler"
_configured: dict[str, str] = {}  # the format ``configure`` last set up, for Celery


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (the test runner swaps it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def _extra_fields(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Copy a stdlib record's ``extra={...}`` fields into the event."""
    record = event.get("_record")
    if record is not None:
        for key, value in record.__dict__.items():
            if key not in _RECORD_KEYS and not key.startswith("_") and key not in event:
                event[key] = value
    return event


def _shared_processors() -> list[Any]:
    return [
        add_context,
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _extra_fields,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(log_format: str) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of the root handler: JSON or console lines."""
    renderer: Any
    if log_format == "console":
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
        tail: list[Any] = []
    else:
        renderer = structlog.processors.JSONRenderer()
        tail = [structlog.processors.format_exc_info]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *tail,
            renderer,
        ],
    )


def is_configured() -> bool:
    """Whether ``configure`` installed its handler on the root logger."""
    return any(getattr(h, _HANDLER_MARK, False) for h in logging.getLogger().handlers)


def configure(log_format: str, level: str) -> None:
    """Route the root logger through structlog; safe to call again (it replaces its
    own handler, and leaves any other handler, e.g. the test runner's, alone)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    _configured["format"] = log_format
    root.setLevel(level)
    structlog.configure(
        processors=[
            add_context,
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


@after_setup_logger.connect
@after_setup_task_logger.connect
def _celery_renders_like_us(logger: logging.Logger | None = None, **_kwargs: object) -> None:
    """A Celery worker replaces the root handler with its own (``--logfile``,
    ``--loglevel``): those render through our formatter too."""
    log_format = _configured.get("format")
    if log_format is None or logger is None:
        return
    for handler in logger.handlers:
        handler.setFormatter(formatter(log_format))


def init_app(app: Flask) -> None:
    """Configure logging from ``LOG_FORMAT`` and ``LOG_LEVEL``; Flask's own handler goes
    (the root handler prints the app's records too)."""
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
