"""The structure back office (issue 18): topics, courses and programs created, edited,
reordered and deleted through the pages and the API, with their refusals and a bad-input
table per form and per API body."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from tests.support.auth import Auth
from tests.support.factories import UserInfo, bearer_headers
from tests.support.structure import (
    Structure,
    build_structure,
    course_modules,
    program_courses,
    snapshot,
)
from webapp.catalogue.services import add_topic
from webapp.certificates.services import issue_certificate
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Certificate, Cohort, Course, Enrollment, Module, Program, Topic, User

HTML = '<b onmouseover="x()">Bold</b> & <script>alert(1)</script>'


@pytest.fixture
def admin(make_user) -> UserInfo:
    """An admin."""
    return make_user("admin")


@pytest.fixture
def world(app: Flask, admin: UserInfo) -> Structure:
    """Modules Alpha, Beta, Gamma; course ``basics``; program ``path``."""
    return build_structure(app, admin.id)


@pytest.fixture
def as_admin(client: FlaskClient, auth: Auth, admin: UserInfo) -> Auth:
    """The client signed in as the admin."""
    auth.login(admin.email)
    return auth


def post(auth: Auth, url: str, data: dict[str, Any]):
    """POST a back-office form with the session's CSRF token."""
    return auth.client.post(url, data={**data, "csrf_token": auth.csrf("/")})


