"""Notifications in the site: the bell's count, the list page, opening one (marks it
read, owner only, never an open redirect), "mark all read", the e-mail settings form,
and the JSON API with its bad-input table."""

from __future__ import annotations

import json

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.notifications import bell_text, checked_choice, make, state
from tests.support.problems import problem_fields, problem_of
from tests.support.querycount import recorded_statements
from webapp import create_app
from webapp.extensions import db
from webapp.models import EmailChoice, Notification, Role, User
from webapp.notifications.queries import email_choice

UNREACHABLE = "sqlite:////nonexistent-learnstream-dir/db.sqlite"


def _unread(app: Flask, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )


# --------------------------------------------------------------------------- pages


def test_bell_shows_the_unread_count_to_every_signed_in_user(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner = make_user("learner")
    assert "bell" not in client.get("/login").get_data(as_text=True)  # signed out: no bell
    auth.login(learner.email)
    assert bell_text(client.get("/").get_data(as_text=True)) == "Notifications, 0 unread"
    for n in range(3):
        make(app, learner.id, f"Event {n}")
    other = make_user("instructor")
    make(app, other.id, "Not yours")
    page = client.get("/").get_data(as_text=True)
    assert bell_text(page) == "Notifications, 3 unread"
    assert 'href="/notifications"' in page


def test_the_bell_costs_one_query_per_page(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner = make_user("learner")
    for n in range(30):
        make(app, learner.id, f"Event {n}")
    auth.login(learner.email)
    with recorded_statements(app) as statements:
        page = client.get("/certificates").get_data(as_text=True)
    assert bell_text(page) == "Notifications, 30 unread"
    assert len([s for s in statements if "FROM notifications" in s]) == 1


def test_the_page_lists_newest_first_marks_unread_and_pages(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner = make_user("learner")
    ids = [make(app, learner.id, f"Event number {n:02d}") for n in range(25)]
    auth.login(learner.email)
    client.get(f"/notifications/{ids[24]}")  # opens the newest: it is read now
    first = client.get("/notifications").get_data(as_text=True)
    assert "24 unread of 25" in first
    positions = [first.index(f"Event number {n:02d}") for n in range(24, 4, -1)]
    assert positions == sorted(positions) and "Event number 04" not in first
    assert first.count(">Unread</strong>") == 19  # the newest is read
    assert f'href="/notifications/{ids[23]}"' in first and 'rel="next"' in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Event number 04" in second and "Event number 00" in second
    assert "Event number 05" not in second and 'rel="prev"' in second
    assert client.get("/notifications?page=junk").status_code == 200


def test_text_is_escaped_on_the_page(app: Flask, client: FlaskClient, auth: Auth, make_user):
    learner = make_user("learner")
    make(app, learner.id, "<script>alert(1)</script> answered")
    auth.login(learner.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_opening_marks_read_and_goes_to_its_page(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner = make_user("learner")
    notification = make(app, learner.id, url="/videos/7?t=42")
    auth.login(learner.email)
    opened = client.get(f"/notifications/{notification}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/videos/7?t=42"
    assert state(app, notification)[0] is not None
    assert bell_text(client.get("/").get_data(as_text=True)) == "Notifications, 0 unread"
    again = client.get(f"/notifications/{notification}")  # opening twice is fine
    assert again.status_code == 302


@pytest.mark.parametrize("role", ["learner", "instructor", "admin"])
def test_someone_elses_notification_is_404_and_stays_unread(
    app: Flask, client: FlaskClient, auth: Auth, make_user, role: str
) -> None:
    owner = make_user("learner")
    notification = make(app, owner.id)
    auth.login(make_user(role).email)
    assert client.get(f"/notifications/{notification}").status_code == 404
    assert client.get(f"/notifications/{notification + 1000}").status_code == 404
    assert state(app, notification)[0] is None


def test_signed_out_opening_asks_to_sign_in(app: Flask, client: FlaskClient, make_user) -> None:
    notification = make(app, make_user("learner").id)
    answer = client.get(f"/notifications/{notification}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert state(app, notification)[0] is None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nLocation: https://evil.example",
        "",
    ],
)
def test_opening_never_leaves_the_site(
    app: Flask, client: FlaskClient, auth: Auth, make_user, url: str
) -> None:
    learner = make_user("learner")
    notification = make(app, learner.id, url=url)
    auth.login(learner.email)
    opened = client.get(f"/notifications/{notification}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/notifications"
    items = client.get("/api/v1/notifications").get_json()["items"]
    assert items[0]["url"] is None


def test_mark_all_read_needs_the_form_token(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner, other = make_user("learner"), make_user("learner")
    for _ in range(2):
        make(app, learner.id)
    make(app, other.id)
    auth.login(learner.email)
    assert client.post("/notifications/read-all").status_code == 400  # no CSRF token
    assert _unread(app, learner.id) == 2
    token = auth.csrf("/notifications")
    done = client.post("/notifications/read-all", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/notifications"
    assert _unread(app, learner.id) == 0 and _unread(app, other.id) == 1
    assert "2 notifications marked read." in client.get("/notifications").get_data(as_text=True)


def test_email_settings_from_the_profile_and_their_own_page(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    learner = make_user("learner")
    auth.login(learner.email)
    profile = client.get("/account").get_data(as_text=True)
    assert "Notification e-mails" in profile
    assert checked_choice(profile) == "all"
    token = auth.csrf("/account")
    saved = client.post(
        "/notifications/settings?back=profile",
        data={"csrf_token": token, "notification_email": "digest"},
    )
    assert saved.status_code == 302 and saved.headers["Location"] == "/account"
    with app.app_context():
        assert email_choice(learner.id) is EmailChoice.DIGEST
    forged = client.post(
        "/notifications/settings", data={"csrf_token": token, "notification_email": "hourly"}
    )
    assert forged.status_code == 400 and "Not a valid choice" in forged.get_data(as_text=True)
    missing = client.post("/notifications/settings", data={"csrf_token": token})
    assert missing.status_code == 400
    with app.app_context():
        assert email_choice(learner.id) is EmailChoice.DIGEST
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert checked_choice(page) == "digest"
    off = client.post(
        "/notifications/settings", data={"csrf_token": token, "notification_email": "off"}
    )
    assert off.status_code == 302 and off.headers["Location"] == "/notifications/settings"
    with app.app_context():
        assert email_choice(learner.id) is EmailChoice.OFF


# --------------------------------------------------------------------------- API


def test_api_lists_newest_first_with_the_unread_count(app: Flask, make_user) -> None:
    learner = make_user("learner")
    ids = [make(app, learner.id, f"Event {n}", url=f"/videos/{n}") for n in range(5)]
    make(app, make_user("learner").id, "Someone else's")
    headers = factories.bearer_headers(app, learner)
    client = app.test_client()
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert [item["id"] for item in body["items"]] == ids[::-1]
    assert body["unread"] == 5 and body["total"] == 5 and body["page"] == 1
    first = body["items"][0]
    assert first["url"] == "/videos/4" and first["open_url"] == f"/notifications/{ids[4]}"
    assert first["read"] is False and first["kind"] == "test.event"
    paged = client.get("/api/v1/notifications?page=2&per_page=2", headers=headers).get_json()
    assert [item["id"] for item in paged["items"]] == [ids[2], ids[1]]
    for query, field in [("page=0", "page"), ("per_page=101", "per_page"), ("color=red", "color")]:
        answer = client.get(f"/api/v1/notifications?{query}", headers=headers)
        assert field in problem_fields(answer)
    assert client.get("/api/v1/notifications").status_code == 401


def test_api_marks_ids_or_all(app: Flask, make_user) -> None:
    learner = make_user("learner")
    ids = [make(app, learner.id) for _ in range(3)]
    headers = factories.bearer_headers(app, learner)
    client = app.test_client()
    marked = client.post("/api/v1/notifications/read", json={"ids": ids[:2]}, headers=headers)
    assert marked.status_code == 200 and marked.get_json() == {"marked": 2, "unread": 1}
    again = client.post("/api/v1/notifications/read", json={"ids": ids[:1]}, headers=headers)
    assert again.get_json() == {"marked": 0, "unread": 1}
    everything = client.post("/api/v1/notifications/read", json={"all": True}, headers=headers)
    assert everything.get_json() == {"marked": 1, "unread": 0}
    empty = client.post("/api/v1/notifications/read", json={"ids": []}, headers=headers)
    assert empty.get_json() == {"marked": 0, "unread": 0}


BAD_BODIES = [
    ({"ids": [1], "colour": "red"}, "colour"),
    ({"ids": "1"}, "ids"),
    ({"ids": ["1"]}, "ids.0"),
    ({"ids": [1.5]}, "ids.0"),
    ({"ids": [0]}, "ids.0"),
    ({"ids": [True]}, "ids.0"),
    ({"ids": list(range(1, 502))}, "ids"),
    ({"all": False}, "all"),
    ({"all": "yes"}, "all"),
    ({"all": True, "ids": [1]}, "ids"),
    ({}, "ids"),
    ({"ids": None}, "ids"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_api_bad_input_is_400_naming_the_field_and_changes_nothing(
    app: Flask, make_user, body: dict, field: str
) -> None:
    learner = make_user("learner")
    make(app, learner.id)
    headers = factories.bearer_headers(app, learner)
    answer = app.test_client().post("/api/v1/notifications/read", json=body, headers=headers)
    assert field in problem_fields(answer)
    assert _unread(app, learner.id) == 1


def test_api_ids_of_others_or_unknown_are_404_and_change_nothing(app: Flask, make_user) -> None:
    learner, other = make_user("learner"), make_user("learner")
    mine = make(app, learner.id)
    theirs = make(app, other.id)
    headers = factories.bearer_headers(app, learner)
    client = app.test_client()
    for ids in ([theirs], [mine, theirs], [mine, theirs + 1000]):
        answer = client.post("/api/v1/notifications/read", json={"ids": ids}, headers=headers)
        problem = problem_of(answer, 404)
        assert problem["errors"][0]["field"] == "ids"
    assert _unread(app, learner.id) == 1 and _unread(app, other.id) == 1


def test_api_refuses_a_huge_or_broken_body(app: Flask, make_user) -> None:
    learner = make_user("learner")
    make(app, learner.id)
    headers = factories.bearer_headers(app, learner) | {"Content-Type": "application/json"}
    client = app.test_client()
    huge = json.dumps({"ids": [1] * 400_000})
    assert client.post("/api/v1/notifications/read", data=huge, headers=headers).status_code == 413
    broken = client.post("/api/v1/notifications/read", data="{ids", headers=headers)
    assert broken.status_code == 400
    script = client.post("/api/v1/notifications/read", json={"ids": ["<script>"]}, headers=headers)
    assert "ids.0" in problem_fields(script)
    assert _unread(app, learner.id) == 1


def test_the_bell_without_a_database_is_a_plain_link(app: Flask) -> None:
    """An error page for a database outage still renders its header."""
    down = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    with down.test_request_context("/"):
        login_user(User(id=1, email="someone@example.com", role=Role.LEARNER, active=True))
        html = render_template_string('{% include "notifications/_bell.html" %}')
    assert 'href="/notifications">Notifications</a>' in html and "unread" not in html
    with down.app_context():
        db.engine.dispose()
