"""Projects (issue 21): rubric and late-penalty rules on fixed data, hand-ins checked by
their content, files served as attachments to their author and graders only, grading,
history, notifications, the certificate requirement and report grades (bad input and the
API: tests/test_projects_input.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.auth import Auth
from tests.support.projects import (
    HTML,
    PDF,
    PNG,
    School,
    counts,
    grade,
    hand_in,
    latest,
    make_project,
    make_school,
    page_token,
    stored_keys,
)
from tests.support.waiting import wait_until
from webapp.certificates import queries as certificate_queries
from webapp.certificates import services as certificate_services
from webapp.certificates.rules import Facts, Rule, evaluate
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import (
    Certificate,
    Delivery,
    LatePolicy,
    Notification,
    Program,
    Project,
    ProjectSubmission,
    SubmissionItem,
    SubmissionStatus,
    User,
)
from webapp.projects import rules, services
from webapp.projects.files import FileRefused, check_link, kind_of, safe_name


@pytest.fixture
def school(app: Flask) -> School:
    return make_school(app)


# --------------------------------------------------------------------------- pure rules


def test_rubric_text_round_trip_and_points() -> None:
    specs = rules.parse_rubric(
        "Layout | Missing = 0 | Adequate = 3 | Polished = 5\n\nCopy|Weak=0|Clear=4"
    )
    assert [c.title for c in specs] == ["Layout", "Copy"]
    assert [(lv.title, lv.points) for lv in specs[0].levels] == [
        ("Missing", 0),
        ("Adequate", 3),
        ("Polished", 5),
    ]
    assert rules.max_points(specs) == 9  # 5 + 4
    assert rules.parse_rubric(rules.rubric_text(specs)) == specs
    # Adequate (3) + Clear (4) = 7
    assert rules.rubric_points({1: 3, 2: 4}, [1, 2]) == 7


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one criterion"),
        ("Layout", "at least two levels"),
        ("Layout | Good | Better = 2", "“Name = points”"),
        ("Layout | A = 1 | A = 2", "same name"),
        ("Layout | A = -1 | B = 2", "points go from 0"),
        ("Layout | A = 0 | B = 2\nLayout | A = 0 | B = 1", "same name"),
    ],
)
def test_bad_rubrics_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(rules.RubricError, match=message):
        rules.parse_rubric(text)


def test_late_days_and_penalty_on_fixed_data() -> None:
    due = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
    assert rules.days_late(due, due) == 0
    assert rules.days_late(due - timedelta(hours=3), due) == 0
    assert rules.days_late(due + timedelta(minutes=1), due) == 1  # a started day counts
    assert rules.days_late(due + timedelta(days=1), due) == 1
    assert rules.days_late(due + timedelta(days=1, seconds=1), due) == 2
    # 9 points, 2 days late at 10 % a day: 9 × 0.8 = 7.2
    assert rules.penalty_percent(2, 10) == 20
    assert rules.final_points(9, 2, 10) == 7.2
    # 7 points, 3 days at 15 %: 7 × 0.55 = 3.85
    assert rules.final_points(7, 3, 15) == 3.85
    # The penalty stops at 100 %: never negative points.
    assert rules.penalty_percent(12, 10) == 100 and rules.final_points(9, 12, 10) == 0
    assert rules.final_points(9, 0, 10) == 9
    assert rules.passed(5.0, 5) and not rules.passed(4.99, 5) and not rules.passed(None, 0)


def test_content_sniffing_decides_the_type_never_the_name() -> None:
    assert kind_of(PDF) == "pdf" and kind_of(PNG) == "png"
    assert kind_of(b"# Notes\n\nPlain *Markdown*.\n") == "txt"
    assert kind_of(HTML) is None
    assert kind_of(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert kind_of(b"MZ\x90\x00" + b"\x00" * 60) is None  # not text, no allowed magic
    assert safe_name("report.pdf", "pdf") == "report.pdf"
    assert safe_name("../../notes.html", "txt") == "notes.html.txt"
    assert safe_name("photo.pdf", "png") == "photo.pdf.png"
    assert check_link(" https://example.com/page ") == "https://example.com/page"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.org", "https://", "http://a b"):
        with pytest.raises(FileRefused):
            check_link(bad)


def test_the_certificate_rule_asks_for_projects() -> None:
    rule = Rule(module_ids=(), project_ids=(7,))
    facts = Facts(watched={}, durations={}, module_titles={}, project_titles={7: "Landing page"})
    assert evaluate(rule, facts).missing == ("Pass the project ‘Landing page’",)
    passed = Facts(watched={}, durations={}, module_titles={}, projects_passed={7})
    assert evaluate(rule, passed).met


# --------------------------------------------------------------------------- pages


def test_instructor_sets_edits_and_deletes_a_project_in_the_cohort_zone(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    auth.login(school.instructor.email)
    page = client.get(f"/manage/cohorts/{school.cohort_id}").get_data(as_text=True)
    assert "New project" in page
    url = f"/manage/cohorts/{school.cohort_id}/projects/new"
    form = {
        "csrf_token": page_token(client, url),
        "title": "Landing page",
        "brief": "Build a **page**.",
        "due_at": "2027-03-01T17:00",
        "rubric": "Layout | Missing = 0 | Polished = 5",
        "pass_mark": "9",  # more than the rubric's best: refused, what was typed kept
        "late_policy": "penalty",
        "penalty_percent": "10",
    }
    refused = client.post(url, data=form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "The pass mark goes from 0 to 5" in html and "Build a **page**." in html
    form["pass_mark"] = "3"
    made = client.post(url, data=form)
    assert made.status_code == 302
    with app.app_context():
        project = db.session.scalars(select(Project)).one()
        # 17:00 in Berlin (CET, UTC+1) is 16:00 UTC.
        assert project.due_at.replace(tzinfo=UTC) == datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
        assert project.late_policy == LatePolicy.PENALTY and project.penalty_percent == 10
        project_id = project.id
    shown = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Mon 01 Mar 2027, 17:00 CET" in shown and "<strong>page</strong>" in shown
    assert "Landing page" in client.get(f"/manage/cohorts/{school.cohort_id}").get_data(
        as_text=True
    )
    edit = f"/manage/projects/{project_id}/edit"
    assert 'value="2027-03-01T17:00"' in client.get(edit).get_data(as_text=True)
    form["csrf_token"] = page_token(client, edit)
    form["title"] = "Landing page v2"
    assert client.post(edit, data=form).status_code == 302
    delete = f"/manage/projects/{project_id}/delete"
    assert client.post(delete, data={"csrf_token": page_token(client, delete)}).status_code == 302
    assert counts(app)[0] == 0


def test_learner_hands_in_instructor_grades_returns_and_accepts(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    due = datetime.now(UTC) - timedelta(days=1, hours=2)  # handed in 2 started days late
    project_id = make_project(
        app, school.cohort_id, due_at=due, late_policy=LatePolicy.PENALTY, penalty_percent=10
    )
    auth.login(school.learner.email)
    learner_page = client.get(f"/cohorts/{school.cohort_id}").get_data(as_text=True)
    assert f"/projects/{project_id}" in learner_page
    first = hand_in(client, project_id, [(PDF, "page.pdf")], "https://example.com/site")
    assert first.status_code == 302, first.get_data(as_text=True)
    v1 = latest(app, project_id, school.learner.id)
    assert v1 is not None and v1.days_late == 2 and v1.version == 1
    with app.app_context():
        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == school.instructor.id)
        ).all()
        assert [(n.kind, n.delivery) for n in notes] == [("project.submitted", Delivery.DIGEST)]
    auth.logout()

    auth.login(school.instructor.email)
    overview = client.get(f"/manage/projects/{project_id}").get_data(as_text=True)
    assert "To grade" in overview
    # Polished (5) + Clear (4) = 9, less 2 days × 10 % → 7.2; returned for revision.
    returned = grade(
        client, app, v1.id, project_id, {"Layout": "Polished", "Copy": "Clear"}, "return"
    )
    assert returned.status_code == 302, returned.get_data(as_text=True)
    v1 = latest(app, project_id, school.learner.id)
    assert (v1.status, v1.points, v1.penalty_percent, v1.final_points) == ("returned", 9, 20, 7.2)
    with app.app_context():
        told = db.session.scalars(
            select(Notification).where(Notification.user_id == school.learner.id)
        ).all()
        assert [(n.kind, n.delivery) for n in told] == [("project.returned", Delivery.NOW)]
    auth.logout()

    auth.login(school.learner.email)
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Returned for revision" in page and "7.2 points" in page and "About Layout" in page
    second = hand_in(client, project_id, [(b"# Changes\n\nFixed the copy.\n", "changes.md")])
    assert second.status_code == 302
    v2 = latest(app, project_id, school.learner.id)
    assert v2.version == 2 and v2.days_late == 2
    auth.logout()

    auth.login(school.instructor.email)
    history = client.get(f"/manage/submissions/{v2.id}").get_data(as_text=True)
    assert "Version 2" in history and "Version 1" in history and "page.pdf" in history
    # Adequate (3) + Clear (4) = 7 → 7 × 0.8 = 5.6, at least the pass mark 5.
    accepted = grade(client, app, v2.id, project_id, {"Layout": "Adequate", "Copy": "Clear"})
    assert accepted.status_code == 302
    v2 = latest(app, project_id, school.learner.id)
    assert (v2.status, v2.points, v2.final_points) == ("accepted", 7, 5.6)
    # The first version is kept as it was graded.
    with app.app_context():
        versions = db.session.scalars(
            select(ProjectSubmission).order_by(ProjectSubmission.version)
        ).all()
        assert [(v.version, v.status.value, v.final_points) for v in versions] == [
            (1, "returned", 7.2),
            (2, "accepted", 5.6),
        ]
        assert certificate_queries.projects_passed(school.learner.id, [project_id]) == {project_id}
    # An accepted version cannot be graded again, and the learner hands in no more.
    again = grade(client, app, v2.id, project_id, {"Layout": "Polished", "Copy": "Clear"})
    assert again.status_code == 400
    auth.logout()
    auth.login(school.learner.email)
    assert (
        "Hand in"
        not in client.get(f"/projects/{project_id}")
        .get_data(as_text=True)
        .split("Your versions")[0]
        .split("</section>", 1)[1]
    )


def test_later_versions_keep_the_first_versions_lateness(app: Flask, school: School) -> None:
    """A version asked for by "return for revision" is never late, however late it comes
    (``now`` is passed: a moved clock would skew the S3 request signatures)."""
    due = datetime.now(UTC) + timedelta(hours=1)
    project_id = make_project(app, school.cohort_id, due_at=due, late_policy=LatePolicy.REFUSE)
    with app.app_context(), app.test_request_context():
        project = db.session.get_one(Project, project_id)
        learner = db.session.get_one(User, school.learner.id)
        first = services.submit(project, learner, [], ["https://example.com/1"], 1024)
        first.status = SubmissionStatus.RETURNED
        later = services.submit(
            project, learner, [], ["https://example.com/2"], 1024, now=due + timedelta(days=3)
        )
        assert (first.days_late, later.days_late, later.version) == (0, 0, 2)
        db.session.rollback()


def test_refuse_policy_turns_away_a_late_first_hand_in(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    due = datetime.now(UTC) - timedelta(minutes=5)
    project_id = make_project(app, school.cohort_id, due_at=due, late_policy=LatePolicy.REFUSE)
    auth.login(school.learner.email)
    refused = hand_in(client, project_id, [(PDF, "late.pdf")])
    assert refused.status_code == 400
    assert "takes no more work" in refused.get_data(as_text=True)
    assert counts(app)[1:] == (0, 0, 0) and stored_keys(app, project_id) == []


# --------------------------------------------------------------------------- uploads


def test_uploads_are_sniffed_and_capped_and_nothing_is_kept_on_refusal(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    auth.login(school.learner.email)
    disguised = hand_in(client, project_id, [(PDF, "fine.pdf"), (HTML, "report.pdf")])
    assert disguised.status_code == 400
    html = disguised.get_data(as_text=True)
    assert "“report.pdf” is not a file type we accept" in html
    assert counts(app)[1:] == (0, 0, 0) and stored_keys(app, project_id) == []

    app.config["PROJECT_FILE_MAX_BYTES"] = 1024
    try:
        oversize = hand_in(client, project_id, [(PDF + b" " * 2000, "big.pdf")])
    finally:
        app.config.pop("PROJECT_FILE_MAX_BYTES")
    assert oversize.status_code == 400 and "larger than" in oversize.get_data(as_text=True)
    assert counts(app)[1:] == (0, 0, 0) and stored_keys(app, project_id) == []

    exe = hand_in(client, project_id, [(b"MZ\x90\x00" + b"\x00" * 200, "tool.txt")])
    assert exe.status_code == 400 and stored_keys(app, project_id) == []

    ok = hand_in(client, project_id, [(PNG, "shot.png"), (b"Plain notes", "notes.html")])
    assert ok.status_code == 302
    assert len(stored_keys(app, project_id)) == 2
    with app.app_context():
        items = db.session.scalars(select(SubmissionItem).order_by(SubmissionItem.id)).all()
        assert [(i.name, i.content_type) for i in items] == [
            ("shot.png", "image/png"),
            ("notes.html.txt", "text/plain; charset=utf-8"),
        ]


def test_files_are_attachments_for_their_author_and_graders_only(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(b"# Read me\n", "readme.md")]).status_code == 302
    with app.app_context():
        item_id = db.session.scalars(select(SubmissionItem.id)).one()
    url = f"/projects/files/{item_id}"
    for who in (school.learner, school.instructor, school.admin):
        auth.login(who.email)
        got = client.get(url)
        assert got.status_code == 200, who
        assert got.data == b"# Read me\n"
        assert got.headers["Content-Disposition"].startswith('attachment; filename="readme.md"')
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
        auth.logout()
    for who in (school.peer, school.outsider, school.other_instructor):
        auth.login(who.email)
        assert client.get(url).status_code == 404, who
        auth.logout()
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    auth.login(school.learner.email)
    assert client.get("/projects/files/999999").status_code == 404


def test_who_may_open_which_page(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "a.pdf")]).status_code == 302
    submission = latest(app, project_id, school.learner.id)
    expected = {
        school.learner.email: (200, 403, 403),
        school.peer.email: (200, 403, 403),
        school.outsider.email: (404, 404, 404),
        school.other_instructor.email: (404, 404, 404),
        school.instructor.email: (200, 200, 200),
        school.admin.email: (200, 200, 200),
    }
    for email, (page, manage, grading) in expected.items():
        auth.login(email)
        got = (
            client.get(f"/projects/{project_id}").status_code,
            client.get(f"/manage/projects/{project_id}").status_code,
            client.get(f"/manage/submissions/{submission.id}").status_code,
        )
        assert got == (page, manage, grading), email
        auth.logout()
    auth.login(school.instructor.email)
    token = page_token(client, f"/manage/projects/{project_id}/edit")
    instructor_hand_in = client.post(
        f"/projects/{project_id}/submit",
        data={"csrf_token": token, "links": "https://example.com"},
    )
    assert instructor_hand_in.status_code == 403


# --------------------------------------------------------------------------- certificates


def test_the_rule_edit_page_and_api_take_projects(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    other = make_project(app, school.other_cohort_id, title="Elsewhere")
    auth.login(school.admin.email)
    slug = school.program_slug
    page = client.get(f"/manage/programs/{slug}/certificate").get_data(as_text=True)
    assert "Projects to pass" in page and "Landing page" in page and "Elsewhere" not in page
    headers = auth.json_headers()
    refused = client.put(
        f"/api/v1/programs/{slug}/certificate-rule", headers=headers, json={"projects": [other]}
    )
    assert refused.status_code == 422
    saved = client.put(
        f"/api/v1/programs/{slug}/certificate-rule",
        headers=headers,
        json={"projects": [project_id]},
    )
    assert saved.status_code == 200 and saved.get_json()["projects"] == [project_id]
    with app.app_context():
        verdict = certificate_queries.verdict_of(school.learner.id, school.program_id)
        assert verdict.missing == ("Pass the project ‘Landing page’",)
    form_page = client.get(f"/manage/programs/{slug}/certificate").get_data(as_text=True)
    assert re.search(
        rf'value="{project_id}"[^>]*checked|checked[^>]*value="{project_id}"', form_page
    )


@pytest.mark.worker
def test_accepting_a_passing_project_issues_the_certificate(
    app: Flask, client: FlaskClient, auth: Auth, school: School, celery_worker
) -> None:
    project_id = make_project(app, school.cohort_id, pass_mark=8)
    with app.app_context():
        program = db.session.get_one(Program, school.program_id)
        learning.enrol(db.session.get_one(User, school.learner.id), program, admin=True)
        certificate_services.save_rule(
            program,
            min_watched_percent=90,
            min_classes=0,
            module_ids=[],
            exam_ids=[],
            allowed_modules=[],
            allowed_exams=[],
            project_ids=[project_id],
            allowed_projects=[project_id],
        )
        db.session.commit()

    def certificates() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Certificate)) or 0

    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "a.pdf")]).status_code == 302
    auth.logout()
    auth.login(school.instructor.email)
    v1 = latest(app, project_id, school.learner.id)
    # 3 + 4 = 7 < 8: returned, no certificate.
    grade(client, app, v1.id, project_id, {"Layout": "Adequate", "Copy": "Clear"}, "return")
    auth.logout()
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "b.pdf")]).status_code == 302
    auth.logout()
    auth.login(school.instructor.email)
    v2 = latest(app, project_id, school.learner.id)
    assert certificates() == 0
    # 5 + 4 = 9 ≥ 8, accepted: the grade's commit issues the certificate.
    accepted = grade(client, app, v2.id, project_id, {"Layout": "Polished", "Copy": "Clear"})
    assert accepted.status_code == 302
    wait_until(lambda: certificates() == 1, timeout=60, message="no certificate issued")


# --------------------------------------------------------------------------- reports


def test_reports_show_and_export_project_grades(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "a.pdf")]).status_code == 302
    auth.logout()
    auth.login(school.instructor.email)
    v1 = latest(app, project_id, school.learner.id)
    grade(client, app, v1.id, project_id, {"Layout": "Polished", "Copy": "Weak"})
    report = client.get(f"/reports/cohorts/{school.cohort_id}").get_data(as_text=True)
    assert "Project grades" in report and "Landing page" in report
    exported = client.get(f"/reports/cohorts/{school.cohort_id}/export.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-2:] == ["Project: Landing page (points)", "Projects passed"]
    by_email = {r[1]: r for r in rows[1:]}
    assert by_email[school.learner.email][-2:] == ["5.0", "1"]  # 5 + 0 = 5, pass mark 5
    assert by_email[school.peer.email][-2:] == ["", "0"]
    # Another cohort's instructor sees neither the report nor the grades.
    auth.logout()
    auth.login(school.other_instructor.email)
    assert client.get(f"/reports/cohorts/{school.cohort_id}").status_code == 404
