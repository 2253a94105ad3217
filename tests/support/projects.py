"""A small school for the project tests: a program with a cohort in Europe/Berlin, its
instructor and two learners, and outsiders (a learner and an instructor of another
cohort); projects are set through the real service."""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from webapp.cohorts import services as cohorts
from webapp.extensions import db
from webapp.models import (
    Cohort,
    LatePolicy,
    Program,
    Project,
    ProjectSubmission,
    RubricCriterion,
    SubmissionItem,
    SubmissionScore,
    User,
)
from webapp.projects import services
from webapp.storage import get_storage

RUBRIC = "Layout | Missing = 0 | Adequate = 3 | Polished = 5\nCopy | Weak = 0 | Clear = 4"
_slugs = itertools.count(1)


@dataclass(frozen=True)
class School:
    """Ids and addresses of the people and places of a project test."""

    program_id: int
    program_slug: str
    cohort_id: int
    other_cohort_id: int
    instructor: factories.UserInfo
    learner: factories.UserInfo
    peer: factories.UserInfo
    outsider: factories.UserInfo
    other_instructor: factories.UserInfo
    admin: factories.UserInfo


def make_school(app: Flask, zone: str = "Europe/Berlin") -> School:
    """Two cohorts of two programs, with their people (committed)."""
    people = {
        "instructor": factories.create_user(app, "instructor"),
        "learner": factories.create_user(app, "learner"),
        "peer": factories.create_user(app, "learner"),
        "outsider": factories.create_user(app, "learner"),
        "other_instructor": factories.create_user(app, "instructor"),
        "admin": factories.create_user(app, "admin"),
    }
    n = next(_slugs)
    with app.app_context():
        ids = []
        for slug in (f"projects-{n}", f"projects-other-{n}"):
            db.session.add(Program(title=f"Program {slug}", slug=slug))
            db.session.flush()
            ids.append(cohorts.create_cohort(slug, f"Cohort {slug}", date(2027, 1, 4), zone).id)
        cohort = db.session.get_one(Cohort, ids[0])
        other = db.session.get_one(Cohort, ids[1])
        for key, where, role in (
            ("instructor", cohort, "instructor"),
            ("learner", cohort, "learner"),
            ("peer", cohort, "learner"),
            ("outsider", other, "learner"),
            ("other_instructor", other, "instructor"),
        ):
            cohorts.add_member(where, db.session.get_one(User, people[key].id), role)
        db.session.commit()
        return School(cohort.program_id, f"projects-{n}", ids[0], ids[1], **people)


def make_project(
    app: Flask,
    cohort_id: int,
    *,
    title: str = "Landing page",
    due_at: datetime | None = None,
    rubric: str = RUBRIC,
    pass_mark: int = 5,
    late_policy: LatePolicy = LatePolicy.ACCEPT,
    penalty_percent: int = 0,
    brief: str = "Build a **landing page**.",
) -> int:
    """A committed project of the cohort; its id."""
    with app.app_context(), app.test_request_context():
        project = services.save_project(
            db.session.get_one(Cohort, cohort_id),
            None,
            services.ProjectValues(
                title=title,
                brief=brief,
                due_at=due_at or datetime.now(UTC) + timedelta(days=7),
                pass_mark=pass_mark,
                late_policy=late_policy,
                penalty_percent=penalty_percent,
                rubric=rubric,
            ),
        )
        db.session.commit()
        # Tables are emptied between tests but media stays: ids come round again.
        get_storage().delete_prefix(f"projects/{project.id}")
        return project.id


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def a11y_project(app: Flask, cohort_id: int, learner_id: int) -> tuple[int, int]:
    """A project of the cohort with the learner's hand-in (a PDF and a link), for the
    accessibility pages: ``(project id, submission id)``."""
    project_id = make_project(app, cohort_id)
    with app.app_context(), app.test_request_context():
        submission = services.submit(
            db.session.get_one(Project, project_id),
            db.session.get_one(User, learner_id),
            [services.Upload("page.pdf", PDF)],
            ["https://example.com/site"],
            1024 * 1024,
        )
        db.session.commit()
        return project_id, submission.id


# --------------------------------------------------------------------------- page helpers

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def page_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the first form on ``url``."""
    html = client.get(url).get_data(as_text=True)
    found = CSRF.search(html)
    assert found, f"no form on {url}"
    return found[1]


def hand_in(client: FlaskClient, project_id: int, files: list[tuple[bytes, str]], links: str = ""):
    """Post the hand-in form of the project with ``files`` (bytes, name) and ``links``."""
    token = page_token(client, f"/projects/{project_id}")
    data: dict[str, object] = {"csrf_token": token, "links": links}
    data["files"] = [(io.BytesIO(body), name) for body, name in files]
    return client.post(
        f"/projects/{project_id}/submit", data=data, content_type="multipart/form-data"
    )


def rubric_ids(app: Flask, project_id: int) -> dict[str, dict[str, int]]:
    """criterion title → {level title: level id}, and "_id" → the criterion's id."""
    with app.app_context():
        out = {}
        for c in db.session.scalars(
            select(RubricCriterion).where(RubricCriterion.project_id == project_id)
        ):
            out[c.title] = {"_id": c.id} | {lv.title: lv.id for lv in c.levels}
        return out


def latest(app: Flask, project_id: int, user_id: int) -> ProjectSubmission | None:
    """The learner's latest version of the project."""
    with app.app_context():
        return db.session.scalar(
            select(ProjectSubmission)
            .where(ProjectSubmission.project_id == project_id, ProjectSubmission.user_id == user_id)
            .order_by(ProjectSubmission.version.desc())
        )


def grade(
    client: FlaskClient,
    app: Flask,
    submission_id: int,
    project_id: int,
    picks: dict[str, str],
    decision: str = "accept",
    extra: dict[str, str] | None = None,
):
    """Post the grading form: ``picks`` criterion title → level title; ``decision``
    accept or return; ``extra`` changes the posted fields."""
    rubric = rubric_ids(app, project_id)
    url = f"/manage/submissions/{submission_id}"
    data = {"csrf_token": page_token(client, url), "comment": "Good *work*."}
    for criterion, level in picks.items():
        data[f"level_{rubric[criterion]['_id']}"] = str(rubric[criterion][level])
        data[f"comment_{rubric[criterion]['_id']}"] = f"About {criterion}"
    data["accept" if decision == "accept" else "return_"] = "x"
    data.update(extra or {})
    return client.post(url, data=data)


def counts(app: Flask) -> tuple[int, int, int, int]:
    """Rows of projects, submissions, items and scores."""
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Project, ProjectSubmission, SubmissionItem, SubmissionScore)
        )


def stored_keys(app: Flask, project_id: int) -> list[str]:
    """The project's objects in the media storage."""
    with app.app_context():
        return list(get_storage().list(f"projects/{project_id}"))
