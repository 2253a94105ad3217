"""Ride out a short storage outage inside a job instead of starting the job over.

botocore already retries each S3 call a few times within seconds; these waits cover an
outage of a minute or so (a store restarting, a failover). Longer outages escape as
StorageError and the job goes back to the queue with Celery's back-off. The waits end
early when the worker is shutting down (:class:`transcoder.run.Interrupted`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from transcoder.run import wait_or_stop
from webapp.storage import StorageError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds between attempts: 5 + 10 + 20 + 40 = 75 s of waiting in all.
STORAGE_RETRY_DELAYS: tuple[float, ...] = (5.0, 10.0, 20.0, 40.0)


def with_storage_retries(
    call: Callable[[], T], what: str, delays: Sequence[float] = STORAGE_RETRY_DELAYS
) -> T:
    """``call()``, again after each delay while it fails with a transient StorageError."""
    for delay in delays:
        try:
            return call()
        except StorageError as exc:
            if not exc.transient:
                raise
            log.warning("%s failed (%s); retrying in %g s", what, exc, delay)
        wait_or_stop(delay)
    return call()
