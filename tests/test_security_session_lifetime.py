"""Sessions, round two: the browser identity comes only from the trusted-proxy setting,
and a sign-in has an absolute lifetime (webapp/auth/loaders.py, webapp/auth/lifetime.py)."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support.auth import sign_in, signed_in
from webapp import create_app
from webapp.auth import lifetime
from webapp.auth.loaders import session_identifier

VICTIM, THIEF, OTHER = "203.0.113.5", "198.51.100.66", "192.0.2.9"
HOUR = 3600

pytestmark = pytest.mark.usefixtures("fresh_sign_in_counts")


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# --------------------------------------------------------------------------- identifier


def _identifier(app: Flask, address: str, **headers: str) -> str:
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}, headers=headers):
        return session_identifier()


def test_the_identifier_ignores_a_forged_forwarded_for(app: Flask) -> None:
    own = _identifier(app, VICTIM)
    assert _identifier(app, VICTIM, **{"X-Forwarded-For": THIEF}) == own
    assert _identifier(app, THIEF, **{"X-Forwarded-For": VICTIM}) != own
    assert _identifier(app, VICTIM, **{"User-Agent": "other"}) != own


def test_a_forged_forwarded_for_does_not_end_a_session(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = _client(app, VICTIM)
    sign_in(client, user.email, user.password, remember=True)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = OTHER
    assert signed_in(client)
    assert client.get_cookie("remember_token") is not None  # not cleared either


def test_a_forged_forwarded_for_does_not_keep_a_stolen_session(app: Flask, make_user) -> None:
    user = make_user("learner")
    victim = _client(app, VICTIM)
    sign_in(victim, user.email, user.password)
    thief = _client(app, THIEF)
    thief.environ_base["HTTP_X_FORWARDED_FOR"] = VICTIM  # claims the victim's address
    thief.set_cookie("session", victim.get_cookie("session").value)
    assert not signed_in(thief)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(app: Flask, make_user) -> None:
    proxied = create_app({"TESTING": True, "TRUSTED_PROXY_HOPS": 1})
    user = make_user("learner")
    client = _client(proxied, "10.0.0.2")  # the proxy
    client.environ_base["HTTP_X_FORWARDED_FOR"] = VICTIM
    sign_in(client, user.email, user.password)
    assert signed_in(client)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = THIEF  # the proxy says: another client
    assert not signed_in(client)


# --------------------------------------------------------------------------- absolute lifetime


def test_the_default_absolute_lifetime_is_twelve_hours(app: Flask) -> None:
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 12


def _stay_active(client: FlaskClient, clock: TimeMachineFixture, hours: int) -> None:
    """A request every hour (well inside the idle limit) for ``hours`` hours."""
    for _ in range(hours):
        clock.shift(HOUR)
        assert signed_in(client)


def test_an_active_session_ends_after_the_absolute_lifetime(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    _stay_active(client, clock, 11)
    clock.shift(HOUR + 60)

    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out 12 hours after signing in" in page
    assert not signed_in(client)
    assert client.get("/api/v1/me/certificates").status_code == 401


def test_a_copied_session_cookie_dies_with_the_session(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    _stay_active(client, clock, 11)
    clock.shift(HOUR - 60)
    assert signed_in(client)
    copied = client.get_cookie("session").value  # just used: not idle
    clock.shift(120)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert not signed_in(replay)


def test_keep_me_signed_in_starts_a_new_session_after_the_limit(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    signed_in_at = int(time.time())
    sign_in(client, user.email, user.password, remember=True)
    _stay_active(client, clock, 13)  # restored from the cookie on the way, still signed in
    with client.session_transaction() as session:
        assert session[lifetime.SIGNED_IN_KEY] >= signed_in_at + 12 * HOUR  # a new session
        assert session["_fresh"] is False  # not a password sign-in


def test_a_remember_me_cookie_stops_working_after_its_lifetime(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password, remember=True)
    remember = client.get_cookie("remember_token").value

    clock.shift(13 * 86400)
    reopened = app.test_client()
    reopened.set_cookie("remember_token", remember)
    assert signed_in(reopened)

    clock.shift(2 * 86400)  # 15 days: past REMEMBER_DAYS, whatever the cookie's Expires
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert not signed_in(replay)


@pytest.mark.parametrize("session_id", ["{id}:0", "{id}:0:", "{id}:0:x", "{id}:0:1:2"])
def test_ids_without_a_sign_in_time_load_nobody(
    app: Flask, client: FlaskClient, make_user, session_id: str
) -> None:
    user = make_user("learner")
    with client.session_transaction() as session:
        session["_user_id"] = session_id.format(id=user.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_the_absolute_limit_can_be_turned_off(
    app: Flask, make_user, clock: TimeMachineFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 0)
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    _stay_active(client, clock, 24)
