"""Waiting for a condition instead of sleeping for a guessed time.

A fixed sleep is too short on a busy machine and too long on an idle one; a poll of the
condition returns as soon as it holds and fails with a message saying what never came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.1  # seconds between looks: short next to any condition the suite waits for


class WaitTimeout(AssertionError):
    """The condition did not hold before the timeout (an assertion: the test fails)."""


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 30.0,
    message: str | Callable[[], str] = "condition not met",
    interval: float = POLL,
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Call ``predicate`` until it returns something truthy, and return that value.

    Raises :class:`WaitTimeout` with ``message`` (a string, or a function called at the
    end for a message that shows the last state) once ``timeout`` seconds have passed.
    The predicate is always called at least once, and once more at the deadline.
    ``sleep`` pauses between looks: a browser test passes one that lets Playwright
    deliver the page's events meanwhile (``tests.support.browser.wait_in_page``).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            text = message() if callable(message) else message
            raise WaitTimeout(f"after {timeout:g} s: {text}")
        sleep(min(interval, remaining))
