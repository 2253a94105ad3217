"""Projects (issue 21): bad input for every page and API route (a 1 MB post, forged
points, a level of another criterion or project, ids that do not exist, ``<script>`` in
every text, ``javascript:`` links) gets a clear 4xx and changes nothing; the API's
project and grading."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.projects import (
    PDF,
    School,
    counts,
    grade,
    hand_in,
    latest,
    make_project,
    make_school,
    page_token,
    rubric_ids,
)


@pytest.fixture
def school(app: Flask) -> School:
    return make_school(app)


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    other_project = make_project(app, school.other_cohort_id, title="Other")
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "a.pdf")]).status_code == 302
    submission = latest(app, project_id, school.learner.id)
    before = counts(app)
    for links in ("javascript:alert(1)", "data:text/html,x", "ftp://example.com"):
        got = hand_in(client, project_id, [], links)
        assert got.status_code == 400 and "is not an http:// or https:// link" in got.get_data(
            as_text=True
        )
    script = hand_in(client, project_id, [], "<script>alert(1)</script>")
    assert script.status_code == 400 and "HTML tags are not allowed" in script.get_data(
        as_text=True
    )
    empty = hand_in(client, project_id, [])
    assert empty.status_code == 400 and "Add a file or a link" in empty.get_data(as_text=True)
    # 1 MB of form text on a route that takes files: refused by the form, nothing kept.
    token = page_token(client, f"/projects/{project_id}")
    big = client.post(
        f"/projects/{project_id}/submit",
        data={"csrf_token": token, "links": "https://example.com/" + "a" * 1_000_000},
    )
    assert big.status_code in (400, 413)
    assert counts(app) == before
    auth.logout()

    auth.login(school.instructor.email)
    rubric = rubric_ids(app, project_id)
    other = rubric_ids(app, other_project)
    url = f"/manage/submissions/{submission.id}"
    cases = {
        "forged points": {"points": "1000"},
        "a level of another criterion": {
            f"level_{rubric['Layout']['_id']}": str(rubric["Copy"]["Clear"])
        },
        "a level of another project": {
            f"level_{rubric['Layout']['_id']}": str(other["Layout"]["Polished"])
        },
        "a level that does not exist": {f"level_{rubric['Layout']['_id']}": "999999"},
        "a level that is no number": {f"level_{rubric['Layout']['_id']}": "best"},
        "<script> in the comment": {"comment": "<script>alert(1)</script>"},
        "<script> in a criterion comment": {
            f"comment_{rubric['Copy']['_id']}": "<SCRIPT src=x></script>"
        },
        "a comment over its length": {"comment": "x" * 5001},
    }
    for label, change in cases.items():
        got = grade(
            client,
            app,
            submission.id,
            project_id,
            {"Layout": "Polished", "Copy": "Clear"},
            extra=change,
        )
        assert got.status_code == 400, label
        assert "Nothing was saved" in got.get_data(as_text=True), label
        assert counts(app) == before, label
        assert latest(app, project_id, school.learner.id).status == "submitted", label
    huge_grade = client.post(url, data={"comment": "x" * 1_100_000, "csrf_token": "t"})
    assert huge_grade.status_code == 413 and counts(app) == before
    missing = client.post(url, data={"csrf_token": page_token(client, url), "accept": "x"})
    assert missing.status_code == 400 and "Choose a level" in missing.get_data(as_text=True)
    no_csrf = client.post(url, data={"accept": "x"})
    assert no_csrf.status_code == 400
    assert client.get("/manage/submissions/999999").status_code == 404
    assert client.get("/manage/projects/999999/edit").status_code == 404
    assert client.get("/manage/cohorts/999999/projects/new").status_code == 404

    new = f"/manage/cohorts/{school.cohort_id}/projects/new"
    base = {
        "title": "T",
        "brief": "",
        "due_at": "2027-03-01T17:00",
        "rubric": "A | x = 0 | y = 1",
        "pass_mark": "1",
        "late_policy": "accept",
        "penalty_percent": "",
    }
    project_cases = {
        "<script> in the title": {"title": "<script>alert(1)</script>"},
        "<script> in the brief": {"brief": "Hi <script>alert(1)</script>"},
        "<script> in the rubric": {"rubric": "A | <script> = 0 | y = 1"},
        "a bad rubric": {"rubric": "A | only one = 1"},
        "a penalty without percent": {"late_policy": "penalty"},
        "an unknown policy": {"late_policy": "whenever"},
        "no due date": {"due_at": "tomorrow"},
        "a title on two lines": {"title": "a\nb"},
    }
    for label, change in project_cases.items():
        data = base | change | {"csrf_token": page_token(client, new)}
        got = client.post(new, data=data)
        assert got.status_code == 400, label
        assert counts(app) == before, label
    huge = client.post(new, data=base | {"brief": "x" * 1_100_000, "csrf_token": "t"})
    assert huge.status_code == 413
    assert counts(app) == before


# --------------------------------------------------------------------------- API


def test_api_shows_the_project_and_grades_with_the_rubric(
    app: Flask, client: FlaskClient, auth: Auth, school: School
) -> None:
    project_id = make_project(app, school.cohort_id)
    auth.login(school.learner.email)
    assert hand_in(client, project_id, [(PDF, "a.pdf")], "https://example.com").status_code == 302
    mine = client.get(f"/api/v1/projects/{project_id}").get_json()
    assert mine["time_zone"] == "Europe/Berlin" and mine["max_points"] == 9
    assert mine["brief_html"] == "<p>Build a <strong>landing page</strong>.</p>"
    assert [c["title"] for c in mine["criteria"]] == ["Layout", "Copy"]
    [version] = mine["versions"]
    assert version["status"] == "submitted" and version["links"] == ["https://example.com"]
    assert version["files"][0].startswith("/projects/files/")
    auth.logout()
    auth.login(school.peer.email)
    assert client.get(f"/api/v1/projects/{project_id}").get_json()["versions"] == []
    auth.logout()

    auth.login(school.instructor.email)
    rubric = rubric_ids(app, project_id)
    other = rubric_ids(app, make_project(app, school.other_cohort_id, title="Other"))
    url = f"/api/v1/project-submissions/{version['id']}/grade"
    layout, copy = rubric["Layout"], rubric["Copy"]

    def body(**change: object) -> dict[str, object]:
        return {
            "scores": [
                {"criterion_id": layout["_id"], "level_id": layout["Polished"]},
                {"criterion_id": copy["_id"], "level_id": copy["Weak"], "comment": "Wordy."},
            ],
            "decision": "accept",
        } | change

    before = counts(app)
    bad = {
        "forged points": (body(points=1000), "points"),
        "forged final points": (body(final_points=9), "final_points"),
        "a level of another criterion": (
            body(scores=[{"criterion_id": layout["_id"], "level_id": copy["Clear"]}]),
            "scores",
        ),
        "a level of another project": (
            body(
                scores=[
                    {"criterion_id": layout["_id"], "level_id": other["Layout"]["Polished"]},
                    {"criterion_id": copy["_id"], "level_id": copy["Weak"]},
                ]
            ),
            "scores",
        ),
        "a criterion of another project": (
            body(
                scores=[
                    {"criterion_id": layout["_id"], "level_id": layout["Polished"]},
                    {"criterion_id": copy["_id"], "level_id": copy["Weak"]},
                    {"criterion_id": other["Copy"]["_id"], "level_id": other["Copy"]["Weak"]},
                ]
            ),
            "scores",
        ),
        "a level that does not exist": (
            body(scores=[{"criterion_id": layout["_id"], "level_id": 999999}]),
            "scores",
        ),
        "a level id as text": (
            body(scores=[{"criterion_id": layout["_id"], "level_id": "5"}]),
            "scores.0.level_id",
        ),
        "an unknown decision": (body(decision="maybe"), "decision"),
        "<script> in the comment": (body(comment="<script>alert(1)</script>"), "comment"),
        "<script> in a criterion comment": (
            body(
                scores=[
                    {"criterion_id": layout["_id"], "level_id": layout["Polished"]},
                    {"criterion_id": copy["_id"], "level_id": copy["Weak"], "comment": "<script>"},
                ]
            ),
            "scores.1.comment",
        ),
        "a comment over its length": (body(comment="x" * 5001), "comment"),
    }
    for label, (sent, field) in bad.items():
        got = client.post(url, headers=auth.json_headers(), json=sent)
        assert got.status_code == 400, (label, got.get_json())
        named = [e["field"] for e in got.get_json().get("errors", [])]
        assert any(n == field or n.startswith(field + ".") for n in named), (label, named)
        assert counts(app) == before, label
    huge = client.post(url, headers=auth.json_headers(), data="{" + " " * 1_100_000 + "}")
    assert huge.status_code == 413 and counts(app) == before
    missing = client.post(
        "/api/v1/project-submissions/999999/grade", headers=auth.json_headers(), json=body()
    )
    assert missing.status_code == 404
    done = client.post(url, headers=auth.json_headers(), json=body())
    assert done.status_code == 200, done.get_json()
    graded = done.get_json()
    # Polished (5) + Weak (0) = 5, on time: 5 points, the pass mark.
    assert (graded["status"], graded["points"], graded["final_points"]) == ("accepted", 5, 5.0)
    assert graded["scores"][1]["comment_html"] == "<p>Wordy.</p>"
    auth.logout()
    auth.login(school.other_instructor.email)
    assert client.post(url, headers=auth.json_headers(), json=body()).status_code == 404
