"""The server's copy of the process environment never reaches the app (granian puts
``os.environ`` into every request's environ)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.test import Client

from webapp.security import DropProcessEnvironment

PROCESS = {
    "SECRET_KEY": "not-for-requests",
    "DATABASE_URL": "postgresql://user:password@db/app",
    "HTTP_PROXY": "http://proxy.internal:3128",
    "PATH_INFO": "/from-the-process",
}


def _seen_by_app(environ_base: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    client = Client(DropProcessEnvironment(app, PROCESS))
    client.get("/page", environ_base=environ_base, headers=headers)
    return seen


def test_copied_process_variables_are_dropped_and_request_keys_kept() -> None:
    seen = _seen_by_app(dict(PROCESS), {})
    assert "SECRET_KEY" not in seen
    assert "DATABASE_URL" not in seen
    assert "HTTP_PROXY" not in seen  # would read as a "Proxy:" request header
    assert seen["PATH_INFO"] == "/page"  # the request's own, never the process's


def test_a_header_the_client_sent_under_the_same_name_stays() -> None:
    seen = _seen_by_app(dict(PROCESS), {"Proxy": "sent-by-the-client"})
    assert seen["HTTP_PROXY"] == "sent-by-the-client"


def test_the_app_drops_them_before_any_other_layer(app: Flask) -> None:
    assert isinstance(app.wsgi_app, DropProcessEnvironment)
