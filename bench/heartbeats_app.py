"""The app factory ``bench.heartbeats`` gives servers that cannot pass arguments to one
(granian's ``--factory``): the database pool size comes from ``BENCH_DB_POOL``."""

from __future__ import annotations

import os

from flask import Flask


def create() -> Flask:
    """``create_app`` with the bench's database pool (``BENCH_DB_POOL``, 0: the app's)."""
    from webapp import create_app  # noqa: PLC0415  (imported in the server's worker)

    pool = int(os.environ.get("BENCH_DB_POOL") or 0)
    if not pool:
        return create_app()
    engine = {"pool_pre_ping": True, "pool_size": pool, "max_overflow": 5}
    return create_app({"SQLALCHEMY_ENGINE_OPTIONS": engine})
