"""Checks of the API's error answers (RFC 9457 problem details)."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse


def problem_of(response: TestResponse, status: int = 400) -> dict[str, Any]:
    """The problem-details body of ``response``, its status and shape checked."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["error"] == problem["detail"]
    return problem


def problem_fields(response: TestResponse) -> set[str]:
    """The fields a 400 problem names."""
    return {error["field"] for error in problem_of(response).get("errors", [])}


def assert_bad_input(response: TestResponse, field: str | None, message: str) -> None:
    """A 400 problem: ``message`` is the whole detail, or the message of ``field``."""
    problem = problem_of(response)
    if field is None:
        assert problem["detail"] == message
    else:
        errors = {e["field"]: e["message"] for e in problem["errors"]}
        assert message in errors[field] and field in problem["detail"]
