"""Sessions: cookie flags, and sign-out / password change ending every session and token."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from config import load_settings
from tests.support import factories
from tests.support.auth import CSRF_META, Auth, sign_in, signed_in
from webapp import create_app
from webapp.auth.passwords import verify_password
from webapp.extensions import db
from webapp.models import ApiToken, User

NEW_PASSWORD = "a-brand-new-passphrase"
COOKIE_SETTINGS = ("SESSION_COOKIE_", "REMEMBER_COOKIE_", "PREFERRED_URL_SCHEME")

pytestmark = pytest.mark.usefixtures("fresh_sign_in_counts")


def _set_cookies(response) -> dict[str, str]:
    """``name -> full Set-Cookie header`` of a response."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def _token(client: FlaskClient, user: factories.UserInfo, password: str | None = None) -> str:
    body = {"email": user.email, "password": password or user.password}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201
    return response.get_json()["token"]


def _token_works(client: FlaskClient, token: str) -> bool:
    response = client.get("/api/v1/videos/999999", headers={"Authorization": f"Bearer {token}"})
    return response.status_code == 404  # authenticated; the video just does not exist


def _change_password(client: FlaskClient, current: str, new: str, confirm: str | None = None):
    html = client.get("/account/password").get_data(as_text=True)
    return client.post(
        "/account/password",
        data={
            "csrf_token": CSRF_META.search(html)[1],
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


# --------------------------------------------------------------------------- cookie flags


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(
    client: FlaskClient, make_user
) -> None:
    user = make_user("learner")
    cookies = _set_cookies(sign_in(client, user.email, user.password, remember=True))
    assert set(cookies) >= {"session", "remember_token"}
    for header in cookies.values():
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        # make run serves http://localhost, where a Secure cookie would be dropped
        assert "Secure" not in header


def test_remember_me_lasts_weeks_not_a_year(client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    header = _set_cookies(sign_in(client, user.email, user.password, remember=True))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header["remember_token"])[1])
    lifetime = expires - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, False),
        ({"PREFERRED_URL_SCHEME": "https"}, True),
        ({"SESSION_COOKIE_SECURE": "true"}, True),
        ({"PREFERRED_URL_SCHEME": "https", "SESSION_COOKIE_SECURE": "false"}, False),
    ],
)
def test_secure_flag_follows_https_setting(tmp_path, env: dict[str, str], secure: bool) -> None:
    settings = load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path), "SECRET_KEY": "x", **env})
    assert settings["SESSION_COOKIE_SECURE"] is secure
    assert settings["REMEMBER_COOKIE_SECURE"] is secure
    prefix = "__Host-" if secure else ""
    assert settings["SESSION_COOKIE_NAME"] == f"{prefix}session"
    assert settings["REMEMBER_COOKIE_NAME"] == f"{prefix}remember_token"


def test_over_https_cookies_are_secure_host_cookies(app: Flask, make_user) -> None:
    env = {**os.environ, "PREFERRED_URL_SCHEME": "https"}
    cookie_settings = {k: v for k, v in load_settings(env).items() if k.startswith(COOKIE_SETTINGS)}
    https_app = create_app({"TESTING": True, **cookie_settings})
    user = make_user("learner")
    client = https_app.test_client()
    html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={
            "email": user.email,
            "password": user.password,
            "remember": "1",
            "csrf_token": CSRF_META.search(html)[1],
        },
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert set(cookies) >= {"__Host-session", "__Host-remember_token"}
    for header in cookies.values():
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        assert "Path=/" in header and "Domain=" not in header


# --------------------------------------------------------------------------- sign-out


def test_sign_out_ends_the_sessions_of_every_device(app: Flask, make_user) -> None:
    user = make_user("learner")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email, user.password)
    sign_in(phone, user.email, user.password)
    assert signed_in(laptop) and signed_in(phone)

    Auth(laptop).logout()

    assert not signed_in(laptop)
    assert not signed_in(phone)
    sign_in(phone, user.email, user.password)  # signing in again works
    assert signed_in(phone)


def test_a_copied_session_cookie_is_dead_after_sign_out(app: Flask, make_user) -> None:
    user = make_user("learner")
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, user.email, user.password)
    stolen = browser.get_cookie("session").value
    thief.set_cookie("session", stolen)
    assert signed_in(thief)

    Auth(browser).logout()

    assert not signed_in(thief)


def test_sign_out_ends_remember_me_cookies_elsewhere(app: Flask, make_user) -> None:
    user = make_user("learner")
    tablet, laptop = app.test_client(), app.test_client()
    sign_in(tablet, user.email, user.password, remember=True)
    remember = tablet.get_cookie("remember_token").value
    tablet.delete_cookie("session")  # the browser was closed: only "keep me signed in" left
    assert signed_in(tablet)

    sign_in(laptop, user.email, user.password)
    Auth(laptop).logout()

    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert not signed_in(fresh)