def field_error(html: str, field: str) -> str:
    """The error text shown beside ``field`` (empty if none)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- topics


def test_topics_are_created_renamed_and_deleted_in_the_browser(app: Flask, as_admin: Auth) -> None:
    response = post(as_admin, "/manage/topics", {"name": "Data Science"})
    assert response.status_code == 302
    page = as_admin.client.get("/manage/topics").get_data(as_text=True)
    assert "Data Science" in page and "data-science" in page

    form = as_admin.client.get("/manage/topics/data-science/edit")
    assert 'value="Data Science"' in form.get_data(as_text=True)
    assert (
        post(as_admin, "/manage/topics/data-science/edit", {"name": "Data & AI"}).status_code == 302
    )
    with app.app_context():
        assert [(t.name, t.slug) for t in db.session.scalars(select(Topic))] == [
            ("Data & AI", "data-ai")
        ]

    confirm = as_admin.client.get("/manage/topics/data-ai/delete").get_data(as_text=True)
    assert "Nothing else depends on it." in confirm
    assert post(as_admin, "/manage/topics/data-ai/delete", {}).status_code == 302
    assert snapshot(app)[0] == []


def test_a_topic_in_use_is_not_deleted_and_the_reason_names_its_users(
    app: Flask, as_admin: Auth, admin: UserInfo, world: Structure
) -> None:
    with app.app_context():
        add_topic("Cloud")
        services.save_course(
            db.session.scalar(select(Course).where(Course.slug == world.course)), {"topic": "cloud"}
        )
        db.session.get(Module, world.modules[0]).topic_id = db.session.scalar(select(Topic.id))
        db.session.commit()
    confirm = as_admin.client.get("/manage/topics/cloud/delete").get_data(as_text=True)
    assert "courses ‘Basics’ use it" in confirm and "modules ‘Alpha’ use it" in confirm
    assert 'class="danger"' not in confirm  # no Delete button
    refused = post(as_admin, "/manage/topics/cloud/delete", {})
    assert refused.status_code == 302
    assert "is in use" in as_admin.client.get(refused.location).get_data(as_text=True)

    api = app.test_client().delete("/api/v1/topics/cloud", headers=bearer_headers(app, admin))
    assert api.status_code == 409
    assert "courses ‘Basics’ use it" in api.get_json()["detail"]
    assert [name for _, name in snapshot(app)[0]] == ["Cloud"]


def test_topics_over_the_api(app: Flask, admin: UserInfo) -> None:
    client, headers = app.test_client(), bearer_headers(app, admin)
    created = client.post("/api/v1/topics", json={"name": "Cloud Computing"}, headers=headers)
    assert created.status_code == 201
    assert created.get_json() == {"name": "Cloud Computing", "slug": "cloud-computing"}
    renamed = client.patch(
        "/api/v1/topics/cloud-computing", json={"name": "Cloud"}, headers=headers
    )
    assert renamed.get_json() == {"name": "Cloud", "slug": "cloud"}
    assert client.delete("/api/v1/topics/cloud", headers=headers).status_code == 204
    assert client.delete("/api/v1/topics/cloud", headers=headers).status_code == 404
    assert snapshot(app)[0] == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "a topic needs a name"),
        ("x" * 81, "at most 80 characters"),
        ("Existing", "already exists"),
        ("existing", "already exists"),
        ("!!!", "at least one letter or digit"),
    ],
    ids=["empty", "too-long", "duplicate", "duplicate-any-case", "no-letters"],
)
def test_topic_form_bad_input(app: Flask, as_admin: Auth, name: str, message: str) -> None:
    with app.app_context():
        add_topic("Existing")
        db.session.commit()
    before = snapshot(app)
    response = post(as_admin, "/manage/topics", {"name": name})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_error(html, "name")
    assert f'value="{escape(name)}"' in html
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": ""}, "a topic needs a name"),
        ({"name": "x" * 81}, "at most 80 characters"),
        ({"name": "Existing"}, "already exists"),
        ({"name": 5}, "string"),
        ({}, "required"),
        ({"name": "Fine", "slug": "fine"}, "unknown field"),
    ],
    ids=["empty", "too-long", "duplicate", "not-text", "missing", "unknown-field"],
)
def test_topic_api_bad_input(
    app: Flask, admin: UserInfo, body: dict[str, Any], message: str
) -> None:
    with app.app_context():
        add_topic("Existing")
        db.session.commit()
    before = snapshot(app)
    response = app.test_client().post(
        "/api/v1/topics", json=body, headers=bearer_headers(app, admin)
    )
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert (
        errors
        and message.lower() in errors[0]["message"].lower() + response.get_json()["detail"].lower()
    )
    assert snapshot(app) == before


# --------------------------------------------------------------------------- courses


def test_a_course_is_created_edited_and_its_modules_ordered_through_the_pages(
    app: Flask, as_admin: Auth, world: Structure
) -> None:
    alpha, beta, gamma = world.modules
    created = post(
        as_admin,
        "/manage/courses/new",
        {
            "title": "SEO Advanced",
            "slug": "",
            "description": "Links",
            "level": "advanced",
            "topic": "",
            "prerequisites": ["basics"],
        },
    )
    assert created.status_code == 302 and created.location.endswith("/manage/courses/seo-advanced")
    for module_id in (gamma, alpha, beta):
        assert (
            post(
                as_admin, "/manage/courses/seo-advanced/modules", {"add-item": str(module_id)}
            ).status_code
            == 302
        )
    assert course_modules(app, "seo-advanced") == [gamma, alpha, beta]

    moved = post(
        as_admin, f"/manage/courses/seo-advanced/modules/{gamma}/move", {"direction": "down"}
    )
    assert moved.status_code == 302 and moved.location.endswith(f"#item-{gamma}")
    assert course_modules(app, "seo-advanced") == [alpha, gamma, beta]
    page = as_admin.client.get(moved.location).get_data(as_text=True)
    assert "‘Gamma’ is now at position 2 of 3." in page
    post(as_admin, f"/manage/courses/seo-advanced/modules/{alpha}/move", {"direction": "up"})
    assert course_modules(app, "seo-advanced") == [alpha, gamma, beta]  # already first
    post(as_admin, f"/manage/courses/seo-advanced/modules/{beta}/move", {"direction": "up"})
    assert course_modules(app, "seo-advanced") == [alpha, beta, gamma]
    post(as_admin, f"/manage/courses/seo-advanced/modules/{alpha}/remove", {})
    assert course_modules(app, "seo-advanced") == [beta, gamma]

    edited = post(
        as_admin,
        "/manage/courses/seo-advanced",
        {
            "title": "SEO 2",
            "slug": "seo-2",
            "description": "",
            "level": "intermediate",
            "topic": "",
            "prerequisites": [],
        },
    )
    assert edited.status_code == 302 and edited.location.endswith("/manage/courses/seo-2")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "seo-2"))
        assert (course.title, course.level) == ("SEO 2", "intermediate")
        assert services.course_by_slug("seo-advanced") is None
    edit_page = as_admin.client.get("/manage/courses/seo-2").get_data(as_text=True)
    assert edit_page.count("<h1>") == 1 and 'data-field="modules"' in edit_page
    assert '="None"' not in edit_page  # no ARIA attribute without a value


def test_the_module_search_lists_matching_modules_not_yet_in_the_course(
    as_admin: Auth, world: Structure
) -> None:
    post(as_admin, f"/manage/courses/{world.course}/modules/{world.modules[1]}/remove", {})
    page = as_admin.client.get(f"/manage/courses/{world.course}?q=bet").get_data(as_text=True)
    add = page[page.index('id="add-item"') :]
    assert "Beta" in add[: add.index("</select>")] and "Alpha" not in add[: add.index("</select>")]


def test_a_prerequisite_cycle_and_the_course_itself_are_refused(
    app: Flask, as_admin: Auth, admin: UserInfo, world: Structure
) -> None:
    with app.app_context():
        services.save_course(None, {"title": "Middle", "prerequisites": ["basics"]})
        services.save_course(None, {"title": "Top", "prerequisites": ["middle"]})
        db.session.commit()
    before = snapshot(app)
    form = {
        "title": "Basics",
        "slug": "basics",
        "description": "",
        "level": "foundation",
        "topic": "",
    }
    response = post(as_admin, "/manage/courses/basics", {**form, "prerequisites": ["top"]})
    assert response.status_code == 400
    assert "cycle" in field_error(response.get_data(as_text=True), "prerequisites")
    api = app.test_client().patch(
        "/api/v1/courses/basics",
        json={"prerequisites": ["basics"]},
        headers=bearer_headers(app, admin),
    )
    assert api.status_code == 400
    assert api.get_json()["errors"] == [
        {"field": "prerequisites", "message": "a course cannot require itself"}
    ]
    assert snapshot(app) == before


def test_deleting_a_course_lists_what_goes_and_is_refused_while_a_program_has_it(
    app: Flask, as_admin: Auth, admin: UserInfo, world: Structure
) -> None:
    confirm = as_admin.client.get("/manage/courses/basics/delete").get_data(as_text=True)
    assert "its order of 3 modules" in confirm and "the program ‘Path’ contains it" in confirm
    refused = post(as_admin, "/manage/courses/basics/delete", {})
    assert refused.status_code == 302 and course_modules(app, "basics") == world.modules
    headers = bearer_headers(app, admin)
    api = app.test_client().delete("/api/v1/courses/basics", headers=headers)
    assert api.status_code == 409 and "the program ‘Path’ contains it" in api.get_json()["detail"]

    app.test_client().patch("/api/v1/programs/path", json={"courses": []}, headers=headers)
    assert post(as_admin, "/manage/courses/basics/delete", {}).status_code == 302
    with app.app_context():
        assert services.course_by_slug("basics") is None
        assert len(db.session.scalars(select(Module)).all()) == 3  # the modules stay


def test_courses_over_the_api(app: Flask, admin: UserInfo, world: Structure) -> None:
    client, headers = app.test_client(), bearer_headers(app, admin)
    alpha, beta, gamma = world.modules
    created = client.post(
        "/api/v1/courses",
        json={"title": "Deep Dive", "modules": [gamma, alpha], "prerequisites": ["basics"]},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.get_json() == {
        "slug": "deep-dive",
        "title": "Deep Dive",
        "description": "",
        "level": "foundation",
        "topic": None,
        "modules": [gamma, alpha],
        "prerequisites": ["basics"],
    }
    changed = client.patch(
        "/api/v1/courses/deep-dive", json={"modules": [alpha, beta, gamma]}, headers=headers
    )
    assert changed.get_json()["modules"] == [alpha, beta, gamma]
    assert course_modules(app, "deep-dive") == [alpha, beta, gamma]
    assert client.delete("/api/v1/courses/deep-dive", headers=headers).status_code == 204
    assert client.get("/api/v1/courses/deep-dive", headers=headers).status_code in (404, 405)


def test_instructors_create_courses_and_manage_only_their_own(
    app: Flask, make_user, world: Structure
) -> None:
    teacher, other = make_user("instructor"), make_user("instructor")
    learner = make_user("learner")
    client = app.test_client()
    mine = client.post(
        "/api/v1/courses", json={"title": "Mine"}, headers=bearer_headers(app, teacher)
    )
    assert mine.status_code == 201
    with app.app_context():
        assert services.course_by_slug("mine").created_by == teacher.id
    assert (
        client.patch(
            "/api/v1/courses/mine", json={"level": "advanced"}, headers=bearer_headers(app, teacher)
        ).status_code
        == 200
    )
    assert (
        client.patch(
            "/api/v1/courses/mine", json={"level": "advanced"}, headers=bearer_headers(app, other)
        ).status_code
        == 403
    )
    assert (
        client.patch(
            "/api/v1/courses/basics", json={}, headers=bearer_headers(app, teacher)
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/courses", json={"title": "Nope"}, headers=bearer_headers(app, learner)
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/programs", json={"title": "Nope"}, headers=bearer_headers(app, teacher)
        ).status_code
        == 403
    )
    auth = Auth(app.test_client())
    auth.login(teacher.email)
    listing = auth.client.get("/manage/courses").get_data(as_text=True)
    assert "Mine" in listing and "Basics" not in listing


COURSE_FORM = {"title": "Fine", "slug": "", "description": "", "level": "foundation", "topic": ""}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "title must not be empty"),
        ("title", "x" * 201, "at most 200 characters"),
        ("slug", "basics", "already exists"),
        ("slug", "Not A Slug", "lower-case letters"),
        ("slug", "x" * 121, "at most 120 characters"),
        ("slug", HTML, "lower-case letters"),
        ("description", "x" * 5001, "at most 5000 characters"),
        ("level", "expert", "level must be one of"),
        ("topic", "nowhere", "no topic with slug"),
        ("title", "!!!", "no letters or digits"),
        ("prerequisites", "missing", "no course with slug"),
    ],
    ids=[
        "empty-title",
        "long-title",
        "duplicate-slug",
        "bad-slug",
        "long-slug",
        "html-slug",
        "long-description",
        "unknown-level",
        "unknown-topic",
        "title-without-slug",
        "unknown-prerequisite",
    ],
)
def test_course_form_bad_input(
    app: Flask, as_admin: Auth, world: Structure, field: str, value: str, message: str
) -> None:
    before = snapshot(app)
    response = post(as_admin, "/manage/courses/new", {**COURSE_FORM, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    shown_at = "slug" if field == "title" and value == "!!!" else field
    assert message in field_error(html, shown_at)
    if field in ("title", "slug"):
        assert f'value="{escape(value)}"' in html
    elif field == "description":
        assert f"{escape(value)}</textarea>" in html
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"title": "Basics"}, "slug", "already exists"),
        ({"title": "Fine", "slug": "Bad Slug"}, "slug", "lower-case letters"),
        ({"title": "Fine", "description": "x" * 5001}, "description", "5000 characters"),
        ({"title": "Fine", "level": "expert"}, "level", "foundation"),
        ({"title": "Fine", "modules": [999999]}, "modules", "no module with id"),
        ({"title": "Fine", "modules": [1, 1]}, "modules", "listed twice"),
        ({"title": "Fine", "prerequisites": ["nope"]}, "prerequisites", "no course with slug"),
        ({"title": "Fine", "colour": "red"}, "colour", "unknown field"),
    ],
    ids=[
        "empty",
        "too-long",
        "duplicate-slug",
        "bad-slug",
        "long-description",
        "bad-level",
        "unknown-module",
        "module-twice",
        "unknown-prerequisite",
        "unknown-field",
    ],
)
def test_course_api_bad_input(
    app: Flask, admin: UserInfo, world: Structure, body: dict, field: str, message: str
) -> None:
    if body.get("modules") == [1, 1]:
        body = {**body, "modules": [world.modules[0], world.modules[0]]}
    before = snapshot(app)
    response = app.test_client().post(
        "/api/v1/courses", json=body, headers=bearer_headers(app, admin)
    )
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors[0]["field"] == field and message.lower() in errors[0]["message"].lower()
    assert snapshot(app) == before


def test_html_in_course_text_is_stored_as_text_and_shown_escaped(
    app: Flask, as_admin: Auth, world: Structure
) -> None:
    response = post(
        as_admin,
        "/manage/courses/new",
        {**COURSE_FORM, "title": HTML, "slug": "html", "description": HTML},
    )
    assert response.status_code == 302
    with app.app_context():
        course = services.course_by_slug("html")
        assert (course.title, course.description) == (HTML, HTML)
    for url in ("/courses/html", "/manage/courses/html", "/manage/courses"):
        html = as_admin.client.get(url).get_data(as_text=True)
        assert str(escape(HTML)) in html and "<script>alert(1)" not in html, url


# --------------------------------------------------------------------------- programs


PROGRAM_FORM = {
    "title": "Cloud Path",
    "slug": "",
    "description": "",
    "level": "foundation",
    "weeks": "12",
    "fee": "499.50",
    "currency": "EUR",
    "certificate": "Cloud Practitioner",
    "self_enrol": "y",
}


def test_a_program_is_created_edited_and_its_courses_ordered_through_the_pages(
    app: Flask, as_admin: Auth, world: Structure
) -> None:
    with app.app_context():
        services.save_course(None, {"title": "Second"})
        db.session.commit()
    created = post(as_admin, "/manage/programs/new", PROGRAM_FORM)
    assert created.status_code == 302 and created.location.endswith("/manage/programs/cloud-path")
    with app.app_context():
        program = services.program_by_slug("cloud-path")
        assert (program.fee_cents, program.currency, program.length_weeks) == (49950, "EUR", 12)
        assert program.self_enrol and program.certificate == "Cloud Practitioner"
    for slug in ("basics", "second"):
        post(as_admin, "/manage/programs/cloud-path/courses", {"add-item": slug})
    assert program_courses(app, "cloud-path") == ["basics", "second"]
    moved = post(as_admin, "/manage/programs/cloud-path/courses/second/move", {"direction": "up"})
    assert moved.location.endswith("#item-second")
    assert program_courses(app, "cloud-path") == ["second", "basics"]
    post(as_admin, "/manage/programs/cloud-path/courses/basics/remove", {})
    assert program_courses(app, "cloud-path") == ["second"]

    form = as_admin.client.get("/manage/programs/cloud-path").get_data(as_text=True)
    assert 'value="499.50"' in form
    edited = post(
        as_admin,
        "/manage/programs/cloud-path",
        {**PROGRAM_FORM, "slug": "cloud-path", "fee": "0", "currency": "JPY", "self_enrol": ""},
    )
    assert edited.status_code == 302
    with app.app_context():
        program = services.program_by_slug("cloud-path")
        assert (program.fee_cents, program.currency, program.self_enrol) == (0, "JPY", False)


def test_deleting_a_program_with_cohorts_needs_force(
    app: Flask, as_admin: Auth, admin: UserInfo, world: Structure
) -> None:
    with app.app_context():
        program = services.program_by_slug("path")
        db.session.add(Cohort(program_id=program.id, name="Spring", starts_on=date(2027, 3, 1)))
        services.enrol(db.session.get(User, admin.id), program)
        db.session.commit()
    confirm = as_admin.client.get("/manage/programs/path/delete").get_data(as_text=True)
    assert "1 cohort runs it" in confirm and "1 enrolment" in confirm
    assert 'name="force"' in confirm
    headers = bearer_headers(app, admin)
    api = app.test_client().delete("/api/v1/programs/path", headers=headers)
    assert api.status_code == 409 and "1 cohort runs it" in api.get_json()["detail"]
    post(as_admin, "/manage/programs/path/delete", {})
    assert program_courses(app, "path") == ["basics"]
    assert post(as_admin, "/manage/programs/path/delete", {"force": "1"}).status_code == 302
    with app.app_context():
        assert services.program_by_slug("path") is None
        assert db.session.scalars(select(Cohort)).all() == []
        assert db.session.scalars(select(Enrollment)).all() == []
        assert services.course_by_slug("basics") is not None


def test_a_forced_delete_keeps_issued_certificates(
    app: Flask, admin: UserInfo, world: Structure
) -> None:
    with app.app_context():
        issue_certificate(db.session.get(User, admin.id), services.program_by_slug("path"))
        db.session.commit()
    client, headers = app.test_client(), bearer_headers(app, admin)
    refused = client.delete("/api/v1/programs/path", headers=headers)
    assert refused.status_code == 409 and "certificate" in refused.get_json()["detail"]
    assert client.delete("/api/v1/programs/path?force=true", headers=headers).status_code == 204
    with app.app_context():
        (certificate,) = db.session.scalars(select(Certificate)).all()
        assert certificate.program_id is None


def test_programs_over_the_api(app: Flask, admin: UserInfo, world: Structure) -> None:
    client, headers = app.test_client(), bearer_headers(app, admin)
    created = client.post(
        "/api/v1/programs",
        json={
            "title": "Data",
            "fee": "12.30",
            "currency": "usd",
            "weeks": 4,
            "self_enrol": False,
            "courses": ["basics"],
            "certificate": "Data Pro",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (
        body["slug"] == "data" and body["fee"]["cents"] == 1230 and body["fee"]["currency"] == "USD"
    )
    assert body["courses"] == ["basics"] and body["self_enrol"] is False
    changed = client.patch(
        "/api/v1/programs/data", json={"title": "Data 2", "courses": []}, headers=headers
    )
    assert changed.get_json()["title"] == "Data 2" and changed.get_json()["courses"] == []
    assert client.delete("/api/v1/programs/data", headers=headers).status_code == 204
    assert client.patch("/api/v1/programs/data", json={}, headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "title must not be empty"),
        ("title", "x" * 201, "at most 200 characters"),
        ("slug", "path", "already exists"),
        ("slug", HTML, "lower-case letters"),
        ("description", "x" * 5001, "at most 5000 characters"),
        ("fee", "-1", "zero or more"),
        ("fee", "1.234", "two decimals"),
        ("fee", "ten", "not a number"),
        ("currency", "ABC", "ISO 4217"),
        ("weeks", "999", "From 0 to 520 weeks"),
        ("certificate", "x" * 201, "at most 200 characters"),
    ],
    ids=[
        "empty-title",
        "long-title",
        "duplicate-slug",
        "html-slug",
        "long-description",
        "negative-fee",
        "fee-fractions",
        "fee-text",
        "unknown-currency",
        "too-many-weeks",
        "long-certificate",
    ],
)
def test_program_form_bad_input(
    app: Flask, as_admin: Auth, world: Structure, field: str, value: str, message: str
) -> None:
    before = snapshot(app)
    response = post(as_admin, "/manage/programs/new", {**PROGRAM_FORM, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in field_error(html, field)
    if field in ("title", "slug", "fee", "certificate", "weeks"):
        assert f'value="{escape(value)}"' in html
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"title": "Path"}, "slug", "already exists"),
        ({"title": "Fine", "fee": "-5.00"}, "fee", "zero or more"),
        ({"title": "Fine", "fee": "1.001"}, "fee", "two decimals"),
        ({"title": "Fine", "currency": "ABC"}, "currency", "ISO 4217"),
        ({"title": "Fine", "weeks": -1}, "weeks", "from 0 to"),
        ({"title": "Fine", "courses": ["nope"]}, "courses", "no course with slug"),
        ({"title": "Fine", "self_enrol": "yes"}, "self_enrol", "boolean"),
    ],
    ids=[
        "empty",
        "too-long",
        "duplicate-slug",
        "negative-fee",
        "fee-fractions",
        "unknown-currency",
        "negative-weeks",
        "unknown-course",
        "not-a-boolean",
    ],
)
def test_program_api_bad_input(
    app: Flask, admin: UserInfo, world: Structure, body: dict, field: str, message: str
) -> None:
    before = snapshot(app)
    response = app.test_client().post(
        "/api/v1/programs", json=body, headers=bearer_headers(app, admin)
    )
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors[0]["field"] == field and message.lower() in errors[0]["message"].lower()
    assert snapshot(app) == before


def test_html_in_program_text_is_stored_as_text_and_shown_escaped(
    app: Flask, as_admin: Auth, world: Structure
) -> None:
    form = {**PROGRAM_FORM, "title": HTML, "slug": "html", "description": HTML, "certificate": HTML}
    assert post(as_admin, "/manage/programs/new", form).status_code == 302
    with app.app_context():
        program = services.program_by_slug("html")
        assert (program.title, program.description, program.certificate) == (HTML, HTML, HTML)
    for url in ("/programs/html", "/programs", "/manage/programs/html", "/manage/programs"):
        html = (
            app.test_client().get(url) if url.startswith("/programs") else as_admin.client.get(url)
        )
        text = html.get_data(as_text=True)
        assert str(escape(HTML)) in text and "<script>alert(1)" not in text, url


def test_learners_get_403_on_every_manage_page(app: Flask, make_user, world: Structure) -> None:
    learner = make_user("learner")
    auth = Auth(app.test_client())
    auth.login(learner.email)
    for url in (
        "/manage/topics",
        "/manage/courses",
        "/manage/programs",
        "/manage/courses/basics",
        "/manage/programs/path",
        "/manage/vendor/sortable.esm.js",
    ):
        assert auth.client.get(url).status_code == 403, url


def test_the_sortable_module_is_served_as_javascript(app: Flask, as_admin: Auth) -> None:
    response = as_admin.client.get("/manage/vendor/sortable.esm.js")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"export default Sortable" in body
    assert as_admin.client.get("/manage/vendor/other.js").status_code == 404


# --------------------------------------------------------------------------- enrolments
# Who is enrolled in a program (what `flask learning enrol` did): an admin enrols an
# existing account by e-mail, company programs included, and ends an enrolment (the
# person's progress stays).

ENROL = "/manage/programs/path/enrollments"


def _enrolled(app: Flask) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(Enrollment.user_id)))


def _enrol_error(html: str) -> str:
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

    answer = post(as_admin, ENROL, {"enrol-email": learner.email.upper()})

    assert answer.status_code == 302
    assert _enrolled(app) == [learner.id]
    page = as_admin.client.get("/manage/programs/path").get_data(as_text=True)
    assert learner.email in page
    again = post(as_admin, ENROL, {"enrol-email": learner.email})
    assert again.status_code == 302 and _enrolled(app) == [learner.id]

    ended = post(as_admin, f"/manage/programs/path/enrollments/{learner.id}/remove", {})

    assert ended.status_code == 302
    assert _enrolled(app) == []
    assert (
        post(as_admin, f"/manage/programs/path/enrollments/{learner.id}/remove", {}).status_code
        == 404
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
    answer = post(as_admin, ENROL, {"enrol-email": typed})

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in unescape(_enrol_error(html))
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

    assert post(auth, ENROL, {"enrol-email": learner.email}).status_code == 403
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
