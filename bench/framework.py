"""CPU per request of the app's own request handling, against a bare Flask app.

    .venv/bin/python -m bench.framework [--requests 5000] [--rounds 5]

In one process, with no HTTP server and no database in the way, calls the WSGI
callables directly (prepared environs, interleaved rounds, medians of the per-round
ratios) and measures the calling thread's CPU per request for:

- ``bare``: a Flask app with no extensions answering an unknown ``/api/v1`` path with a
  constant JSON 404, the framework's floor;
- ``api_404``: our app (``create_app()``: sessions, CSRF, login, security headers, error
  handlers) answering the same request with a bearer token, as a heartbeat carries.

What every request of ours costs on top of Flask itself: the part that runs for each
heartbeat, playlist and media link before any view. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from werkzeug.test import EnvironBuilder

from bench.transcode import throwaway_instance

PATH = "/api/v1/nothing-here"
HEADERS = {"Authorization": "Bearer not-a-real-token-but-shaped-like-one"}
WsgiApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def bare_app() -> Flask:
    """Flask alone, with the same JSON answer for an unknown path."""
    app = Flask("bare")

    @app.errorhandler(404)
    def _not_found(_exc):
        return jsonify(error="not found"), 404

    return app


def our_app() -> Flask:
    """``create_app()`` on a throwaway instance (SQLite, local storage)."""
    from webapp import create_app  # noqa: PLC0415  (after the environment is set)

    return create_app({"TESTING": False})


def cpu_ms_per_request(wsgi: WsgiApp, requests: int) -> float:
    """The calling thread's CPU milliseconds per request over ``requests`` calls."""
    environs = [
        EnvironBuilder(path=PATH, method="GET", headers=HEADERS).get_environ()
        for _ in range(requests)
    ]

    def start_response(_status: str, _headers: list, _exc: object = None) -> None:
        return None

    started = time.thread_time()
    for environ in environs:
        b"".join(wsgi(environ, start_response))
    return (time.thread_time() - started) / requests * 1e3


def measure(requests: int, rounds: int) -> dict[str, Any]:
    """Interleaved rounds of both apps; the result line (CPU per request, ratios)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-framework-") as root,
        throwaway_instance(Path(root)),
    ):
        apps = {"bare": bare_app().wsgi_app, "api_404": our_app().wsgi_app}
        for wsgi in apps.values():
            cpu_ms_per_request(wsgi, 200)  # warm-up: imports, first-request work
        per_round: dict[str, list[float]] = {name: [] for name in apps}
        for index in range(rounds):
            order = list(apps) if index % 2 == 0 else list(reversed(apps))
            for name in order:
                per_round[name].append(cpu_ms_per_request(apps[name], requests))
    ratios = [o / b for o, b in zip(per_round["api_404"], per_round["bare"], strict=True)]
    return {
        "bench": "framework",
        "requests_per_round": requests,
        "cpu_ms_per_request": {k: round(statistics.median(v), 4) for k, v in per_round.items()},
        "ratio_api_404_to_bare": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the rounds; print and return one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    line = measure(args.requests, args.rounds)
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
