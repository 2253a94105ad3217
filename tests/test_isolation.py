"""The per-process store names used when the suite runs in several xdist processes."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.isolation import isolate, redis_database_for


@pytest.mark.parametrize(
    ("url", "index", "expected"),
    [
        ("redis://127.0.0.1:6379/0", 0, "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/0", 1, "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379", 0, "redis://127.0.0.1:6379/1"),
        (
            "redis://:pw@cache:6379/15?socket_timeout=5",
            0,
            "redis://:pw@cache:6379/0?socket_timeout=5",
        ),
    ],
)
def test_redis_database_per_process(url: str, index: int, expected: str) -> None:
    assert redis_database_for(url, index) == expected


def test_isolate_leaves_embedded_defaults_and_other_brokers_alone() -> None:
    environ = {"CELERY_BROKER_URL": "amqp://guest@127.0.0.1//", "DATABASE_URL": "sqlite:///x"}
    isolate("gw1", environ)
    assert environ == {
        "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//",
        "DATABASE_URL": "sqlite:///x",
    }


def test_isolate_rewrites_every_redis_variable() -> None:
    environ = {"CELERY_BROKER_URL": "redis://r:6379/0", "REDIS_URL": "redis://r:6379/0"}
    isolate("gw0", environ)
    assert environ == {"CELERY_BROKER_URL": "redis://r:6379/1", "REDIS_URL": "redis://r:6379/1"}


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="needs the PostgreSQL run (CI's second suite)",
)
def test_isolate_creates_a_database_per_process() -> None:
    environ = {"DATABASE_URL": os.environ["DATABASE_URL"]}
    isolate("gw9", environ)
    assert make_url(environ["DATABASE_URL"]).database.endswith("_gw9")
    engine = create_engine(environ["DATABASE_URL"])
    try:
        with engine.connect() as conn:  # it exists and takes connections
            assert conn.execute(text("SELECT current_database()")).scalar().endswith("_gw9")
        isolate("gw9", {"DATABASE_URL": os.environ["DATABASE_URL"]})  # second time: no error
    finally:
        engine.dispose()
