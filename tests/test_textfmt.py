"""Counted words agree with their number and roles take the right article: the plural
helper (Babel's ``ngettext`` signature), and the pages that once read "you are a
instructor" and "Attendance (1 learners)"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from webapp.extensions import db
from webapp.models import Cohort, CohortMember, LiveClass, Program
from webapp.textfmt import ngettext, plural, with_article


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 learners"),
        (1, "1 learner"),
        (2, "2 learners"),
        (1.0, "1 learner"),
        (2.5, "2.5 learners"),
    ],
)
def test_plural_agrees_with_the_number(n: float, expected: str) -> None:
    assert plural(n, "learner") == expected


def test_plural_takes_an_irregular_form() -> None:
    assert plural(1, "live class", "live classes") == "1 live class"
    assert plural(3, "live class", "live classes") == "3 live classes"


def test_ngettext_has_babels_signature_and_num_placeholder() -> None:
    assert ngettext("%(num)d cohort runs it", "%(num)d cohorts run it", 1) == "1 cohort runs it"
    assert ngettext("%(num)d cohort runs it", "%(num)d cohorts run it", 4) == "4 cohorts run it"
    assert ngettext("one", "many", 2) == "many"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("instructor", "an instructor"),
        ("admin", "an admin"),
        ("learner", "a learner"),
        ("manager", "a manager"),
        ("user", "a user"),
        ("hour", "an hour"),
    ],
)
def test_with_article(word: str, expected: str) -> None:
    assert with_article(word) == expected


def test_cohort_page_reads_an_instructor_and_one_learner(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    instructor, learner = make_user("instructor"), make_user("learner")
    with app.app_context():
        program = Program(title="Words", slug="words")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="W1", starts_on=date(2027, 1, 15))
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(cohort_id=cohort.id, user_id=instructor.id, role="instructor"),
                CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"),
                LiveClass(
                    cohort_id=cohort.id,
                    title="Past",
                    starts_at=datetime.now(UTC) - timedelta(days=1),
                ),
            ]
        )
        db.session.commit()
        cohort_id = cohort.id
    auth.login(instructor.email)
    page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "you are an instructor" in page and "you are a instructor" not in page
    assert "Attendance (1 learner)" in page and "1 learners" not in page
