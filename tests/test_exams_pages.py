"""Graded exams, the pages around them: exam review's wrong answer → moment links, the
instructor's question bank, settings and item analysis, and exam results in reports."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import exams as ex
from tests.support.auth import Auth
from webapp.extensions import db
from webapp.models import Exam, ExamQuestion


@pytest.fixture
def world(app: Flask) -> ex.ExamWorld:
    """The exam, no time limit, no attempts limit."""
    return ex.build(app)


_sitter, _count = ex.sitter, ex.count


# --------------------------------------------------------------------------- review


def test_exam_review_links_the_moments_of_wrong_answers(app: Flask, world: ex.ExamWorld) -> None:
    """Q1 (Geography at 0:42) and Q3 (Numbers at 0:10) wrong, Q2 (Geography at 1:30) and
    Q4 (no moment) right: the review links 0:42 and 0:10, not 1:30."""
    me = _sitter(app, world.learner.email)
    q1, q2, q3, q4 = world.question_ids
    right = ex.right_answers(app, world)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    me.save(attempt_id, q1, {"choice": ex.wrong_choice(app, q1)})
    me.save(attempt_id, q2, right[q2])
    me.save(attempt_id, q3, {"number": 1.0})
    me.save(attempt_id, q4, right[q4])
    assert me.submit(attempt_id).status_code == 200
    html = me.client.get(f"/exams/{world.exam_id}/review").get_data(as_text=True)
    assert "Moments that explain what you got wrong" in html
    assert "Geography at 0:42" in html and "Numbers at 0:10" in html
    assert "?t=42" in html and "?t=10" in html and "?t=90" not in html
    # Nothing is listed before any attempt.
    other = _sitter(app, world.learner2.email)
    assert "what you got wrong" not in other.client.get(f"/exams/{world.exam_id}/review").get_data(
        as_text=True
    )


# --------------------------------------------------------------------------- back office


def test_question_form_keeps_what_was_typed_and_sanitises(app: Flask, world: ex.ExamWorld) -> None:
    teacher = Auth(app.test_client())
    teacher.login(world.teacher.email)
    page = f"/manage/exams/{world.exam_id}/questions/new"
    typed = {
        "csrf_token": teacher.csrf(page),
        "kind": "single",
        "prompt": "Pick one <script>alert(1)</script>",
        "choices": "Only one choice",
        "points": "3",
        "explanation": "Because <script>x()</script>",
        "module_id": "0",
    }
    refused = teacher.client.post(page, data=typed)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Raw HTML is not allowed" in html and "Pick one &lt;script&gt;" in html
    typed["prompt"] = "Pick one `<script>`"
    typed["explanation"] = "Because `x()`"
    refused = teacher.client.post(page, data=typed)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Give at least two choices." in html and "Only one choice" in html
    assert _count(app, ExamQuestion) == 4
    typed["choices"] = "*Yes\nNo"
    typed["module_id"] = str(world.modules[1])
    typed["at_seconds"] = "75"
    assert teacher.client.post(page, data=typed).status_code == 302
    bank = teacher.client.get(f"/manage/exams/{world.exam_id}/bank").get_data(as_text=True)
    assert "<script>" not in bank and "Pick one" in bank
    with app.app_context():
        question = db.session.scalars(select(ExamQuestion).order_by(ExamQuestion.id.desc())).first()
        assert question is not None and question.points == 3.0 and len(question.correct) == 1
        assert question.module_id == world.modules[1] and question.at_seconds == 75.0
        question_id = question.id
    edit = f"/manage/exam-questions/{question_id}/edit"
    assert "*Yes" in teacher.client.get(edit).get_data(as_text=True)
    gone = teacher.client.post(
        f"/manage/exam-questions/{question_id}/delete", data={"csrf_token": teacher.csrf(edit)}
    )
    assert gone.status_code == 302 and _count(app, ExamQuestion) == 4
    learner = Auth(app.test_client())
    learner.login(world.learner.email)
    assert learner.client.get(f"/manage/exams/{world.exam_id}/bank").status_code == 403


def test_settings_form_refuses_a_window_that_closes_before_it_opens(
    app: Flask, world: ex.ExamWorld
) -> None:
    teacher = Auth(app.test_client())
    teacher.login(world.teacher.email)
    page = f"/manage/exams/{world.exam_id}/settings"
    form = {
        "csrf_token": teacher.csrf(page),
        "pass_percent": "70",
        "time_limit_minutes": "45",
        "opens_at": "2027-03-10T09:00",
        "closes_at": "2027-03-10T08:00",
    }
    refused = teacher.client.post(page, data=form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "must close after it opens" in html and 'value="45"' in html
    with app.app_context():
        assert db.session.get_one(Exam, world.exam_id).time_limit_minutes is None


def test_item_analysis_page(app: Flask, world: ex.ExamWorld) -> None:
    right = ex.right_answers(app, world)
    for info in (world.learner, world.learner2):
        me = _sitter(app, info.email)
        attempt_id = me.start(world.exam_id).get_json()["id"]
        if info is world.learner:
            for qid, answer in right.items():
                me.save(attempt_id, qid, answer)
        me.submit(attempt_id)
    teacher = Auth(app.test_client())
    teacher.login(world.teacher.email)
    html = teacher.client.get(f"/manage/exams/{world.exam_id}/analysis").get_data(as_text=True)
    assert html.count("50 %") == 4  # one of two attempts right on every question


# --------------------------------------------------------------------------- reports


def test_reports_show_exam_results_within_their_scope(app: Flask, world: ex.ExamWorld) -> None:
    right = ex.right_answers(app, world)
    for info, answers in ((world.learner, right), (world.learner2, {})):
        me = _sitter(app, info.email)
        attempt_id = me.start(world.exam_id).get_json()["id"]
        for qid, answer in answers.items():
            me.save(attempt_id, qid, answer)
        me.submit(attempt_id)
    teacher = Auth(app.test_client())
    teacher.login(world.teacher.email)
    html = teacher.client.get(f"/reports/cohorts/{world.cohort_id}").get_data(as_text=True)
    assert "Exam results" in html
    assert "100.0% · passed" in html and "0.0% · not passed" in html
    raw = teacher.client.get(f"/reports/cohorts/{world.cohort_id}/export.csv")
    assert raw.status_code == 200
    lines = raw.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].endswith(",Exams passed")
    by_email = {line.split(",")[1]: line for line in lines[1:]}
    assert by_email[world.learner.email].endswith(",1 of 1")
    assert by_email[world.learner2.email].endswith(",0 of 1")
    assert world.outsider.email not in by_email  # another cohort: not in this report
