"""Sign-in throttling holds across web processes on the embedded defaults.

Two real processes (each its own app, engine and throttle storage, against the test
run's database) sign in wrongly at the same account or from the same address: the
limits apply to their combined attempts, not to each process's own. Without Redis the
counts are kept in SQL (``webapp.auth.sql_limits``): on SQLite a file beside the
database, on PostgreSQL the database itself (forced here, since that test mode has
Redis configured).
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from flask import Flask

from tests.support.auth import sign_in
from tests.support.signin_process import SignInProcess
from webapp import create_app
from webapp.auth.throttle import reset_counts

ACCOUNT_LIMIT = 5  # config default: "5 per minute"
ADDRESS_LIMIT = 20  # config default: "20 per minute"
CHECKED = 401  # a wrong password, looked at
THROTTLED = 429


@pytest.fixture
def env(app: Flask) -> dict[str, str]:
    """The environment of the processes: the SQL storage for the throttle."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        return {"RATELIMIT_STORAGE_URI": f"sqla+{url}"}
    return {"RATELIMIT_STORAGE_URI": "", "REDIS_URL": ""}  # the embedded default


@pytest.fixture
def processes() -> Iterator[list[SignInProcess]]:
    started: list[SignInProcess] = []
    yield started
    for proc in started:
        proc.close()


@pytest.fixture(autouse=True)
def _fresh_counts(app: Flask) -> None:
    with app.app_context():
        reset_counts()


def test_two_processes_share_the_account_limit(
    app: Flask, make_user, env: dict[str, str], processes: list[SignInProcess]
) -> None:
    email = make_user("learner").email
    for n in (1, 2):
        processes.append(SignInProcess(f"198.51.100.{n}", [email] * ACCOUNT_LIMIT, env))

    for proc in processes:
        proc.go()  # both at once: the attempts interleave
    statuses = [s for proc in processes for s in proc.statuses()]

    assert sorted(statuses) == [CHECKED] * ACCOUNT_LIMIT + [THROTTLED] * ACCOUNT_LIMIT


def test_two_processes_share_the_address_limit(
    app: Flask, env: dict[str, str], processes: list[SignInProcess]
) -> None:
    first, second = (
        SignInProcess("203.0.113.9", [f"{uuid4().hex}@example.org" for _ in range(12)], env)
        for _ in range(2)
    )
    processes.extend([first, second])

    first.go()
    assert first.statuses() == [CHECKED] * 12
    second.go()
    statuses = second.statuses()

    assert statuses == [CHECKED] * (ADDRESS_LIMIT - 12) + [THROTTLED] * (24 - ADDRESS_LIMIT)


def test_a_dead_database_store_neither_blocks_nor_unthrottles_sign_in(
    app: Flask, make_user
) -> None:
    """The SQL store keeps the fallback of any store: memory for a while, still 5."""
    dead = create_app(
        {"TESTING": True, "RATELIMIT_STORAGE_URI": "sqla+postgresql+psycopg://u@127.0.0.1:9/x"}
    )
    user = make_user("learner")
    client = dead.test_client()
    assert sign_in(client, user.email, user.password).status_code == 302
    other = make_user("learner")
    statuses = [sign_in(dead.test_client(), other.email, "x").status_code for _ in range(6)]
    assert statuses == [401] * ACCOUNT_LIMIT + [THROTTLED]
