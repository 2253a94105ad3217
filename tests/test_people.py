"""The profile page and ``/api/v1/me``, the e-mail change (confirmed at the new address,
through the real SMTP server), named API tokens, and the admin user list: search, roles,
deactivation that ends everything at once, and the last admin."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from time_machine import TimeMachineFixture

from tests.support.auth import CSRF_META, sign_in, signed_in
from tests.support.factories import PASSWORD, UserInfo
from tests.support.smtp import Mailbox, links, text_of
from webapp.extensions import db
from webapp.models import ApiToken, EmailToken, Role, User, WatchProgress
from webapp.people import services

GRANT = "X-Heartbeat-Grant"


# --------------------------------------------------------------------------- helpers


def _client(app: Flask, user: UserInfo, *, remember: bool = False) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, user.email, user.password, remember=remember).status_code == 302
    return client


def _csrf(client: FlaskClient, page: str = "/account") -> str:
    match = CSRF_META.search(client.get(page).get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def _post(client: FlaskClient, url: str, data: dict[str, str], page: str = "/account"):
    return client.post(url, data={**data, "csrf_token": _csrf(client, page)})


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else ""


def _input_value(page: str, field: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else None


def _user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _profile(user: User) -> tuple[str, str | None, str]:
    return user.name, user.time_zone, user.email


def _bearer(app: Flask, user: UserInfo, name: str | None = None) -> dict[str, str]:
    body = {"email": user.email, "password": user.password}
    if name is not None:
        body["name"] = name
    response = app.test_client().post("/api/v1/tokens", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _profile_form(user: User, **changes: str) -> dict[str, str]:
    return {
        "name": user.name or "Test Person",
        "time_zone": user.time_zone or "",
        "email": user.email,
        **changes,
    }


# --------------------------------------------------------------------------- profile


def test_the_profile_saves_name_and_time_zone(app: Flask, make_user) -> None:
    info = make_user("learner")
    client = _client(app, info)
    page = client.get("/account")
    assert page.status_code == 200 and "<h1>Your profile</h1>" in page.get_data(as_text=True)
    assert '<option value="Europe/Berlin">' in page.get_data(as_text=True)  # the datalist

    form = _profile_form(_user(app, info.id), name="  Ada   Lovelace ", time_zone="Europe/Berlin")
    response = _post(client, "/account", form)
    assert response.status_code == 302 and urlsplit(response.location).path == "/account"
    user = _user(app, info.id)
    assert (user.name, user.time_zone) == ("Ada Lovelace", "Europe/Berlin")
    assert "Profile saved." in client.get("/account").get_data(as_text=True)

    # An empty zone is "use my browser's".
    assert _post(client, "/account", _profile_form(user, time_zone="")).status_code == 302
    assert _user(app, info.id).time_zone is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name to show for you."),
        ("name", "   ", "Enter the name to show for you."),
        ("name", "x" * 121, "Use at most 120 characters."),
        ("name", "two\nlines", "Use one line of plain text"),
        ("time_zone", "Mars/Olympus_Mons", "is not a time zone we know"),
        ("time_zone", "<b>Europe/Berlin</b>", "is not a time zone we know"),
        ("time_zone", "../../etc/passwd", "is not a time zone we know"),
        ("email", "not-an-address", "is not an e-mail address"),
        ("email", "<script>@example.com", "is not an e-mail address"),
        ("email", "a@" + "b" * 250 + ".com", "Use at most 254 characters."),
        ("email", "", "Enter an e-mail address."),
        ("email", "TAKEN", "Another account already uses that address."),
    ],
)
def test_profile_bad_input_changes_nothing(
    app: Flask, make_user, field: str, value: str, message: str
) -> None:
    info = make_user("learner")
    other = make_user("learner")
    value = other.email if value == "TAKEN" else value
    client = _client(app, info)
    before = _profile(_user(app, info.id))
    tokens_before = _count(app, EmailToken)

    response = _post(client, "/account", _profile_form(_user(app, info.id), **{field: value}))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in _field_error(page, field)
    assert "Nothing was saved." in page
    if "\n" not in value:
        assert _input_value(page, field) == value.strip()  # what was typed is still there
    assert "<script>@" not in page and "<b>Europe" not in page
    assert _profile(_user(app, info.id)) == before
    assert _count(app, EmailToken) == tokens_before


def test_html_in_a_name_is_stored_as_text_and_shown_escaped(app: Flask, make_user) -> None:
    info = make_user("learner")
    admin = _client(app, make_user("admin"))
    client = _client(app, info)
    name = '<b>Bold</b> <img src=x onerror="alert(1)">'
    assert (
        _post(client, "/account", _profile_form(_user(app, info.id), name=name)).status_code == 302
    )
    assert _user(app, info.id).name == name

    own = client.get("/account").get_data(as_text=True)
    menu = re.search(r'<span class="who"><bdi>(.*?)</bdi>', own)
    assert menu and html.unescape(menu.group(1)) == name and "<b>" not in menu.group(1)
    listed = admin.get("/admin/users", query_string={"q": "Bold"}).get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in listed and "<img src=x" not in listed


def test_the_me_api_reads_and_changes_name_and_zone(app: Flask, make_user) -> None:
    info = make_user("instructor")
    headers = _bearer(app, info)
    client = app.test_client()
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["email"] == info.email and me["role"] == "instructor" and me["time_zone"] is None

    changed = client.patch(
        "/api/v1/me",
        json={"name": " Grace  Hopper", "time_zone": "America/New_York"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["name"] == "Grace Hopper"
    assert changed.get_json()["time_zone"] == "America/New_York"
    # Absent fields are unchanged; a null zone is the browser's.
    cleared = client.patch("/api/v1/me", json={"time_zone": None}, headers=headers).get_json()
    assert cleared["name"] == "Grace Hopper" and cleared["time_zone"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name to show for you."),
        ({"name": "x" * 121}, "name", "Use at most 120 characters."),
        ({"name": None}, "name", "may be left out, not null"),
        ({"name": 5}, "name", ""),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "is not a time zone we know"),
        ({"email": "new@example.com"}, "email", "unknown field"),
        ({"role": "admin"}, "role", "unknown field"),
    ],
)
def test_me_api_bad_input_is_a_400_naming_the_field(
    app: Flask, make_user, body: dict, field: str, message: str
) -> None:
    info = make_user("learner")
    headers = _bearer(app, info)
    before = _user(app, info.id)
    response = app.test_client().patch("/api/v1/me", json=body, headers=headers)
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert field in errors and message in errors[field]
    after = _user(app, info.id)
    assert _profile(after) == _profile(before) and after.role == Role.LEARNER


# --------------------------------------------------------------------------- e-mail change


def test_an_email_change_is_confirmed_at_the_new_address(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    info = make_user("learner")
    old = info.email
    new = f"new-{info.id}@example.org"
    client = _client(app, info)

    form = _profile_form(_user(app, info.id), email=new.upper(), password=PASSWORD)
    response = _post(client, "/account", form)
    assert response.status_code == 302
    assert _user(app, info.id).email == old  # nothing changes before the link is opened
    assert f"Waiting for confirmation: a link was sent to <strong>{new}</strong>" in (
        client.get("/account").get_data(as_text=True)
    )

    message = mailbox.wait_for(new)
    assert message["Subject"] == "Confirm your new e-mail address for Learnstream"
    (link,) = [url for url in links(message) if "/account/email/" in url]
    notice = mailbox.wait_for(old)
    assert new in text_of(notice) and "/account/email/" not in text_of(notice)

    opened = app.test_client().get(urlsplit(link).path)  # another device, not signed in
    assert opened.status_code == 200
    assert f"is now <strong>{new}</strong>" in opened.get_data(as_text=True)
    assert _user(app, info.id).email == new
    assert sign_in(app.test_client(), new, PASSWORD).status_code == 302
    assert sign_in(app.test_client(), old, PASSWORD).status_code == 401

    again = app.test_client().get(urlsplit(link).path)  # single use
    assert again.status_code == 400 and "not valid" in again.get_data(as_text=True)


def _change_token(app: Flask, user_id: int, new: str) -> str:
    with app.app_context():
        token = services.request_email_change(db.session.get(User, user_id), new, PASSWORD)
        db.session.commit()
        return token


def test_an_email_change_link_expires_after_24_hours(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    info = make_user("learner")
    token = _change_token(app, info.id, f"later-{info.id}@example.org")
    clock.shift(timedelta(hours=24, seconds=1))
    response = app.test_client().get(f"/account/email/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert _user(app, info.id).email == info.email


def test_an_email_change_link_just_before_expiry_still_works(
    app: Flask, make_user, clock: TimeMachineFixture
) -> None:
    info = make_user("learner")
    new = f"inTime-{info.id}@example.org".lower()
    token = _change_token(app, info.id, new)
    clock.shift(timedelta(hours=23, minutes=59))
    assert app.test_client().get(f"/account/email/{token}").status_code == 200
    assert _user(app, info.id).email == new


def test_an_email_change_is_refused_when_the_address_was_taken_meanwhile(
    app: Flask, make_user
) -> None:
    info = make_user("learner")
    new = f"contested-{info.id}@example.org"
    token = _change_token(app, info.id, new)
    make_user("learner", new)
    response = app.test_client().get(f"/account/email/{token}")
    assert response.status_code == 400 and "Another account uses" in response.get_data(as_text=True)
    assert _user(app, info.id).email == info.email


def test_a_newer_email_change_replaces_the_pending_one(app: Flask, make_user) -> None:
    info = make_user("learner")
    first = _change_token(app, info.id, f"first-{info.id}@example.org")
    _change_token(app, info.id, f"second-{info.id}@example.org")
    assert app.test_client().get(f"/account/email/{first}").status_code == 400
    assert _user(app, info.id).email == info.email


# --------------------------------------------------------------------------- API tokens


def test_tokens_are_created_with_a_name_listed_and_revoked(app: Flask, make_user) -> None:
    info = make_user("learner")
    client = _client(app, info)
    created = _post(client, "/account/tokens", {"name": "Reporting script"})
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    headers = {"Authorization": f"Bearer {token}"}

    listed = app.test_client().get("/api/v1/tokens", headers=headers).get_json()["tokens"]
    assert [(t["name"], t["current"]) for t in listed] == [("Reporting script", True)]
    shown = client.get("/account").get_data(as_text=True)
    assert "Reporting script" in shown and token not in shown  # shown once only

    token_id = listed[0]["id"]
    confirm = client.get(f"/account/tokens/{token_id}/revoke")
    assert confirm.status_code == 200 and "Reporting script" in confirm.get_data(as_text=True)
    revoked = _post(client, f"/account/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 302
    assert app.test_client().get("/api/v1/tokens", headers=headers).status_code == 401


def test_another_users_token_cannot_be_revoked_from_the_profile(app: Flask, make_user) -> None:
    owner = make_user("learner")
    headers = _bearer(app, owner, "mine")
    token_id = (
        app.test_client().get("/api/v1/tokens", headers=headers).get_json()["tokens"][0]["id"]
    )
    admin = _client(app, make_user("admin"))
    assert admin.get(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert _post(admin, f"/account/tokens/{token_id}/revoke", {}).status_code == 404
    assert app.test_client().get("/api/v1/tokens", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Name the token"),
        ("   ", "Name the token"),
        ("t" * 81, "Use at most 80 characters."),
        ("line\nbreak", "Use one line of plain text"),
    ],
)
def test_token_name_bad_input_creates_nothing(
    app: Flask, make_user, name: str, message: str
) -> None:
    info = make_user("learner")
    client = _client(app, info)
    before = _count(app, ApiToken)
    response = _post(client, "/account/tokens", {"name": name})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in _field_error(page, "name")
    if "\n" not in name:
        # The profile form's own name field comes first; the token form's is the last one.
        values = re.findall(r'<input[^>]*\bid="name"[^>]*\bvalue="([^"]*)"', page)
        assert values and html.unescape(values[-1]) == name.strip()
    assert _count(app, ApiToken) == before


def test_html_in_a_token_name_is_stored_as_text(app: Flask, make_user) -> None:
    info = make_user("learner")
    client = _client(app, info)
    name = "<script>alert(1)</script>"
    assert _post(client, "/account/tokens", {"name": name}).status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and name not in page


def test_the_token_api_takes_and_returns_an_optional_name(app: Flask, make_user) -> None:
    info = make_user("learner")
    client = app.test_client()
    named = client.post(
        "/api/v1/tokens", json={"email": info.email, "password": PASSWORD, "name": "CI"}
    )
    assert named.status_code == 201 and named.get_json()["name"] == "CI"
    unnamed = client.post("/api/v1/tokens", json={"email": info.email, "password": PASSWORD})
    assert unnamed.status_code == 201 and unnamed.get_json()["name"] == ""
    before = _count(app, ApiToken)
    too_long = client.post(
        "/api/v1/tokens", json={"email": info.email, "password": PASSWORD, "name": "n" * 81}
    )
    assert too_long.status_code == 400
    assert too_long.get_json()["errors"] == [
        {"field": "name", "message": "Use at most 80 characters."}
    ]
    assert _count(app, ApiToken) == before


# --------------------------------------------------------------------------- admin list


def _named(app: Flask, make_user, role: str, name: str, email: str) -> UserInfo:
    info = make_user(role, email)
    with app.app_context():
        db.session.get(User, info.id).name = name
        db.session.commit()
    return info


def test_the_admin_list_searches_filters_and_pages(app: Flask, make_user) -> None:
    admin = make_user("admin")
    ada = _named(app, make_user, "learner", "Ada Lovelace", "ada@analytical.example")
    _named(app, make_user, "instructor", "Charles Babbage", "charles@engine.example")
    grace = _named(app, make_user, "learner", "Grace Hopper", "grace@navy.example")
    with app.app_context():
        db.session.get(User, grace.id).active = False
        db.session.commit()
    client = _client(app, admin)

    def emails(**query: str) -> list[str]:
        page = client.get("/admin/users", query_string=query)
        assert page.status_code == 200
        return re.findall(r"<td>([^<]+@[^<]+)</td>", page.get_data(as_text=True))

    assert emails(q="lovelace") == [ada.email]
    assert emails(q="engine.example") == ["charles@engine.example"]
    assert emails(q="%") == []  # LIKE wildcards are plain characters
    assert emails(role="instructor") == ["charles@engine.example"]
    assert emails(status="inactive") == [grace.email]
    assert grace.email not in emails(status="active")
    assert emails(q="a", role="learner", status="active") == [ada.email]

    headers = _bearer(app, admin)
    api = app.test_client()
    first = api.get("/api/v1/users", query_string={"per_page": 2}, headers=headers).get_json()
    second = api.get(
        "/api/v1/users", query_string={"per_page": 2, "page": 2}, headers=headers
    ).get_json()
    assert first["total"] == second["total"] == 4
    assert len(first["users"]) == 2 and len(second["users"]) == 2
    assert not {u["id"] for u in first["users"]} & {u["id"] for u in second["users"]}
    found = api.get(
        "/api/v1/users", query_string={"q": "hopper", "active": "false"}, headers=headers
    ).get_json()
    assert [(u["email"], u["active"]) for u in found["users"]] == [(grace.email, False)]
    bad = api.get("/api/v1/users", query_string={"role": "owner"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "role"


def test_an_admin_changes_a_role(app: Flask, make_user) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    client = _client(app, admin)
    response = _post(
        client, f"/admin/users/{learner.id}/role", {"role": "instructor"}, "/admin/users"
    )
    assert response.status_code == 302
    assert _user(app, learner.id).role == Role.INSTRUCTOR
    refused = _post(client, f"/admin/users/{learner.id}/role", {"role": "owner"}, "/admin/users")
    assert refused.status_code == 400
    assert "Choose learner, instructor or admin." in refused.get_data(as_text=True)
    assert _user(app, learner.id).role == Role.INSTRUCTOR

    headers = _bearer(app, admin)
    patched = app.test_client().patch(
        f"/api/v1/users/{learner.id}", json={"role": "admin"}, headers=headers
    )
    assert patched.status_code == 200 and patched.get_json()["role"] == "admin"
    assert (
        app.test_client()
        .patch("/api/v1/users/999999", json={"role": "admin"}, headers=headers)
        .status_code
        == 404
    )


def test_deactivation_ends_sessions_cookies_tokens_and_heartbeats_at_once(
    app: Flask, make_user, make_ready_video
) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    video_id = make_ready_video(make_user("instructor").id)
    laptop = _client(app, learner)
    tablet = _client(app, learner, remember=True)
    remember = tablet.get_cookie("remember_token").value
    headers = _bearer(app, learner)
    url = f"/api/v1/videos/{video_id}/progress"
    first = app.test_client().put(url, json={"position": 1}, headers=headers)
    assert first.status_code == 200
    grant = {**headers, GRANT: first.headers[GRANT]}
    assert app.test_client().put(url, json={"position": 2}, headers=grant).status_code == 200

    response = _post(
        _client(app, admin), f"/admin/users/{learner.id}/deactivate", {}, "/admin/users"
    )
    assert response.status_code == 302
    assert not _user(app, learner.id).active

    assert not signed_in(laptop)
    reopened = app.test_client()
    reopened.set_cookie("remember_token", remember)
    assert not signed_in(reopened)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    # The grant is still current, but the account is not: the fast path refuses the beat.
    beat = app.test_client().put(url, json={"position": 30}, headers=grant)
    assert beat.status_code == 401 and "deactivated" in beat.get_json()["detail"]
    with app.app_context():
        position = db.session.scalar(
            select(WatchProgress.position).where(WatchProgress.user_id == learner.id)
        )
    assert position == 2
    assert sign_in(app.test_client(), learner.email, PASSWORD).status_code == 401

    assert (
        _post(
            _client(app, admin), f"/admin/users/{learner.id}/reactivate", {}, "/admin/users"
        ).status_code
        == 302
    )
    assert signed_in(_client(app, learner))
    reopened = app.test_client()
    reopened.set_cookie("remember_token", remember)
    assert not signed_in(reopened)  # the old cookie stays dead
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401


def test_deactivation_through_the_api_ends_the_token(app: Flask, make_user) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    learner_headers = _bearer(app, learner)
    headers = _bearer(app, admin)
    patched = app.test_client().patch(
        f"/api/v1/users/{learner.id}", json={"active": False}, headers=headers
    )
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    assert app.test_client().get("/api/v1/me", headers=learner_headers).status_code == 401
    restored = app.test_client().patch(
        f"/api/v1/users/{learner.id}", json={"active": True}, headers=headers
    )
    assert restored.get_json()["active"] is True
    assert sign_in(app.test_client(), learner.email, PASSWORD).status_code == 302


def test_the_last_admin_cannot_be_demoted_or_deactivated(app: Flask, make_user) -> None:
    admin = make_user("admin")
    retired = make_user("admin")
    with app.app_context():
        db.session.get(User, retired.id).active = False  # an inactive admin does not count
        db.session.commit()
    client = _client(app, admin)

    demoted = _post(client, f"/admin/users/{admin.id}/role", {"role": "learner"}, "/admin/users")
    assert demoted.status_code == 409
    assert "is the only active admin" in html.unescape(demoted.get_data(as_text=True))
    own = _post(client, f"/admin/users/{admin.id}/deactivate", {}, "/admin/users")
    assert own.status_code == 409
    assert "You cannot deactivate your own account." in html.unescape(own.get_data(as_text=True))

    headers = _bearer(app, admin)
    api = app.test_client()
    problem = api.patch(f"/api/v1/users/{admin.id}", json={"role": "instructor"}, headers=headers)
    assert problem.status_code == 409 and "only active admin" in problem.get_json()["detail"]
    assert (
        api.patch(f"/api/v1/users/{admin.id}", json={"active": False}, headers=headers).status_code
        == 409
    )
    assert _user(app, admin.id).role == Role.ADMIN and _user(app, admin.id).active

    # With a second active admin, either may be demoted.
    assert (
        api.patch(f"/api/v1/users/{retired.id}", json={"active": True}, headers=headers).status_code
        == 200
    )
    demote = api.patch(f"/api/v1/users/{admin.id}", json={"role": "learner"}, headers=headers)
    assert demote.status_code == 200 and _user(app, admin.id).role == Role.LEARNER


def test_an_admin_may_deactivate_another_admin_while_one_stays(app: Flask, make_user) -> None:
    admin = make_user("admin")
    other = make_user("admin")
    other_client = _client(app, other)
    client = _client(app, admin)
    done = _post(client, f"/admin/users/{other.id}/deactivate", {}, "/admin/users")
    assert done.status_code == 302 and not _user(app, other.id).active
    assert not signed_in(other_client)
    # Now ``admin`` is the only active admin: demoting them is refused.
    refused = _post(client, f"/admin/users/{admin.id}/role", {"role": "learner"}, "/admin/users")
    assert refused.status_code == 409 and _user(app, admin.id).role == Role.ADMIN


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_non_admins_get_403(app: Flask, make_user, role: str) -> None:
    caller = make_user(role)
    target = make_user("learner")
    client = _client(app, caller)
    assert client.get("/admin/users").status_code == 403
    assert _post(client, f"/admin/users/{target.id}/role", {"role": "admin"}).status_code == 403
    assert _post(client, f"/admin/users/{target.id}/deactivate", {}).status_code == 403
    headers = _bearer(app, caller)
    api = app.test_client()
    assert api.get("/api/v1/users", headers=headers).status_code == 403
    assert (
        api.patch(f"/api/v1/users/{target.id}", json={"active": False}, headers=headers).status_code
        == 403
    )
    assert _user(app, target.id).active and _user(app, caller.id).role == role


def test_an_admin_signs_a_user_out_everywhere_without_deactivating(app: Flask, make_user) -> None:
    """ASVS 7.4.5: every session, remember-me cookie and token of the account ends; the
    account stays active and its password still signs in."""
    admin = make_user("admin")
    learner = make_user("learner")
    laptop = _client(app, learner)
    tablet = _client(app, learner, remember=True)
    remember = tablet.get_cookie("remember_token").value
    headers = _bearer(app, learner)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200

    response = _post(_client(app, admin), f"/admin/users/{learner.id}/sign-out", {}, "/admin/users")
    assert response.status_code == 302
    assert _user(app, learner.id).active
    assert not signed_in(laptop)
    reopened = app.test_client()
    reopened.set_cookie("remember_token", remember)
    assert not signed_in(reopened)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert sign_in(app.test_client(), learner.email, PASSWORD).status_code == 302

    own = _post(_client(app, admin), f"/admin/users/{admin.id}/sign-out", {}, "/admin/users")
    assert own.status_code == 409 and "Sign out" in own.get_data(as_text=True)


@pytest.mark.parametrize("password", ["", "not-the-password"])
def test_an_email_change_needs_the_current_password(
    app: Flask, make_user, mailbox: Mailbox, password: str
) -> None:
    """ASVS 7.5.1: a stolen session alone cannot move the account's recovery address."""
    info = make_user("learner")
    client = _client(app, info)
    new = f"thief-{info.id}@example.org"
    form = _profile_form(_user(app, info.id), email=new, password=password)
    response = _post(client, "/account", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("current password" in html) and (new in html)  # what was typed is kept
    assert _user(app, info.id).email == info.email
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EmailToken)) == 0
