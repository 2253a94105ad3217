"""Bursts of 403s: one audit event when a user (or, signed out, a client address) has
been refused ``AUDIT_FORBIDDEN_BURST`` times within ``AUDIT_FORBIDDEN_WINDOW`` seconds.

The counts live in this process's memory (a lock and a deque of moments per caller):
counting costs no query and no network on the 403 path, which is exactly what a prober
hammers. The price: each web process counts on its own, so with N processes a burst is
seen once one of them got its share of the refusals, and a restart forgets the counts.
That is enough to put a prober in the trail; precise per-site limits are the rate
limiter's job, not the trail's.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

from flask import Flask, request
from werkzeug.wrappers import Response

from webapp.audit.events import Kind, Outcome, Target
from webapp.audit.services import record_now, request_actor
from webapp.extensions import db

EXTENSION = "audit_forbidden_bursts"
MAX_CALLERS = 10_000  # callers tracked at once; the least recently refused are dropped


class BurstCounter:
    """Refusals per caller within a sliding window; ``hit`` says when one is a burst."""

    def __init__(self, threshold: int, window: float) -> None:
        self.threshold = threshold
        self.window = window
        self._lock = threading.Lock()
        self._moments: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str, now: float | None = None) -> int:
        """Count one refusal of ``key``; the count when it completes a burst (and the
        count starts again, so a long attack is one event per burst), else 0."""
        now = time.monotonic() if now is None else now
        with self._lock:
            moments = self._moments.pop(key, None) or deque()
            self._moments[key] = moments
            while moments and moments[0] <= now - self.window:
                moments.popleft()
            moments.append(now)
            if len(self._moments) > MAX_CALLERS:
                self._moments.popitem(last=False)
            if len(moments) < self.threshold:
                return 0
            count = len(moments)
            moments.clear()
            return count

    def clear(self) -> None:
        """Forget every count."""
        with self._lock:
            self._moments.clear()


def init_app(app: Flask) -> None:
    """Count every 403 the app answers."""
    counter = BurstCounter(
        int(app.config["AUDIT_FORBIDDEN_BURST"]), float(app.config["AUDIT_FORBIDDEN_WINDOW"])
    )
    app.extensions[EXTENSION] = counter

    @app.after_request
    def _count_forbidden(response: Response) -> Response:
        if response.status_code == 403:
            _counted(counter)
        return response


def _counted(counter: BurstCounter) -> None:
    user = request_actor()
    key = f"user:{user.id}" if user is not None else f"address:{request.remote_addr}"
    count = counter.hit(key)
    if count:
        # A 403 commits nothing: whatever the view flushed is dropped now rather than at
        # teardown, so that it holds no lock the event's own transaction would wait for.
        db.session.rollback()
        target = Target("user", str(user.id), user.email) if user is not None else None
        record_now(
            Kind.FORBIDDEN_BURST,
            target=target,
            detail={"count": count, "window_seconds": counter.window},
            outcome=Outcome.REFUSED,
        )
