"""A browser session ends after SESSION_IDLE_MINUTES without a request (webapp/auth/idle.py)."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support.auth import sign_in, signed_in
from webapp.auth import idle

LIMIT_MINUTES = 120

pytestmark = pytest.mark.usefixtures("fresh_sign_in_counts")


def _seen(client: FlaskClient) -> int:
    with client.session_transaction() as session:
        return session[idle.SEEN_KEY]


def _session_cookie_set(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_default_limit_is_two_hours(app: Flask) -> None:
    assert app.config["SESSION_IDLE_MINUTES"] == LIMIT_MINUTES


def test_an_idle_session_is_signed_out_and_told_why(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    clock.shift(LIMIT_MINUTES * 60 + 5)

    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"signed out after {LIMIT_MINUTES} minutes without activity" in page
    assert client.get("/api/v1/me/certificates").status_code == 401
    assert not signed_in(client)


def test_an_idle_session_gets_401_from_the_api(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    assert client.get("/api/v1/me/certificates").status_code == 200
    clock.shift(LIMIT_MINUTES * 60 + 5)
    assert client.get("/api/v1/me/certificates").status_code == 401


def test_a_request_within_the_limit_keeps_the_session_going(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    clock.shift(LIMIT_MINUTES * 60 - 60)
    assert signed_in(client)
    assert _seen(client) >= int(time.time()) - 5  # the clock starts again
    clock.shift(LIMIT_MINUTES * 60 - 60)
    assert signed_in(client)


def test_the_cookie_is_re_signed_at_most_once_a_minute(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    client.get("/")  # the first page also stores the session's CSRF token
    assert not _session_cookie_set(client.get("/"))
    clock.shift(idle.REFRESH_SECONDS + 1)
    assert _session_cookie_set(client.get("/"))


def test_keep_me_signed_in_outlives_the_idle_limit(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password, remember=True)
    clock.shift(LIMIT_MINUTES * 60 + 5)
    assert signed_in(client)


def test_the_limit_can_be_turned_off(
    app: Flask, make_user, clock: TimeMachineFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0)
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 0)  # the other limit
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    clock.shift(10 * 86400)  # within REMEMBER_DAYS, which caps every sign-in
    assert signed_in(client)
