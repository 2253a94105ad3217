"""Sign-in: throttling per account and per address, equal answers, safe ``?next=``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse_many

from config import load_settings
from tests.support.auth import CSRF_META
from webapp import create_app
from webapp.auth import passwords
from webapp.auth.throttle import EXTENSION as THROTTLE
from webapp.auth.throttle import address_key, reset_counts
from webapp.extensions import db
from webapp.models import User

ACCOUNT_LIMIT = 5  # config default: "5 per minute"
ADDRESS_LIMIT = 20  # config default: "20 per minute"
# The same counts over an hour: the tests are about counting, and on a loaded machine
# twenty hashed sign-ins can take longer than the default minute (the first would expire).
HOUR_LIMITS = {
    "SIGNIN_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT} per hour",
    "SIGNIN_LIMIT_PER_ADDRESS": f"{ADDRESS_LIMIT} per hour",
}
THROTTLED = "Too many failed sign-in attempts. Try again in"


@pytest.fixture(autouse=True)
def _fresh_counts(app: Flask) -> Iterator[None]:
    """Every test starts with no failed sign-ins counted (Redis keeps them otherwise),
    under the default counts per hour."""
    throttle = app.extensions[THROTTLE]
    saved = throttle.per_account, throttle.per_address
    throttle.per_account = parse_many(HOUR_LIMITS["SIGNIN_LIMIT_PER_ACCOUNT"])
    throttle.per_address = parse_many(HOUR_LIMITS["SIGNIN_LIMIT_PER_ADDRESS"])
    with app.app_context():
        reset_counts()
    yield
    throttle.per_account, throttle.per_address = saved


def _form_sign_in(client: FlaskClient, email: str, password: str, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    html = client.get("/login", environ_base=environ).get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": CSRF_META.search(html)[1]}
    return client.post("/login", data=data, environ_base=environ)


def _api_token(client: FlaskClient, email: str, password: str, address: str = "127.0.0.1"):
    body = {"email": email, "password": password}
    return client.post("/api/v1/tokens", json=body, environ_base={"REMOTE_ADDR": address})


def _retry_after(response) -> int:
    value = int(response.headers["Retry-After"])
    assert 1 <= value <= 3600
    return value


# --------------------------------------------------------------------------- per account


def test_an_account_is_throttled_after_five_failures(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    statuses = [_form_sign_in(client, user.email, "wrong-password").status_code for _ in range(5)]
    assert statuses == [401] * ACCOUNT_LIMIT

    refused = _form_sign_in(client, user.email, user.password)  # even the right password

    assert refused.status_code == 429
    _retry_after(refused)
    page = refused.get_data(as_text=True)
    assert THROTTLED in page
    assert '<form method="post"' in page  # the form is still there to try again later
    assert client.get("/").status_code == 302


def test_an_operator_lifts_the_throttle_with_one_command(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    for _ in range(ACCOUNT_LIMIT):
        _api_token(client, user.email, "wrong-password")
    assert _api_token(client, user.email, user.password).status_code == 429

    result = app.test_cli_runner().invoke(args=["users", "unthrottle"])

    assert result.exit_code == 0, result.output
    assert _api_token(client, user.email, user.password).status_code == 201


def test_unknown_accounts_are_throttled_exactly_like_real_ones(app: Flask, make_user) -> None:
    real = make_user("learner").email
    client = app.test_client()
    for email in (real, "nobody-here@example.com"):
        statuses = [_form_sign_in(client, email, "wrong-pw").status_code for _ in range(6)]
        assert statuses == [401] * ACCOUNT_LIMIT + [429]


def test_the_account_key_ignores_case_and_spaces(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    variants = [user.email, user.email.upper(), f" {user.email} ", user.email.title(), user.email]
    for email in variants:
        assert _form_sign_in(client, email, "wrong-password").status_code == 401
    assert _form_sign_in(client, user.email, "wrong-password").status_code == 429


def test_a_success_clears_the_account_count(app: Flask, make_user) -> None:
    user = make_user("learner")
    for _ in range(ACCOUNT_LIMIT - 1):
        assert _form_sign_in(app.test_client(), user.email, "typo").status_code == 401
    assert _form_sign_in(app.test_client(), user.email, user.password).status_code == 302
    for _ in range(ACCOUNT_LIMIT - 1):
        assert _form_sign_in(app.test_client(), user.email, "typo").status_code == 401
    assert _form_sign_in(app.test_client(), user.email, user.password).status_code == 302


def test_an_account_is_throttled_from_every_address(app: Flask, make_user) -> None:
    user = make_user("learner")
    for n in range(ACCOUNT_LIMIT):
        response = _form_sign_in(app.test_client(), user.email, "wrong", f"10.1.0.{n + 1}")
        assert response.status_code == 401
    response = _form_sign_in(app.test_client(), user.email, user.password, "10.1.0.99")
    assert response.status_code == 429


def test_other_accounts_are_not_locked_out(app: Flask, make_user) -> None:
    target, bystander = make_user("learner"), make_user("learner")
    for _ in range(ACCOUNT_LIMIT + 1):
        _form_sign_in(app.test_client(), target.email, "wrong", "10.2.0.1")
    assert _form_sign_in(app.test_client(), bystander.email, bystander.password).status_code == 302


# --------------------------------------------------------------------------- per address


def test_an_address_is_throttled_after_twenty_failures(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    for n in range(ADDRESS_LIMIT):  # a different account each time: only the address adds up
        response = _form_sign_in(client, f"spray{n}@example.com", "Summer2026!", "10.3.0.7")
        assert response.status_code == 401

    refused = _form_sign_in(client, user.email, user.password, "10.3.0.7")
    assert refused.status_code == 429
    _retry_after(refused)
    other = _form_sign_in(app.test_client(), user.email, user.password, "10.3.0.8")
    assert other.status_code == 302


def test_ipv6_clients_are_counted_per_64(app: Flask, make_user) -> None:
    user = make_user("learner")
    for n in range(ADDRESS_LIMIT):
        address = f"2001:db8:1:2::{n + 1:x}"  # a new address in the same /64 each time
        response = _form_sign_in(app.test_client(), f"v6-{n}@example.com", "x", address)
        assert response.status_code == 401
    response = _form_sign_in(app.test_client(), user.email, user.password, "2001:db8:1:2::ff")
    assert response.status_code == 429
    response = _form_sign_in(app.test_client(), user.email, user.password, "2001:db8:1:3::1")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("not-an-address", "not-an-address"),
        (None, "unknown"),
    ],
)
def test_address_keys(address: str | None, key: str) -> None:
    assert address_key(address) == key


def test_forwarded_for_is_ignored_without_a_trusted_proxy(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    for n in range(ADDRESS_LIMIT):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
        client.post(
            "/api/v1/tokens",
            json={"email": f"xff{n}@example.com", "password": "x"},
            headers=spoofed,
            environ_base={"REMOTE_ADDR": "10.4.0.1"},
        )
    response = client.post(
        "/api/v1/tokens",
        json={"email": user.email, "password": user.password},
        headers={"X-Forwarded-For": "203.0.113.50"},
        environ_base={"REMOTE_ADDR": "10.4.0.1"},
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(app: Flask, make_user) -> None:
    proxied = create_app({"TESTING": True, "TRUSTED_PROXY_HOPS": 1, **HOUR_LIMITS})
    user = make_user("learner")
    client = proxied.test_client()
    proxy = {"REMOTE_ADDR": "10.5.0.1"}
    for n in range(ADDRESS_LIMIT):
        body = {"email": f"proxied{n}@example.com", "password": "x"}
        headers = {"X-Forwarded-For": "198.51.100.77"}
        client.post("/api/v1/tokens", json=body, headers=headers, environ_base=proxy)
    body = {"email": user.email, "password": user.password}
    blocked = client.post(
        "/api/v1/tokens",
        json=body,
        headers={"X-Forwarded-For": "198.51.100.77"},
        environ_base=proxy,
    )
    allowed = client.post(
        "/api/v1/tokens",
        json=body,
        headers={"X-Forwarded-For": "198.51.100.78"},
        environ_base=proxy,
    )
    assert (blocked.status_code, allowed.status_code) == (429, 201)


# --------------------------------------------------------------------------- API tokens


def test_token_requests_are_throttled_with_a_json_429(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    statuses = [_api_token(client, user.email, "wrong").status_code for _ in range(ACCOUNT_LIMIT)]
    assert statuses == [401] * ACCOUNT_LIMIT

    refused = _api_token(client, user.email, user.password)

    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith(THROTTLED)
    _retry_after(refused)


def test_form_and_api_failures_share_the_account_count(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    for _ in range(3):
        assert _form_sign_in(client, user.email, "wrong").status_code == 401
    for _ in range(2):
        assert _api_token(client, user.email, "wrong").status_code == 401
    assert _form_sign_in(client, user.email, user.password).status_code == 429
    assert _api_token(client, user.email, user.password).status_code == 429


def test_successful_token_requests_are_not_counted(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    for _ in range(ADDRESS_LIMIT + ACCOUNT_LIMIT):
        assert _api_token(client, user.email, user.password).status_code == 201


# --------------------------------------------------------------------------- equal answers


def _without_csrf(html: str, typed_email: str = "") -> str:
    """The page without its CSRF tokens and without the e-mail typed (shown again)."""
    html = re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"', "", html)
    return html.replace(typed_email, "TYPED") if typed_email else html


def test_unknown_account_and_wrong_password_get_the_same_page(app: Flask, make_user) -> None:
    user = make_user("learner")
    wrong = _form_sign_in(app.test_client(), user.email, "wrong-password")
    unknown = _form_sign_in(app.test_client(), "nobody@example.com", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert _without_csrf(wrong.get_data(as_text=True), user.email) == _without_csrf(
        unknown.get_data(as_text=True), "nobody@example.com"
    )


def test_deactivated_account_gets_the_same_page(app: Flask, make_user) -> None:
    user = make_user("learner")
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    right = _form_sign_in(app.test_client(), user.email, user.password)
    unknown = _form_sign_in(app.test_client(), "nobody@example.com", user.password)
    assert right.status_code == unknown.status_code == 401
    assert _without_csrf(right.get_data(as_text=True), user.email) == _without_csrf(
        unknown.get_data(as_text=True), "nobody@example.com"
    )


def test_unknown_account_and_wrong_password_get_the_same_json(app: Flask, make_user) -> None:
    user = make_user("learner")
    wrong = _api_token(app.test_client(), user.email, "wrong-password")
    unknown = _api_token(app.test_client(), "nobody@example.com", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data() == unknown.get_data()


def test_unknown_accounts_cost_a_full_password_check(app: Flask, make_user) -> None:
    """The dummy hash checked for unknown addresses has the real hashes' cost settings."""
    user = make_user("learner")
    with app.app_context():
        real = db.session.get(User, user.id).password_hash
    cost = re.compile(r"^\$argon2id\$v=\d+\$(m=\d+,t=\d+,p=\d+)\$")
    assert cost.match(passwords._DUMMY_HASH)[1] == cost.match(real)[1]
    assert passwords.verify_password(None, "not-a-real-password") is False


