"""The app over real HTTP for browser and restart tests: werkzeug's threaded server.

When a client drops a connection mid-response (a browser cancelling a poster or segment
fetch), werkzeug's server can skip closing the response body: reading the reset socket
in its ``finally`` raises before it reaches ``close()``. The open file would then be
reported as a ``ResourceWarning`` whenever the garbage collector finds it, failing
whichever test happens to be running. The production server (granian) closes the body
in every case, a dropped client included; ``ClosesWhenCollected`` gives the test server
the same guarantee.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


class ClosesWhenCollected:
    """A WSGI response body that is closed once: by the server, or at the latest when
    it is collected."""

    def __init__(self, body: Iterable[bytes]) -> None:
        self._body = body
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        """Close the wrapped body (once)."""
        if self._closed:
            return
        self._closed = True
        close = getattr(self._body, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        self.close()


def closing_bodies(app: Any) -> Any:
    """Wrap a WSGI app so that every response body it returns gets closed."""

    def wrapped(environ: dict, start_response: Any) -> ClosesWhenCollected:
        return ClosesWhenCollected(app(environ, start_response))

    return wrapped


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, closing_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
