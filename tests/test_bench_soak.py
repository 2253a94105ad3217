"""The soak bench's client rules (no stack started): what counts as acknowledged."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bench.soak import Errors, call, played_range


class _Answers(BaseHTTPRequestHandler):
    """Answers each request with the next status of the server's script."""

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        status = self.server.script.pop(0)  # type: ignore[attr-defined]
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "0.1")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/beat"


def test_a_503_is_sent_again_until_a_2xx(server: ThreadingHTTPServer) -> None:
    server.script = [503, 503, 204]  # type: ignore[attr-defined]
    errors = Errors()
    with requests.Session() as session:
        answer = call(session, "PUT", _url(server), "heartbeat", errors)
    assert answer is not None and answer.status_code == 204
    assert errors.counts == {"heartbeat:503": 2}


def test_other_errors_are_not_retried(server: ThreadingHTTPServer) -> None:
    server.script = [409, 204]  # type: ignore[attr-defined]
    errors = Errors()
    with requests.Session() as session:
        answer = call(session, "PUT", _url(server), "heartbeat", errors)
    assert answer is not None and answer.status_code == 409
    assert errors.counts == {"heartbeat:409": 1}


def test_each_beat_reports_its_own_range() -> None:
    ranges = [played_range(seq) for seq in range(1, 2000)]
    assert all(a < b for a, b in ranges)
    assert all(b1 < a2 for (_a1, b1), (a2, _b2) in zip(ranges, ranges[1:], strict=False))