# --------------------------------------------------------------------------- storage


def test_a_dead_redis_neither_blocks_nor_unthrottles_sign_in(app: Flask, make_user) -> None:
    dead = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"})
    user = make_user("learner")
    client = dead.test_client()
    assert _form_sign_in(client, user.email, user.password).status_code == 302
    other = make_user("learner")
    statuses = [_form_sign_in(dead.test_client(), other.email, "x").status_code for _ in range(6)]
    assert statuses == [401] * ACCOUNT_LIMIT + [429]


@pytest.mark.parametrize(
    ("env", "storage"),
    [
        ({}, "sqla+sqlite:///{instance}/throttle.sqlite"),
        (
            {"DATABASE_URL": "postgresql://u@db/ls"},
            "sqla+postgresql+psycopg://u@db/ls",
        ),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "memory://"),
        ({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/2"}, "redis://10.0.0.5:6379/2"),
        ({"REDIS_URL": "redis://cache:6379/3"}, "redis://cache:6379/3"),
        (
            {"REDIS_URL": "redis://cache:6379/3", "RATELIMIT_STORAGE_URI": "memcached://m:11211"},
            "memcached://m:11211",
        ),
        ({"CELERY_BROKER_URL": "amqp://rabbit//"}, "sqla+sqlite:///{instance}/throttle.sqlite"),
    ],
)
def test_counts_live_in_redis_when_redis_is_configured(
    tmp_path, env: dict[str, str], storage: str
) -> None:
    settings = load_settings({"LEARNSTREAM_INSTANCE": str(tmp_path), "SECRET_KEY": "x", **env})
    assert settings["RATELIMIT_STORAGE_URI"] == storage.format(instance=tmp_path.resolve())


def test_the_suite_app_throttles_in_the_configured_store(app: Flask) -> None:
    """On CI's PostgreSQL + Redis run the counts really go through Redis; on the
    embedded defaults through SQL, shared by every process (never per-process memory)."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    redis = broker.startswith("redis://")
    if redis:
        assert app.config["RATELIMIT_STORAGE_URI"] == broker
    else:
        assert app.config["RATELIMIT_STORAGE_URI"].startswith("sqla+")
    throttle = app.extensions["signin_throttle"]
    assert type(throttle.strategy.storage).__name__ == ("RedisStorage" if redis else "SqlStorage")


# --------------------------------------------------------------------------- next


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/videos/3", "/videos/3"),
        ("/library?topic=seo&level=beginner", "/library?topic=seo&level=beginner"),
        ("/videos/3#t=10", "/videos/3#t=10"),
        ("//evil.example/", "/"),
        ("///evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("https://evil.example/", "/"),
        ("http:evil.example", "/"),
        ("https:/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("JaVaScRiPt:alert(1)", "/"),
        ("data:text/html,<script>alert(1)</script>", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("/%09/evil.example", "/%09/evil.example"),  # stays a local path once decoded
        # "/\x00" is refused before sign-in (400, tests/test_bad_bytes.py)
        ("/\u202e/evil", "/"),
        (" //evil.example", "/"),
        ("evil.example", "/"),
        ("/" + "a" * 3000, "/"),
        ("", "/"),
    ],
)
def test_next_accepts_only_this_sites_relative_paths(
    app: Flask, make_user, next_url: str, expected: str
) -> None:
    user = make_user("learner")
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": user.password,
            "csrf_token": CSRF_META.search(html)[1],
            "next": next_url,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_next_on_an_already_signed_in_visit_is_checked_too(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = app.test_client()
    assert _form_sign_in(client, user.email, user.password).status_code == 302
    response = client.get("/login?next=//evil.example/")
    assert response.headers["Location"] == "/"
