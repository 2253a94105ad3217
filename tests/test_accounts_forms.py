"""Bad-input tables of the accounts forms: each case gets its message beside the field,
keeps what was typed, and changes nothing in the database."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.accounts import (
    address,
    csrf_of,
    link_path,
    multipart,
    post_form,
    set_policy,
)
from tests.support.auth import Auth
from tests.support.smtp import Mailbox
from webapp.extensions import db
from webapp.models import Invitation, SiteSetting, User

PASSWORD = "a quiet harbour at dawn"
HTML_NAME = '<b onclick="alert(1)">Bold</b> & co'


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _error_beside(page: str, field: str) -> str:
    """The error text rendered beside ``field`` (empty when there is none)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def _check(
    response: Any, field: str, message: str, kept: dict[str, str], before: int, after: int
) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[-2000:]
    assert message.lower() in _error_beside(page, field).lower(), (
        field,
        _error_beside(page, field),
    )
    for value in kept.values():
        if value:
            assert html.escape(value, quote=True) in page or html.escape(value) in page, value
    assert before == after


# --------------------------------------------------------------------------- sign-up

SIGNUP_CASES = [
    ("empty name", {"name": ""}, "name", "Enter your name"),
    ("name too long", {"name": "n" * 121}, "name", "120"),
    ("name on two lines", {"name": "Ann\nBee"}, "name", "one line"),
    ("empty e-mail", {"email": ""}, "email", "Enter an e-mail address"),
    ("e-mail too long", {"email": "a" * 250 + "@example.com"}, "email", "254"),
    ("invalid e-mail", {"email": "not-an-address"}, "email", "not an e-mail address"),
    ("HTML as e-mail", {"email": "<script>@example.com"}, "email", "not an e-mail address"),
    ("weak password", {"password": "password", "confirm": "password"}, "password", "common"),
    ("short password", {"password": "short", "confirm": "short"}, "password", "at least"),
    ("password too long", {"password": "p" * 257, "confirm": "p" * 257}, "password", "256"),
    ("confirmation differs", {"confirm": PASSWORD + "!"}, "confirm", "do not match"),
]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [c[1:] for c in SIGNUP_CASES],
    ids=[c[0] for c in SIGNUP_CASES],
)
def test_sign_up_bad_input(
    app: Flask, client: FlaskClient, change: dict[str, str], field: str, message: str
) -> None:
    set_policy(app, "open")
    data = {"name": "Nia Name", "email": address(), "password": PASSWORD, "confirm": PASSWORD}
    data.update(change)
    before = _count(app, User)
    response = post_form(client, "/signup", data)
    kept = {k: v for k, v in data.items() if k in ("name", "email") and "\n" not in v}
    _check(response, field, message, kept, before, _count(app, User))


def test_html_in_a_name_is_stored_as_text_and_shown_inert(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    set_policy(app, "open")
    email = address("html")
    data = {"name": HTML_NAME, "email": email, "password": PASSWORD, "confirm": PASSWORD}
    assert post_form(client, "/signup", data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == email)) == HTML_NAME
    app.test_client().get(link_path(mailbox, email))
    browser = app.test_client()
    post_form(browser, "/login", {"email": email, "password": PASSWORD})
    page = browser.get("/").get_data(as_text=True)
    assert html.escape(HTML_NAME, quote=False) in page or "&lt;b onclick=" in page
    assert "<b onclick" not in page


# --------------------------------------------------------------------------- invitations

