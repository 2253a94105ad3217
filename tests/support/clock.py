"""The clock under the test's control (time-machine), for rules that depend on "now".

A pytest plugin (``tests/conftest.py`` lists it in ``pytest_plugins``). ``clock`` stops
the clock at the real now for the test; ``clock.shift(seconds)`` moves it on, and
``clock.move_to(moment)`` puts it at a given moment. ``time.time()``, ``datetime.now()``
and friends follow it in this process; ``time.monotonic()`` does not, so waits and
timeouts keep working. Other processes (the Celery worker, servers) keep the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from time_machine import TimeMachineFixture


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """The clock, stopped at the real now: it moves only when the test moves it."""
    time_machine.move_to(datetime.now(UTC), tick=False)
    return time_machine
