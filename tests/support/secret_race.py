"""A racer for ``config._dev_secret`` in a spawned process (tests/test_deploy_secrets.py).

Kept apart from the test module so that each spawned process imports only ``config``,
not the whole web app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import config


def race_for_dev_secret(root: str, rounds: int, results: Any) -> None:
    """Put the key of each of ``rounds`` fresh directories under ``root`` on ``results``,
    in the same order as every other racer: one that falls behind only reads, catches
    up, and races again."""
    results.put([config._dev_secret(Path(root) / str(n)) for n in range(rounds)])