INVITE_CASES = [
    ("empty e-mail", {"email": ""}, "email", "Enter an e-mail address"),
    ("e-mail too long", {"email": "a" * 250 + "@example.com"}, "email", "254"),
    ("invalid e-mail", {"email": "nobody@"}, "email", "not an e-mail address"),
    ("HTML as e-mail", {"email": "<b>x</b>@example.com"}, "email", "not an e-mail address"),
    ("unknown role", {"role": "boss"}, "role", "Not a valid choice"),
    ("unknown cohort", {"cohort": "999999"}, "cohort", "No such cohort"),
    ("unknown program", {"program": "no-such-program"}, "program", "No such program"),
]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [c[1:] for c in INVITE_CASES],
    ids=[c[0] for c in INVITE_CASES],
)
def test_invite_bad_input(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user: Callable[..., Any],
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    auth.login(make_user("admin").email)
    data = {"email": address(), "role": "learner", "cohort_role": "learner"}
    data.update(change)
    before = _count(app, Invitation)
    response = post_form(client, "/admin/invitations", data)
    _check(response, field, message, {"email": data["email"]}, before, _count(app, Invitation))


def test_an_address_with_an_account_or_a_pending_invitation_is_refused_beside_the_field(
    app: Flask, client: FlaskClient, auth: Auth, make_user: Callable[..., Any], mailbox: Mailbox
) -> None:
    admin = make_user("admin")
    auth.login(admin.email)
    taken = post_form(client, "/admin/invitations", {"email": admin.email, "role": "learner"})
    _check(taken, "email", "already has an account", {}, 0, _count(app, Invitation))
    invitee = address("twice")
    post_form(client, "/admin/invitations", {"email": invitee, "role": "learner"})
    mailbox.wait_for(invitee)
    again = post_form(client, "/admin/invitations", {"email": invitee, "role": "learner"})
    _check(again, "email", "already been invited", {"email": invitee}, 1, _count(app, Invitation))


def _formula_csv() -> dict[str, Any]:
    return {"csv_text": 'email\n=HYPERLINK("http://evil")\n'}


BULK_CASES: list[tuple[str, Callable[[], dict[str, Any]], str, str]] = [
    ("nothing given", lambda: {"csv_text": ""}, "csv_text", "Paste a CSV"),
    ("formula cell", _formula_csv, "csv_text", "formula"),
    ("no email column", lambda: {"csv_text": "name\nAda\n"}, "csv_text", "missing: email"),
    ("unknown column", lambda: {"csv_text": "email,age\na@example.com,3\n"}, "csv_text", "age"),
    ("header only", lambda: {"csv_text": "email\n"}, "csv_text", "no rows"),
    (
        "10 MB file",
        lambda: {"csv_file": (b"email\n" + b"a@example.com\n" * 750_000, "big.csv")},
        "csv_file",
        "at most 1 MB",
    ),
    (
        "binary file",
        lambda: {"csv_file": (b"email\n\x00\x01\x02", "x.csv")},
        "csv_file",
        "not a CSV",
    ),
    (
        "unknown role",
        lambda: {"csv_text": "email\na@example.com\n", "role": "boss"},
        "role",
        "Not a valid choice",
    ),
]


@pytest.mark.parametrize(
    ("make", "field", "message"), [c[1:] for c in BULK_CASES], ids=[c[0] for c in BULK_CASES]
)
def test_bulk_invite_bad_input(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user: Callable[..., Any],
    make: Callable[[], dict[str, Any]],
    field: str,
    message: str,
) -> None:
    auth.login(make_user("admin").email)
    data = {"role": "learner", "cohort_role": "learner", **make()}
    token = csrf_of(client, "/admin/invitations/bulk")
    body, content_type = multipart({**data, "csrf_token": token})
    response = client.post("/admin/invitations/bulk", data=body, content_type=content_type)
    kept = {"csv_text": data["csv_text"].splitlines()[0]} if data.get("csv_text") else {}
    _check(response, field, message, kept, 0, _count(app, Invitation))


# --------------------------------------------------------------------------- accepting

ACCEPT_CASES = [
    ("empty name", {"name": ""}, "name", "Enter your name"),
    ("name too long", {"name": "n" * 121}, "name", "120"),
    ("weak password", {"password": "12345678", "confirm": "12345678"}, "password", "common"),
    ("password is the address", {}, "password", "e-mail address"),
    ("confirmation differs", {"confirm": "something else entirely"}, "confirm", "do not match"),
    ("empty password", {"password": "", "confirm": ""}, "password", "Choose a password"),
]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [c[1:] for c in ACCEPT_CASES],
    ids=[c[0] for c in ACCEPT_CASES],
)
def test_accept_bad_input(
    app: Flask,
    make_user: Callable[..., Any],
    mailbox: Mailbox,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    headers = factories.bearer_headers(app, make_user("admin"))
    invitee = address("accept")
    app.test_client().post(
        "/api/v1/invitations", json={"email": invitee, "role": "learner"}, headers=headers
    )
    path = link_path(mailbox, invitee)
    data = {"name": "Ann Accept", "password": PASSWORD, "confirm": PASSWORD}
    if not change:  # the password is the address itself
        data.update(password=invitee, confirm=invitee)
    data.update(change)
    before = _count(app, User)
    response = post_form(app.test_client(), path, data)
    _check(response, field, message, {"name": data["name"]}, before, _count(app, User))
    assert app.test_client().get(path).status_code == 200  # still usable


def test_html_in_the_invitees_name_is_stored_as_text(
    app: Flask, make_user: Callable[..., Any], mailbox: Mailbox
) -> None:
    headers = factories.bearer_headers(app, make_user("admin"))
    invitee = address("htmlinvitee")
    app.test_client().post(
        "/api/v1/invitations", json={"email": invitee, "role": "learner"}, headers=headers
    )
    visitor = app.test_client()
    path = link_path(mailbox, invitee)
    post_form(visitor, path, {"name": HTML_NAME, "password": PASSWORD, "confirm": PASSWORD})
    page = visitor.get("/").get_data(as_text=True)
    assert "<b onclick" not in page and "&lt;b onclick=" in page
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == invitee)) == HTML_NAME