def test_sign_out_revokes_api_tokens(app: Flask, client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    token = _token(app.test_client(), user)
    assert _token_works(app.test_client(), token)

    sign_in(client, user.email, user.password)
    Auth(client).logout()

    assert not _token_works(app.test_client(), token)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_sign_out_leaves_other_accounts_alone(app: Flask, make_user) -> None:
    alice, bob = make_user("learner"), make_user("learner")
    alice_client, bob_client = app.test_client(), app.test_client()
    sign_in(alice_client, alice.email, alice.password)
    sign_in(bob_client, bob.email, bob.password)
    bob_token = _token(app.test_client(), bob)

    Auth(alice_client).logout()

    assert signed_in(bob_client)
    assert _token_works(app.test_client(), bob_token)


@pytest.mark.parametrize("session_id", ["{id}", "{id}:", "{id}:-1", "{id}:1x", "x:0", ""])
def test_sessions_without_the_current_epoch_load_nobody(
    app: Flask, client: FlaskClient, make_user, session_id: str
) -> None:
    user = make_user("learner")
    with client.session_transaction() as session:
        session["_user_id"] = session_id.format(id=user.id)
        session["_fresh"] = True
    assert not signed_in(client)


# --------------------------------------------------------------------------- password change


def test_password_page_needs_a_session(client: FlaskClient) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_keeps_this_browser_and_ends_all_others(app: Flask, make_user) -> None:
    user = make_user("learner")
    here, other = app.test_client(), app.test_client()
    sign_in(here, user.email, user.password)
    sign_in(other, user.email, user.password)
    token = _token(app.test_client(), user)
    old_session = here.get_cookie("session").value

    response = _change_password(here, user.password, NEW_PASSWORD)

    assert response.status_code == 302
    page = here.get("/account/password").get_data(as_text=True)
    assert "Password changed" in page
    assert signed_in(here)
    assert here.get_cookie("session").value != old_session  # a fresh session
    assert not signed_in(other)
    assert not _token_works(app.test_client(), token)
    replay = app.test_client()
    replay.set_cookie("session", old_session)
    assert not signed_in(replay)


def test_after_a_change_only_the_new_password_signs_in(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    _change_password(client, user.password, NEW_PASSWORD)

    assert sign_in(app.test_client(), user.email, user.password).status_code == 401
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and NEW_PASSWORD not in stored


def test_password_change_renews_a_remember_me_cookie(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password, remember=True)
    old_remember = client.get_cookie("remember_token").value

    _change_password(client, user.password, NEW_PASSWORD)

    new_remember = client.get_cookie("remember_token").value
    assert new_remember != old_remember
    reopened = app.test_client()  # the browser restarted: only the new cookie is left
    reopened.set_cookie("remember_token", new_remember)
    assert signed_in(reopened)
    stale = app.test_client()
    stale.set_cookie("remember_token", old_remember)
    assert not signed_in(stale)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-password", NEW_PASSWORD, None, "The current password is not correct."),
        ("", NEW_PASSWORD, None, "The current password is not correct."),
        (factories.PASSWORD, NEW_PASSWORD, "something-else", "do not match"),
        (factories.PASSWORD, "short", None, "at least 8 characters"),
        (factories.PASSWORD, "x" * 257, None, "at most 256 characters"),
        (factories.PASSWORD, factories.PASSWORD, None, "must differ"),
        (factories.PASSWORD, "password", None, "most common passwords"),
        (factories.PASSWORD, "BaseBall", None, "most common passwords"),
        (factories.PASSWORD, "<e-mail>", None, "must not be the account e-mail address"),
    ],
)
def test_refused_password_changes_change_nothing(
    app: Flask, make_user, current: str, new: str, confirm: str | None, message: str
) -> None:
    user = make_user("learner")
    here, other = app.test_client(), app.test_client()
    sign_in(here, user.email, user.password)
    sign_in(other, user.email, user.password)
    token = _token(app.test_client(), user)
    new = user.email.upper() if new == "<e-mail>" else new

    response = _change_password(here, current, new, confirm)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert signed_in(here) and signed_in(other)
    assert _token_works(app.test_client(), token)
    assert sign_in(app.test_client(), user.email, user.password).status_code == 302


def test_password_change_needs_csrf(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    response = client.post(
        "/account/password",
        data={
            "current_password": user.password,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert sign_in(app.test_client(), user.email, user.password).status_code == 302


def test_guessing_the_current_password_is_throttled(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    sign_in(client, user.email, user.password)
    statuses = [_change_password(client, f"guess-{n}", NEW_PASSWORD).status_code for n in range(6)]
    assert statuses == [400] * 5 + [429]
    response = _change_password(client, user.password, NEW_PASSWORD)  # even the right one
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    with app.app_context():
        assert verify_password(db.session.get(User, user.id).password_hash, user.password)


# --------------------------------------------------------------------------- signing serializer


def test_the_session_serializer_is_built_once_per_key_set(app: Flask) -> None:
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert first is not None and interface.get_signing_serializer(app) is first
    old_key = app.config["SECRET_KEY"]
    try:
        app.config["SECRET_KEY"] = "a-rotated-secret"
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        assert rotated.loads(rotated.dumps({"k": 1})) == {"k": 1}
        with pytest.raises(Exception, match="Signature"):
            rotated.loads(first.dumps({"k": 1}))  # signed with the old key, no fallback
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        with_fallback = interface.get_signing_serializer(app)
        assert with_fallback is not rotated
        assert with_fallback.loads(first.dumps({"k": 2})) == {"k": 2}
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
    assert interface.get_signing_serializer(app).loads(first.dumps({"k": 3})) == {"k": 3}


def test_a_session_survives_key_rotation_with_the_old_key_as_fallback(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    learner = factories.create_user(app, email="rotate@example.com")
    auth.login(learner.email)
    assert client.get("/home").status_code == 200
    old_key = app.config["SECRET_KEY"]
    try:
        app.config["SECRET_KEY"] = "a-rotated-secret"
        assert client.get("/home").status_code in {302, 401}  # the old cookie no longer opens
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert client.get("/home").status_code == 200
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
