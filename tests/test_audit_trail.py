"""The audit trail: each security event recorded by the real route, with its actor,
target, client address and outcome; failure events kept although their request commits
nothing; the admins' filter page and CSV; rows that cannot be changed or removed."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.support.audit import events
from tests.support.auth import CSRF_META
from tests.support.factories import PASSWORD, UserInfo
from tests.support.smtp import links
from tests.support.structure import build_structure
from webapp.accounts.services import request_reset
from webapp.audit import bursts
from webapp.audit.events import Kind, Outcome
from webapp.audit.services import record, record_now
from webapp.auth.throttle import reset_counts
from webapp.catalogue.services import add_topic
from webapp.certificates.services import issue_certificate
from webapp.extensions import db
from webapp.models import AuditEvent, Program, Role, User
from webapp.models.base import utcnow

ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_counts(app: Flask) -> Iterator[None]:
    """No failed sign-in and no 403 counted from an earlier test (ids are reused)."""
    with app.app_context():
        reset_counts()
    app.extensions[bursts.EXTENSION].clear()
    yield


def _client(app: Flask, address: str = ADDRESS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _csrf(client: FlaskClient, page: str = "/login") -> str:
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, page
    return match[1]


def _post(client: FlaskClient, url: str, data: dict[str, str], page: str = "/account"):
    return client.post(url, data={**data, "csrf_token": _csrf(client, page)})


def _sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return _post(client, "/login", {"email": email, "password": password}, "/login")


def _signed_in(app: Flask, user: UserInfo, address: str = ADDRESS) -> FlaskClient:
    client = _client(app, address)
    assert _sign_in(client, user.email).status_code == 302
    return client


def _only(app: Flask, kind: Kind) -> dict:
    found = events(app, kind)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- sign-in


def test_a_sign_in_is_recorded_with_actor_target_and_address(app: Flask, make_user) -> None:
    user = make_user("learner")
    _signed_in(app, user)
    event = _only(app, Kind.SIGNIN)
    assert event["outcome"] == Outcome.SUCCESS
    assert (event["actor_id"], event["actor_email"]) == (user.id, user.email)
    assert (event["target_type"], event["target_id"]) == ("user", str(user.id))
    assert event["address"] == ADDRESS
    assert event["detail"]["request"] == "POST /login"


def test_a_failed_sign_in_is_kept_although_the_request_commits_nothing(
    app: Flask, make_user
) -> None:
    user = make_user("learner")
    client = _client(app)
    assert _sign_in(client, user.email, "wrong-password").status_code == 401
    assert _sign_in(client, "Nobody@Example.com", "wrong-password").status_code == 401
    wrong, unknown = events(app, Kind.SIGNIN)
    assert wrong["outcome"] == unknown["outcome"] == Outcome.FAILURE
    assert wrong["actor_id"] is None and wrong["actor_email"] == user.email
    assert (wrong["target_type"], wrong["target_id"]) == ("user", str(user.id))
    assert unknown["actor_email"] == "Nobody@Example.com" and unknown["target_type"] is None
    assert wrong["address"] == unknown["address"] == ADDRESS
    assert wrong["detail"]["reason"] == "wrong credentials"


def test_a_throttled_sign_in_is_recorded(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = _client(app)
    for _ in range(5):
        assert _sign_in(client, user.email, "wrong-password").status_code == 401
    assert _sign_in(client, user.email).status_code == 429
    event = _only(app, Kind.SIGNIN_THROTTLED)
    assert event["outcome"] == Outcome.REFUSED
    assert (event["actor_email"], event["address"]) == (user.email, ADDRESS)
    assert len(events(app, Kind.SIGNIN)) == 5  # the refused attempt is not a sign-in


def test_the_api_token_exchange_records_the_sign_in_and_the_token(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = _client(app)
    body = {"email": user.email, "password": PASSWORD, "name": "Backup script"}
    created = client.post("/api/v1/tokens", json=body)
    assert created.status_code == 201
    assert _only(app, Kind.SIGNIN)["detail"]["request"] == "POST /api/v1/tokens"
    token = _only(app, Kind.TOKEN_CREATED)
    assert token["actor_id"] == user.id
    assert (token["target_type"], token["target_id"], token["target_label"]) == (
        "api_token",
        str(created.get_json()["id"]),
        "Backup script",
    )
    headers = {"Authorization": f"Bearer {created.get_json()['token']}"}
    revoked = client.delete(f"/api/v1/tokens/{created.get_json()['id']}", headers=headers)
    assert revoked.status_code == 204
    assert _only(app, Kind.TOKEN_REVOKED)["target_label"] == "Backup script"


# --------------------------------------------------------------------------- passwords


def test_a_password_change_and_a_wrong_current_password_are_recorded(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = _signed_in(app, user)
    form = {"new_password": "seven silver lanterns", "confirm_password": "seven silver lanterns"}
    wrong = _post(client, "/account/password", {**form, "current_password": "nope"}, "/account")
    assert wrong.status_code == 400  # the view rolled back; the event stayed
    done = _post(client, "/account/password", {**form, "current_password": PASSWORD}, "/account")
    assert done.status_code == 302
    failed, changed = events(app, Kind.PASSWORD_CHANGED)
    assert failed["outcome"] == Outcome.FAILURE and changed["outcome"] == Outcome.SUCCESS
    assert failed["actor_id"] == changed["actor_id"] == user.id
    assert changed["target_id"] == str(user.id) and changed["address"] == ADDRESS


def test_an_email_change_and_a_wrong_password_for_it_are_recorded(
    app: Flask, make_user, mailbox
) -> None:
    user = make_user("learner")
    client = _signed_in(app, user)
    new = f"moved-{user.id}@example.org"
    form = {"name": "Moved", "time_zone": "", "email": new}
    wrong = _post(client, "/account", {**form, "password": "nope"})
    assert wrong.status_code == 400  # the view rolled back; the event stayed
    assert _post(client, "/account", {**form, "password": PASSWORD}).status_code == 302
    (link,) = [u for u in links(mailbox.wait_for(new)) if "/account/email/" in u]
    assert app.test_client().get(urlsplit(link).path).status_code == 200
    failed, changed = events(app, Kind.EMAIL_CHANGED)
    assert failed["outcome"] == Outcome.FAILURE and failed["actor_id"] == user.id
    assert changed["outcome"] == Outcome.SUCCESS and changed["target_id"] == str(user.id)
    assert changed["actor_email"] == new and changed["detail"]["from"] == user.email


def test_a_password_reset_is_recorded(app: Flask, make_user) -> None:
    user = make_user("learner")
    with app.app_context():
        found = request_reset(user.email)
        assert found is not None
        db.session.commit()
        token = found[1]
    client = _client(app)
    page = f"/password/reset/{token}"
    new = "seven silver lanterns"
    response = _post(client, page, {"password": new, "confirm": new}, page)
    assert response.status_code == 302
    event = _only(app, Kind.PASSWORD_RESET)
    assert (event["actor_id"], event["target_id"], event["address"]) == (
        user.id,
        str(user.id),
        ADDRESS,
    )


# --------------------------------------------------------------------------- accounts


def test_role_changes_deactivation_and_reactivation_are_recorded(app: Flask, make_user) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    client = _signed_in(app, admin)
    base = f"/admin/users/{learner.id}"
    assert _post(client, f"{base}/role", {"role": "instructor"}, "/admin/users").status_code == 302
    assert _post(client, f"{base}/deactivate", {}, "/admin/users").status_code == 302
    assert _post(client, f"{base}/reactivate", {}, "/admin/users").status_code == 302
    role = _only(app, Kind.ROLE_CHANGED)
    assert (role["actor_id"], role["actor_email"]) == (admin.id, admin.email)
    assert (role["target_type"], role["target_id"], role["target_label"]) == (
        "user",
        str(learner.id),
        learner.email,
    )
    assert role["detail"]["from"] == Role.LEARNER and role["detail"]["to"] == Role.INSTRUCTOR
    for kind in (Kind.USER_DEACTIVATED, Kind.USER_REACTIVATED):
        event = _only(app, kind)
        assert (event["actor_id"], event["target_id"], event["address"]) == (
            admin.id,
            str(learner.id),
            ADDRESS,
        )


def test_a_refused_role_change_leaves_no_event(app: Flask, make_user) -> None:
    admin = make_user("admin")
    client = _signed_in(app, admin)
    refused = _post(client, f"/admin/users/{admin.id}/role", {"role": "learner"}, "/admin/users")
    assert refused.status_code in (302, 400, 409)
    assert events(app, Kind.ROLE_CHANGED) == []


def test_profile_tokens_created_and_revoked_are_recorded(app: Flask, make_user) -> None:
    user = make_user("learner")
    client = _signed_in(app, user)
    assert _post(client, "/account/tokens", {"name": "Laptop"}).status_code == 200
    created = _only(app, Kind.TOKEN_CREATED)
    assert (created["actor_id"], created["target_label"]) == (user.id, "Laptop")
    token_id = created["target_id"]
    revoke = f"/account/tokens/{token_id}/revoke"
    assert _post(client, revoke, {}, revoke).status_code == 302
    revoked = _only(app, Kind.TOKEN_REVOKED)
    assert (revoked["actor_id"], revoked["target_id"], revoked["address"]) == (
        user.id,
        token_id,
        ADDRESS,
    )


# --------------------------------------------------------------------------- deletions


def test_deleting_a_topic_and_a_program_is_recorded(app: Flask, make_user) -> None:
    admin = make_user("admin")
    structure = build_structure(app, admin.id)
    with app.app_context():
        topic = add_topic("Old topic")
        db.session.commit()
        topic_id = topic.id
        slug = topic.slug
    client = _signed_in(app, admin)
    page = f"/manage/topics/{slug}/delete"
    assert _post(client, page, {}, page).status_code == 302
    page = f"/manage/programs/{structure.program}/delete"
    assert _post(client, page, {}, page).status_code == 302
    topic_event, program_event = events(app, Kind.DELETED)
    assert (topic_event["target_type"], topic_event["target_id"]) == ("topic", str(topic_id))
    assert topic_event["target_label"] == "Old topic" and topic_event["actor_id"] == admin.id
    assert (program_event["target_type"], program_event["target_label"]) == ("program", "Path")
    assert program_event["address"] == ADDRESS


def test_a_refused_deletion_leaves_no_event(app: Flask, make_user) -> None:
    admin = make_user("admin")
    structure = build_structure(app, admin.id)
    client = _signed_in(app, admin)
    page = f"/manage/courses/{structure.course}/delete"  # the program still holds it
    assert _post(client, page, {}, page).status_code == 302
    assert events(app, Kind.DELETED) == []


# --------------------------------------------------------------------------- exports


def test_a_report_csv_download_is_recorded(app: Flask, make_user) -> None:
    admin = make_user("admin")
    structure = build_structure(app, admin.id)
    client = _signed_in(app, admin)
    response = client.get(f"/reports/paths/{structure.program}/export.csv?status=completed")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    event = _only(app, Kind.EXPORTED)
    assert (event["actor_id"], event["target_type"], event["target_label"]) == (
        admin.id,
        "program",
        "Path",
    )
    assert event["detail"]["format"] == "csv" and event["detail"]["report"] == "path"
    assert event["detail"]["filters"] == {"status": "completed"}
    assert event["address"] == ADDRESS


def test_a_refused_report_download_is_no_export(app: Flask, make_user) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    structure = build_structure(app, admin.id)
    client = _signed_in(app, learner)
    assert client.get(f"/reports/paths/{structure.program}/export.csv").status_code == 403
    assert events(app, Kind.EXPORTED) == []


# --------------------------------------------------------------------------- certificates


def test_a_certificate_revocation_is_recorded(app: Flask, make_user) -> None:
    admin = make_user("admin")
    learner = make_user("learner")
    structure = build_structure(app, admin.id)
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.slug == structure.program))
        certificate, _ = issue_certificate(db.session.get(User, learner.id), program)
        db.session.commit()
        code, certificate_id = certificate.code, certificate.id
    client = _signed_in(app, admin)
    page = f"/manage/certificates/{code}/revoke"
    reason = "Exam answers were copied"
    assert _post(client, page, {"reason": reason}, page).status_code == 302
    event = _only(app, Kind.CERTIFICATE_REVOKED)
    assert (event["actor_id"], event["target_type"], event["target_id"]) == (
        admin.id,
        "certificate",
        str(certificate_id),
    )
    assert code in event["target_label"]
    assert event["detail"]["reason"] == reason and event["detail"]["learner_id"] == learner.id


# --------------------------------------------------------------------------- 403 bursts


def test_ten_forbidden_answers_within_a_minute_make_one_event(app: Flask, make_user) -> None:
    learner = make_user("learner")
    client = _signed_in(app, learner)
    for _ in range(9):
        assert client.get("/admin").status_code == 403
    assert events(app, Kind.FORBIDDEN_BURST) == []
    assert client.get("/admin/audit").status_code == 403
    event = _only(app, Kind.FORBIDDEN_BURST)
    assert (event["actor_id"], event["target_id"], event["address"]) == (
        learner.id,
        str(learner.id),
        ADDRESS,
    )
    assert event["outcome"] == Outcome.REFUSED and event["detail"]["count"] == 10
    for _ in range(5):  # counting starts again: no event per refusal
        client.get("/admin")
    assert len(events(app, Kind.FORBIDDEN_BURST)) == 1


def test_the_burst_counter_window_slides() -> None:
    counter = bursts.BurstCounter(threshold=3, window=60)
    assert [counter.hit("a", now) for now in (0.0, 10.0)] == [0, 0]
    assert counter.hit("a", 61.0) == 0  # the first one left the window
    assert counter.hit("a", 62.0) == 3
    assert counter.hit("a", 63.0) == 0  # starts again
    assert counter.hit("b", 63.0) == 0  # per caller


# --------------------------------------------------------------------------- the record


def test_each_event_is_logged_with_its_fields_in_extra(
    app: Flask, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user("learner")
    with caplog.at_level(logging.INFO, logger="learnstream.audit"):
        _signed_in(app, user)
    (line,) = [r for r in caplog.records if r.name == "learnstream.audit"]
    fields = line.__dict__
    assert fields["event"] == "audit" and fields["kind"] == Kind.SIGNIN
    assert (fields["actor_id"], fields["actor_email"]) == (user.id, user.email)
    assert (fields["target_type"], fields["target_id"]) == ("user", str(user.id))
    assert fields["address"] == ADDRESS and fields["outcome"] == Outcome.SUCCESS


def test_record_joins_the_transaction_record_now_does_not(app: Flask) -> None:
    with app.app_context():
        record(Kind.DELETED, detail={"step": "rolled back"})
        db.session.rollback()
        db.session.scalar(select(User.id))  # the session's transaction is open (a read)
        record_now(Kind.SIGNIN, actor_email="someone@example.com")
        db.session.rollback()
    (kept,) = events(app)
    assert kept["kind"] == Kind.SIGNIN and kept["actor_email"] == "someone@example.com"


# --------------------------------------------------------------------------- the page


def _seed(app: Flask) -> None:
    with app.app_context():
        now = utcnow()
        rows = [
            ("signin", "failure", "mallory@example.com", None, "", "198.51.100.5", now),
            ("signin", "success", "alice@example.com", "user", "Alice", "203.0.113.9", now),
            ("deleted", "success", "alice@example.com", "video", "=Lecture 1", "203.0.113.9", now),
            ("exported", "success", "bob@example.com", "program", "Path", "10.0.0.1", now),
            (
                "signin",
                "success",
                "bob@example.com",
                "user",
                "Bob",
                "10.0.0.1",
                now - timedelta(days=3),
            ),
        ]
        for kind, outcome, email, target_type, label, address, at in rows:
            db.session.add(
                AuditEvent(
                    kind=kind,
                    outcome=outcome,
                    actor_email=email,
                    target_type=target_type,
                    target_id="7" if target_type else None,
                    target_label=label,
                    address=address,
                    at=at,
                    detail={},
                )
            )
        db.session.commit()


def _listed(html: str) -> list[str]:
    return [line for line in html.splitlines() if '<tr id="event-' in line]


def _count(client: FlaskClient, **query: str) -> int:
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    return len(_listed(response.get_data(as_text=True)))


def test_the_page_filters_by_kind_actor_target_address_and_days(app: Flask, make_user) -> None:
    admin = make_user("admin")
    client = _signed_in(app, admin)  # adds its own sign-in event (from ADDRESS)
    _seed(app)
    today = utcnow().date()
    assert _count(client) == 6
    assert _count(client, kind="signin") == 4
    assert _count(client, kind="signin", actor="ALICE") == 1
    assert _count(client, target="lecture") == 1
    assert _count(client, target="program") == 1
    assert _count(client, address="10.0.0.") == 2
    assert _count(client, since=today.isoformat()) == 5
    assert _count(client, until=(today - timedelta(days=1)).isoformat()) == 1
    bad = client.get("/admin/audit", query_string={"since": "yesterday", "actor": "alice"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'value="alice"' in html and _listed(html) == []
    backwards = client.get(
        "/admin/audit", query_string={"since": today.isoformat(), "until": "2000-01-01"}
    )
    assert backwards.status_code == 400


def test_the_page_is_newest_first_and_paged(app: Flask, make_user) -> None:
    admin = make_user("admin")
    client = _signed_in(app, admin)
    _seed(app)
    app.config["AUDIT_PAGE_SIZE"] = 4
    try:
        first = client.get("/admin/audit").get_data(as_text=True)
        second = client.get("/admin/audit?page=2").get_data(as_text=True)
    finally:
        app.config["AUDIT_PAGE_SIZE"] = 50
    assert len(_listed(first)) == 4 and len(_listed(second)) == 2
    assert "Page 1 of 2" in first and 'rel="next"' in first
    stored = sorted(events(app), key=lambda e: (e["at"], e["id"]), reverse=True)
    expected = [f'<tr id="event-{e["id"]}">' for e in stored]
    assert [line.strip() for line in _listed(first) + _listed(second)] == expected
    assert stored[-1]["actor_email"] == "bob@example.com"  # three days old: last


def test_the_csv_download_is_filtered_safe_and_itself_recorded(app: Flask, make_user) -> None:
    admin = make_user("admin")
    client = _signed_in(app, admin)
    _seed(app)
    response = client.get("/admin/audit/export.csv", query_string={"actor": "alice"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Time (UTC)", "Event", "Outcome"]
    assert sorted(r[1] for r in rows[1:]) == ["deleted", "signin"]
    assert "'=Lecture 1" in [r[7] for r in rows[1:]]  # no formula in a spreadsheet
    exports = [e for e in events(app, Kind.EXPORTED) if e["target_type"] == "audit_trail"]
    assert len(exports) == 1 and exports[0]["actor_id"] == admin.id
    assert exports[0]["detail"]["filters"] == {"actor": "alice"}


def test_the_admin_home_and_menu_link_the_page(app: Flask, make_user) -> None:
    client = _signed_in(app, make_user("admin"))
    html = client.get("/admin").get_data(as_text=True)
    assert html.count('href="/admin/audit"') >= 2


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_only_admins_see_the_trail(app: Flask, make_user, role: str) -> None:
    client = _signed_in(app, make_user(role))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
    assert events(app, Kind.EXPORTED) == []
    html = client.get("/").get_data(as_text=True)
    assert "/admin/audit" not in html


# --------------------------------------------------------------------------- append-only


def test_the_app_has_no_path_that_changes_an_audit_row() -> None:
    root = Path(__file__).resolve().parents[1] / "webapp"
    writers = [
        path
        for path in root.rglob("*.py")
        if "AuditEvent" in (source := path.read_text())
        and any(w in source for w in ("update(AuditEvent", "delete(AuditEvent", ".delete(event"))
    ]
    assert writers == []


def test_postgresql_refuses_to_update_or_delete_an_audit_row(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the append-only trigger is PostgreSQL's")
        record_now(Kind.SIGNIN, actor_email="kept@example.com", outcome=Outcome.SUCCESS)
        for statement in (
            "UPDATE audit_events SET outcome = 'failure'",
            "DELETE FROM audit_events",
        ):
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))
        rows = db.session.execute(text("SELECT outcome, actor_email FROM audit_events")).all()
        db.session.rollback()
    assert [tuple(r) for r in rows] == [("success", "kept@example.com")]
