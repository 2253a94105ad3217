"""Errors of the JSON API as RFC 9457 problem details, one shape for every route.

Every error answer of ``/api/v1`` is ``application/problem+json``::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "title: at most 200 characters",
     "errors": [{"field": "title", "message": "at most 200 characters"}],
     "error": "title: at most 200 characters"}

``error`` repeats ``detail`` for clients written before problem details (the player and
upload scripts read it); ``errors`` is present when fields were at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from flask import Response, jsonify

PROBLEM_TYPE = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    """One field at fault: its dotted name (``tags.2``) and what is wrong with it."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    """Raise from a view (or a service it calls) to answer with a problem."""

    status: int
    detail: str
    errors: Sequence[FieldError] = field(default_factory=tuple)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


def title_for(status: int) -> str:
    """The HTTP reason phrase of ``status`` (``Bad Request``)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str, errors: Sequence[FieldError] = ()) -> dict:
    """The problem-details object for ``status``."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": title_for(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body["error"] = detail
    return body


def problem_response(
    status: int,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """A ``application/problem+json`` response."""
    response = jsonify(problem_body(status, detail, errors))
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
