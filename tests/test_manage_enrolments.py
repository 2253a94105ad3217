"""Who is enrolled in a program, managed in the browser and the API (what `flask learning
enrol` did): an admin enrols an existing account by e-mail, company programs included,
sees who is enrolled, and ends an enrolment (the person's progress stays)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from tests.support.auth import Auth
from tests.support.factories import UserInfo, bearer_headers
from tests.support.structure import Structure, build_structure
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Enrollment, Program

ENROL = "/manage/programs/path/enrollments"


@pytest.fixture
def admin(make_user) -> UserInfo:
    """An admin."""
    return make_user("admin")


@pytest.fixture
def world(app: Flask, admin: UserInfo) -> Structure:
    """Program ``path`` of course ``basics``."""
    return build_structure(app, admin.id)


@pytest.fixture
def as_admin(client: FlaskClient, auth: Auth, admin: UserInfo) -> Auth:
    """The client signed in as the admin."""
    auth.login(admin.email)
    return auth


def _enrolled(app: Flask) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(Enrollment.user_id)))


def _post(auth: Auth, url: str, data: dict[str, str] | None = None):
    return auth.client.post(url, data={**(data or {}), "csrf_token": auth.csrf("/")})


def _field_error(html: str) -> str:
    match = re.search(r'<p class="field-error" id="enrol-email-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def test_an_admin_enrols_and_unenrols_a_person_in_the_browser(
    app: Flask, as_admin: Auth, world: Structure, make_user
) -> None:
    learner = make_user("learner")
    with app.app_context():  # a company program: learners cannot enrol themselves
        program = db.session.scalar(select(Program).where(Program.slug == "path"))
        program.self_enrol = False
        db.session.commit()

    answer = _post(as_admin, ENROL, {"enrol-email": learner.email.upper()})

    assert answer.status_code == 302
    assert _enrolled(app) == [learner.id]
    page = as_admin.client.get("/manage/programs/path").get_data(as_text=True)
    assert learner.email in page
    again = _post(as_admin, ENROL, {"enrol-email": learner.email})
    assert again.status_code == 302 and _enrolled(app) == [learner.id]

    ended = _post(as_admin, f"/manage/programs/path/enrollments/{learner.id}/remove")

    assert ended.status_code == 302
    assert _enrolled(app) == []
    assert (
        _post(as_admin, f"/manage/programs/path/enrollments/{learner.id}/remove").status_code == 404
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the person's e-mail address."),
        ("nobody@example.com", "No account has this address"),
        ("x" * 250 + "@example.com", "at most 254 characters"),
        ("<b>x</b>@example.com", "No account has this address"),
        ("a@example.com\nBcc: b@example.com", "one line"),
    ],
    ids=["empty", "unknown", "too-long", "html", "two-lines"],
)
def test_enrol_form_bad_input(
    app: Flask, as_admin: Auth, world: Structure, typed: str, message: str
) -> None:
    answer = _post(as_admin, ENROL, {"enrol-email": typed})

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in unescape(_field_error(html))
    if typed.strip():
        assert str(escape(typed.strip())).split("\n")[0] in html  # what was typed is kept
    assert "<b>x</b>" not in html
    assert _enrolled(app) == []


def test_only_admins_manage_enrolments(
    app: Flask, client: FlaskClient, auth: Auth, world: Structure, make_user
) -> None:
    instructor = make_user("instructor")
    learner = make_user("learner")
    auth.login(instructor.email)

    assert _post(auth, ENROL, {"enrol-email": learner.email}).status_code == 403
    assert _enrolled(app) == []


def test_the_api_ends_an_enrolment(
    app: Flask, world: Structure, admin: UserInfo, make_user
) -> None:
    learner = make_user("learner")
    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.slug == "path"))
        services.enrol_by_email(learner.email, program, by=None)
        db.session.commit()
    client = app.test_client()
    url = f"/api/v1/programs/path/enrollments/{learner.id}"

    assert client.delete(url, headers=bearer_headers(app, learner)).status_code == 403
    assert client.delete(url, headers=bearer_headers(app, admin)).status_code == 204
    assert _enrolled(app) == []
    assert client.delete(url, headers=bearer_headers(app, admin)).status_code == 404
