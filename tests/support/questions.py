"""Shared helpers of the questions tests: JSON calls with a user's API token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import factories


@dataclass
class QuestionsApi:
    """Calls of the questions API as one user or another (bearer tokens, cached)."""

    app: Flask
    client: FlaskClient
    tokens: dict[int, dict[str, str]] = field(default_factory=dict)

    def headers(self, user: factories.UserInfo) -> dict[str, str]:
        """The user's bearer header (one token per user)."""
        if user.id not in self.tokens:
            self.tokens[user.id] = factories.bearer_headers(self.app, user)
        return self.tokens[user.id]

    def call(
        self, user: factories.UserInfo, method: str, url: str, body: Any = None, raw: Any = None
    ) -> TestResponse:
        """``method url`` as ``user`` with a JSON body (or ``raw`` bytes/str)."""
        kwargs: dict[str, Any] = {"headers": self.headers(user)}
        if raw is not None:
            kwargs["data"] = raw
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["json"] = body
        return self.client.open(url, method=method, **kwargs)

    def ask(self, user: factories.UserInfo, video_id: int, at: float, body: str) -> int:
        """A question that must be accepted; its id."""
        response = self.call(
            user, "POST", f"/api/v1/videos/{video_id}/questions", {"at": at, "body": body}
        )
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    def answer(self, user: factories.UserInfo, question_id: int, body: str) -> TestResponse:
        """POST an answer."""
        return self.call(user, "POST", f"/api/v1/questions/{question_id}/answers", {"body": body})

    def listing(self, user: factories.UserInfo, video_id: int, q: str = "") -> TestResponse:
        """GET the video's questions (``q``: search)."""
        suffix = f"?q={q}" if q else ""
        return self.call(user, "GET", f"/api/v1/videos/{video_id}/questions{suffix}")
