"""The test HTTP server closes every response body, even one its server dropped."""

from __future__ import annotations

import gc
import urllib.request

from tests.support.liveserver import ClosesWhenCollected, serve
from tests.support.waiting import wait_until


class Body:
    """A response body that counts how often it was closed."""

    def __init__(self) -> None:
        self.closed = 0

    def __iter__(self):
        yield b"hello"

    def close(self) -> None:
        self.closed += 1


def test_a_body_the_server_never_closed_is_closed_when_collected() -> None:
    body = Body()
    wrapper = ClosesWhenCollected(body)
    assert list(wrapper) == [b"hello"]
    del wrapper
    gc.collect()
    assert body.closed == 1


def test_a_body_is_closed_once_when_the_server_closes_it_too() -> None:
    body = Body()
    wrapper = ClosesWhenCollected(body)
    wrapper.close()
    wrapper.close()
    del wrapper
    gc.collect()
    assert body.closed == 1


def test_a_body_without_close_is_fine() -> None:
    wrapper = ClosesWhenCollected([b"a", b"b"])
    assert b"".join(wrapper) == b"ab"
    wrapper.close()


def test_serve_answers_over_http_and_closes_the_body() -> None:
    bodies: list[Body] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        bodies.append(Body())
        return bodies[-1]

    with serve(app) as base_url, urllib.request.urlopen(f"{base_url}/", timeout=10) as response:  # noqa: S310
        assert response.read() == b"hello"
    # The server closes the body on its own thread, just after the last byte went out.
    wait_until(lambda: bodies[0].closed, 10, "the body was never closed", interval=0.01)
    assert [body.closed for body in bodies] == [1]
