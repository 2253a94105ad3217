"""Sign-in, sign-out, CSRF, roles, API tokens."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from tests.support.auth import Auth
from webapp.auth import common_passwords
from webapp.auth.services import AccountError, check_new_password, context_words, create_user
from webapp.extensions import db
from webapp.models import ApiToken, User


def test_passwords_are_hashed_with_argon2id(app: Flask, make_user) -> None:
    user = make_user("learner")
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and user.password not in stored


def test_the_common_password_list_covers_what_asvs_asks_for() -> None:
    # ASVS 5.0 6.2.4: at least the 3,000 most common passwords.
    assert len(FREQUENCY_LISTS["passwords"]) >= 3000  # the list is_common reads
    assert common_passwords.is_common("QWERTY123") and common_passwords.is_common("iloveyou")
    assert not common_passwords.is_common("correct-horse-1")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("new@example.com", "sunshine", "most common passwords"),
        ("new@example.com", "Password1", "most common passwords"),
        ("new@example.com", "NEW@example.com", "e-mail address"),
        ("jonathan.doe@example.com", "Jonathan.Doe", "e-mail address"),
        ("new@example.com", "Learnstream2026!", "name of this site"),
        ("new@example.com", "l-e-a-r-n-s-t-r-e-a-m", "name of this site"),
    ],
)
def test_accounts_are_not_created_with_guessable_passwords(
    app: Flask, email: str, password: str, message: str
) -> None:
    with app.app_context():
        with pytest.raises(AccountError, match=message):
            create_user(email, password)
        db.session.rollback()
        assert db.session.scalar(select(User).where(User.email == email.lower())) is None


def test_sign_in_and_out(client: FlaskClient, auth: Auth, make_user) -> None:
    user = make_user("learner")
    assert client.get("/").status_code == 302
    response = auth.login(user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("email_kind", ["wrong-password", "unknown-account"])
def test_bad_credentials_get_the_same_answer(auth: Auth, make_user, email_kind: str) -> None:
    user = make_user("learner")
    email = user.email if email_kind == "wrong-password" else "nobody@example.com"
    response = auth.login(email, "not-the-password")
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


@pytest.mark.parametrize("email_kind", ["wrong-password", "unknown-account"])
def test_a_failed_sign_in_keeps_the_address_typed_but_never_the_password(
    auth: Auth, make_user, email_kind: str
) -> None:
    user = make_user("learner")
    email = user.email if email_kind == "wrong-password" else "nobody+<x>@example.com"
    html = auth.login(email, "not-the-password-4711").get_data(as_text=True)
    field = re.search(r'<input id="email"[^>]*>', html)
    assert field, html
    assert f'value="{escape(email)}"' in field.group(0)
    assert "not-the-password-4711" not in html
    password = re.search(r'<input id="password"[^>]*>', html)
    assert password and "value=" not in password.group(0) and "autofocus" in password.group(0)


def test_sign_in_without_csrf_token_is_refused(client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/videos/3", "/videos/3"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_accepts_only_local_paths(
    client: FlaskClient, auth: Auth, make_user, next_url: str, expected: str
) -> None:
    user = make_user("learner")
    token = auth.csrf("/login")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": user.password,
            "csrf_token": token,
            "next": next_url,
        },
    )
    assert response.headers["Location"] == expected


def test_sign_out_needs_post_with_csrf(client: FlaskClient, auth: Auth, make_user) -> None:
    auth.login(make_user("learner").email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_token_flow(client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert client.get("/api/v1/videos/999").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/videos/999", headers=headers).get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such video.",
        "error": "No such video.",
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (None, 400),
        ({"email": "a@example.com"}, 400),
        ({"email": 1, "password": 2}, 400),
        ({"email": "nobody@example.com", "password": "whatever-pw"}, 401),
    ],
)
def test_token_bad_requests(client: FlaskClient, body, status: int) -> None:
    response = client.post("/api/v1/tokens", json=body) if body else client.post("/api/v1/tokens")
    assert response.status_code == status
    assert "error" in response.get_json()


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer "])
def test_bad_authorization_headers_are_401(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/videos/1", headers={"Authorization": header})
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_expired_token_is_refused(app: Flask, client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    token = client.post(
        "/api/v1/tokens", json={"email": user.email, "password": user.password}
    ).get_json()["token"]
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/v1/videos/1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def _new_token(client: FlaskClient, user) -> dict:
    body = {"email": user.email, "password": user.password}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201
    return response.get_json()


def test_tokens_are_listed_without_the_tokens_and_revoked_one_by_one(
    client: FlaskClient, make_user
) -> None:
    user = make_user("learner")
    first, second = _new_token(client, user), _new_token(client, user)
    as_second = {"Authorization": f"Bearer {second['token']}"}

    listed = client.get("/api/v1/tokens", headers=as_second).get_json()["tokens"]
    assert [t["id"] for t in listed] == [second["id"], first["id"]]
    assert [t["current"] for t in listed] == [True, False]
    assert all(set(t) == {"id", "name", "created_at", "expires_at", "current"} for t in listed)
    assert first["token"] not in str(listed) and second["token"] not in str(listed)

    assert client.delete(f"/api/v1/tokens/{first['id']}", headers=as_second).status_code == 204
    as_first = {"Authorization": f"Bearer {first['token']}"}
    assert client.get("/api/v1/tokens", headers=as_first).status_code == 401
    listed = client.get("/api/v1/tokens", headers=as_second).get_json()["tokens"]
    assert [t["id"] for t in listed] == [second["id"]]
    # A token may revoke itself; it stops working at once.
    assert client.delete(f"/api/v1/tokens/{second['id']}", headers=as_second).status_code == 204
    assert client.get("/api/v1/tokens", headers=as_second).status_code == 401


def test_nobody_revokes_or_sees_another_accounts_token(client: FlaskClient, make_user) -> None:
    owner, admin = make_user("learner"), make_user("admin")
    owned = _new_token(client, owner)
    as_admin = {"Authorization": f"Bearer {_new_token(client, admin)['token']}"}
    assert owned["id"] not in [
        t["id"] for t in client.get("/api/v1/tokens", headers=as_admin).get_json()["tokens"]
    ]
    response = client.delete(f"/api/v1/tokens/{owned['id']}", headers=as_admin)
    assert response.status_code == 404 and response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no such token",
        "error": "no such token",
    }
    as_owner = {"Authorization": f"Bearer {owned['token']}"}
    assert client.get("/api/v1/tokens", headers=as_owner).status_code == 200


def test_a_session_revokes_a_token_with_csrf_only(
    client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("learner")
    token = _new_token(client, user)
    auth.login(user.email)
    listed = client.get("/api/v1/tokens").get_json()["tokens"]
    assert [(t["id"], t["current"]) for t in listed] == [(token["id"], False)]
    assert client.delete(f"/api/v1/tokens/{token['id']}").status_code == 400
    headers = auth.json_headers()
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/tokens").get_json() == {"tokens": []}


def test_expired_tokens_are_not_listed(app: Flask, client: FlaskClient, make_user) -> None:
    user = make_user("learner")
    old, new = _new_token(client, user), _new_token(client, user)
    with app.app_context():
        db.session.get(ApiToken, old["id"]).expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    headers = {"Authorization": f"Bearer {new['token']}"}
    listed = client.get("/api/v1/tokens", headers=headers).get_json()["tokens"]
    assert [t["id"] for t in listed] == [new["id"]]


def test_learner_cannot_open_upload_page(client: FlaskClient, auth: Auth, make_user) -> None:
    auth.login(make_user("learner").email)
    assert client.get("/upload").status_code == 403


def test_context_words_are_refused_as_passwords(app: Flask) -> None:
    """ASVS 6.2.11: the seller's name and the site's host name count as context words."""
    with app.app_context():
        saved = {k: app.config[k] for k in ("SELLER_NAME", "PUBLIC_BASE_URL")}
        app.config.update(SELLER_NAME="Acme Training", PUBLIC_BASE_URL="https://academy.acme.test")
        try:
            assert {"learnstream", "acmetraining", "academy", "acme"} <= context_words()
            for guess in ("AcmeTraining#1", "academy2026", "Acme!!!!"):
                with pytest.raises(AccountError, match="name of this site"):
                    check_new_password(guess)
            check_new_password("academy of acme words")  # more than the name: fine
        finally:
            app.config.update(saved)