# --------------------------------------------------------------------------- reset

RESET_CASES = [
    ("empty", {"password": "", "confirm": ""}, "password", "Choose a password"),
    ("weak", {"password": "qwertyuiop", "confirm": "qwertyuiop"}, "password", "common"),
    ("too long", {"password": "p" * 257, "confirm": "p" * 257}, "password", "256"),
    ("confirmation differs", {"password": PASSWORD, "confirm": "nope nope"}, "confirm", "match"),
]


@pytest.mark.parametrize(
    ("data", "field", "message"), [c[1:] for c in RESET_CASES], ids=[c[0] for c in RESET_CASES]
)
def test_reset_bad_input(
    app: Flask,
    make_user: Callable[..., Any],
    mailbox: Mailbox,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    user = make_user("learner", address("resetbad"))
    app.test_client().post("/api/v1/password-resets", json={"email": user.email})
    path = link_path(mailbox, user.email)
    with app.app_context():
        before = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    response = post_form(app.test_client(), path, data)
    with app.app_context():
        after = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    _check(response, field, message, {}, 0, 0)
    assert before == after
    assert app.test_client().get(path).status_code == 200  # not used up


FORGOT_CASES = [
    ("empty", {"email": ""}, "email", "Enter an e-mail address"),
    ("too long", {"email": "a" * 300 + "@example.com"}, "email", "254"),
]


@pytest.mark.parametrize(
    ("data", "field", "message"), [c[1:] for c in FORGOT_CASES], ids=[c[0] for c in FORGOT_CASES]
)
def test_forgot_bad_input(
    app: Flask, client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    response = post_form(client, "/password/forgot", data)
    _check(response, field, message, {}, 0, 0)


# --------------------------------------------------------------------------- policy

POLICY_CASES = [
    ("no policy", {"policy": ""}, "policy", "Not a valid choice"),
    ("unknown policy", {"policy": "anarchy"}, "policy", "Not a valid choice"),
    ("domains without any", {"policy": "domains", "domains": ""}, "domains", "at least one"),
    (
        "not a domain",
        {"policy": "domains", "domains": "corp.example\nnot a domain!"},
        "domains",
        "not a domain name",
    ),
    (
        "HTML as a domain",
        {"policy": "domains", "domains": "<b>x</b>"},
        "domains",
        "not a domain name",
    ),
    ("too long", {"policy": "domains", "domains": "a.example " * 500}, "domains", "4000"),
]


@pytest.mark.parametrize(
    ("data", "field", "message"), [c[1:] for c in POLICY_CASES], ids=[c[0] for c in POLICY_CASES]
)
def test_policy_bad_input(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user: Callable[..., Any],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    auth.login(make_user("admin").email)
    response = post_form(client, "/admin/sign-up", data)
    kept = {"domains": data["domains"].split("\n")[0][:40]} if data.get("domains") else {}
    _check(response, field, message, kept, 0, _count(app, SiteSetting))
