"""Graded exams, the attempt engine: no answer reaches the browser before submit, the
server's clock, the attempts limit, the window in the cohort's time zone, one result per
attempt, grading, certificates and bad input (the pages around it:
``tests/test_exams_pages.py``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support import exams as ex
from tests.support.auth import Auth
from webapp.certificates import services as certificates
from webapp.certificates.completion import issue_if_due
from webapp.extensions import db
from webapp.models import (
    AttemptStatus,
    Exam,
    ExamAnswer,
    ExamAttempt,
    Program,
    WatchProgress,
)
from webapp.models.base import as_utc

API = ex.API


@pytest.fixture
def world(app: Flask) -> ex.ExamWorld:
    """The exam, no time limit, no attempts limit."""
    return ex.build(app)


_sitter, _count, Sitter = ex.sitter, ex.count, ex.Sitter


def _attempt(app: Flask, attempt_id: int) -> ExamAttempt:
    with app.app_context():
        row = db.session.get_one(ExamAttempt, attempt_id)
        db.session.expunge(row)
        return row


# --------------------------------------------------------------------------- no leak

FORBIDDEN_KEYS = {
    "correct",
    "key",
    "explanation",
    "explanation_html",
    "right",
    "texts",
    "tolerance",
}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_correct_answer_reaches_the_browser_before_submit(
    app: Flask, world: ex.ExamWorld
) -> None:
    me = _sitter(app, world.learner.email)
    q1, q2, q3, q4 = world.question_ids
    right = ex.right_answers(app, world)
    bodies: list[tuple[str, Any]] = []

    def keep(label: str, response: Any, status: int) -> Any:
        assert response.status_code == status, (label, response.get_data(as_text=True))
        bodies.append((label, response))
        return response

    keep("exam page", me.client.get(f"/exams/{world.exam_id}"), 200)
    started = keep("start", me.start(world.exam_id), 201).get_json()
    attempt_id = started["id"]
    keep("get", me.client.get(f"{API}/exam-attempts/{attempt_id}"), 200)
    keep("save 1", me.save(attempt_id, q1, {"choice": ex.wrong_choice(app, q1)}), 200)
    keep("save 2", me.save(attempt_id, q2, right[q2]), 200)
    keep("save 3", me.save(attempt_id, q3, {"number": 2.5}), 200)
    keep("save 4", me.save(attempt_id, q4, {"text": "a guess"}), 200)
    keep("resume", me.start(world.exam_id), 200)
    keep("reload", me.client.get(f"{API}/exam-attempts/{attempt_id}"), 200)
    keep("page", me.client.get(f"/exam-attempts/{attempt_id}"), 200)
    keep("result early", me.client.get(f"{API}/exam-attempts/{attempt_id}/result"), 409)
    keep("result page early", me.client.get(f"/exam-attempts/{attempt_id}/result"), 302)
    keep("exam page again", me.client.get(f"/exams/{world.exam_id}"), 200)

    secrets = [*ex.EXPLANATIONS, ex.RIGHT_TEXT, str(ex.RIGHT_NUMBER), "right answer"]
    for label, response in bodies:
        text = response.get_data(as_text=True)
        for secret in secrets:
            assert secret.lower() not in text.lower(), (label, secret)
        if response.is_json:
            assert not _keys(response.get_json()) & FORBIDDEN_KEYS, label
    # The saved answers come back on reload (the sheet resumes), in the drawn order.
    sheet = bodies[7][1].get_json()
    assert [q["id"] for q in sheet["questions"]] == [q["id"] for q in started["questions"]]
    assert {q["id"]: q["answer"] for q in sheet["questions"]}[q3]["number"] == 2.5

    # After the submit the review has them: the same checks would have failed here.
    done = me.submit(attempt_id)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert all(secret in text for secret in ex.EXPLANATIONS)
    assert str(ex.RIGHT_NUMBER) in text and ex.RIGHT_TEXT in text


# --------------------------------------------------------------------------- grading


def test_grading_on_fixed_answers(app: Flask, world: ex.ExamWorld) -> None:
    """Q1 right (2 pts), Q2 half of the right choices (0 of 1), Q3 314.15 within ±0.01
    (1), Q4 the accepted text in capitals (1): 4 of 5 points, 80 %, passed (60 %)."""
    me = _sitter(app, world.learner.email)
    q1, q2, q3, q4 = world.question_ids
    right = ex.right_answers(app, world)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    assert me.save(attempt_id, q1, right[q1]).status_code == 200
    half = {"choices": right[q2]["choices"][:1]}  # type: ignore[index]
    assert me.save(attempt_id, q2, half).status_code == 200
    assert me.save(attempt_id, q3, {"number": 314.15}).status_code == 200
    assert me.save(attempt_id, q4, right[q4]).status_code == 200
    result = me.submit(attempt_id).get_json()
    assert (result["score"], result["max_score"], result["percent"]) == (4.0, 5.0, 80.0)
    assert result["passed"] is True
    assert {q["id"]: (q["right"], q["earned"]) for q in result["questions"]} == {
        q1: (True, 2.0),
        q2: (False, 0.0),
        q3: (True, 1.0),
        q4: (True, 1.0),
    }
    urls = {q["id"]: q["moment_url"] for q in result["questions"]}
    assert urls[q1] is not None and urls[q1].endswith("?t=42") and urls[q4] is None


def test_unanswered_questions_earn_nothing_and_fail(app: Flask, world: ex.ExamWorld) -> None:
    me = _sitter(app, world.learner.email)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    result = me.submit(attempt_id).get_json()
    assert (result["score"], result["percent"], result["passed"]) == (0.0, 0.0, False)


# --------------------------------------------------------------------------- time


def test_submit_within_the_grace_is_accepted(app: Flask, clock: Any) -> None:
    world = ex.build(app, time_limit=2)
    me = _sitter(app, world.learner.email)
    attempt = me.start(world.exam_id).get_json()
    assert attempt["seconds_left"] == 120.0
    clock.shift(60)
    assert me.client.get(f"{API}/exam-attempts/{attempt['id']}").get_json()["seconds_left"] == 60
    clock.shift(60 + 29)  # 29 s past the deadline: inside the 30 s grace
    q3 = world.question_ids[2]
    assert me.save(attempt["id"], q3, {"number": ex.RIGHT_NUMBER}).status_code == 200
    done = me.submit(attempt["id"])
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"


def test_late_submit_is_refused_and_graded_as_saved(app: Flask, clock: Any) -> None:
    world = ex.build(app, time_limit=2)
    me = _sitter(app, world.learner.email)
    q1 = world.question_ids[0]
    attempt_id = me.start(world.exam_id).get_json()["id"]
    assert me.save(attempt_id, q1, ex.right_answers(app, world)[q1]).status_code == 200
    clock.shift(120 + 31)
    late_save = me.save(attempt_id, world.question_ids[2], {"number": ex.RIGHT_NUMBER})
    assert late_save.status_code == 409
    late = me.submit(attempt_id)
    assert late.status_code == 409
    assert "time limit" in late.get_json()["detail"]
    assert me.submit(attempt_id).status_code == 409  # still refused, nothing new
    row = _attempt(app, attempt_id)
    assert row.status is AttemptStatus.EXPIRED
    assert (row.score, row.max_score) == (2.0, 5.0)  # only Q1, saved in time
    result = me.client.get(f"{API}/exam-attempts/{attempt_id}/result").get_json()
    assert result["status"] == "expired"


def test_the_page_form_refuses_a_late_submit_with_a_message(app: Flask, clock: Any) -> None:
    world = ex.build(app, time_limit=2)
    me = _sitter(app, world.learner.email)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    clock.shift(120 + 31)
    token = me.auth.csrf(f"/exams/{world.exam_id}")
    page = me.client.post(
        f"/exam-attempts/{attempt_id}/submit", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Too late: the time limit has passed" in page.get_data(as_text=True)
    assert _attempt(app, attempt_id).status is AttemptStatus.EXPIRED


def test_an_attempt_left_open_past_its_time_is_closed_on_return(app: Flask, clock: Any) -> None:
    world = ex.build(app, time_limit=2, attempts=2)
    me = _sitter(app, world.learner.email)
    first = me.start(world.exam_id).get_json()["id"]
    clock.shift(3600)
    second = me.start(world.exam_id)
    assert second.status_code == 201 and second.get_json()["number"] == 2
    assert _attempt(app, first).status is AttemptStatus.EXPIRED


# --------------------------------------------------------------------------- attempts


def test_attempts_limit(app: Flask) -> None:
    world = ex.build(app, attempts=1)
    me = _sitter(app, world.learner.email)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    assert me.submit(attempt_id).status_code == 200
    again = me.start(world.exam_id)
    assert again.status_code == 409 and "all 1 attempts" in again.get_json()["detail"]
    assert _count(app, ExamAttempt) == 1


def test_drawn_questions_and_shuffled_choices(app: Flask, world: ex.ExamWorld) -> None:
    ex.set_exam(app, world.exam_id, question_count=2)
    me = _sitter(app, world.learner.email)
    attempt = me.start(world.exam_id).get_json()
    assert len(attempt["questions"]) == 2
    assert {q["id"] for q in attempt["questions"]} <= set(world.question_ids)
    row = _attempt(app, attempt["id"])
    for drawn, shown in zip(row.drawn, attempt["questions"], strict=True):
        assert drawn["question_id"] == shown["id"]
        assert drawn["choice_order"] == [c["id"] for c in shown["choices"]]


def test_window_in_the_cohort_time_zone(app: Flask, world: ex.ExamWorld, clock: Any) -> None:
    teacher = Auth(app.test_client())
    teacher.login(world.teacher.email)
    page = f"/manage/exams/{world.exam_id}/settings"
    form = {
        "csrf_token": teacher.csrf(page),
        "pass_percent": "60",
        "opens_at": "2027-03-10T09:00",  # Berlin, CET: 08:00 UTC
        "closes_at": "2027-03-10T11:00",
    }
    assert teacher.client.post(page, data=form).status_code == 302
    with app.app_context():
        exam = db.session.get_one(Exam, world.exam_id)
        assert as_utc(exam.opens_at) == datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    clock.move_to(datetime(2027, 3, 10, 7, 59, tzinfo=UTC))
    me = _sitter(app, world.learner.email)
    assert "10 Mar 2027" in me.client.get(f"/exams/{world.exam_id}").get_data(as_text=True)
    early = me.start(world.exam_id)
    assert early.status_code == 409 and "not open yet" in early.get_json()["detail"]
    clock.move_to(datetime(2027, 3, 10, 9, 59, tzinfo=UTC))
    assert _sitter(app, world.learner.email).start(world.exam_id).status_code == 201
    clock.move_to(datetime(2027, 3, 10, 10, 0, tzinfo=UTC))  # 11:00 in Berlin: closed
    closed = _sitter(app, world.learner2.email).start(world.exam_id)
    assert closed.status_code == 409 and "closed" in closed.get_json()["detail"]


# --------------------------------------------------------------------------- one result


def test_double_submit_counts_once(app: Flask, world: ex.ExamWorld) -> None:
    me = _sitter(app, world.learner.email)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    first, second = me.submit(attempt_id), me.submit(attempt_id)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert _count(app, ExamAttempt) == 1


def test_concurrent_submits_give_one_result(app: Flask, world: ex.ExamWorld) -> None:
    me, again = _sitter(app, world.learner.email), _sitter(app, world.learner.email)
    attempt_id = me.start(world.exam_id).get_json()["id"]
    q1 = world.question_ids[0]
    assert me.save(attempt_id, q1, ex.right_answers(app, world)[q1]).status_code == 200
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def submit(sitter: Sitter) -> None:
        barrier.wait()
        response = sitter.submit(attempt_id)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=submit, args=(s,)) for s in (me, again)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in answers] == [200, 200]
    assert answers[0][1] == answers[1][1]
    row = _attempt(app, attempt_id)
    assert row.status is AttemptStatus.SUBMITTED and row.score == 2.0


def test_concurrent_starts_give_one_attempt(app: Flask, world: ex.ExamWorld) -> None:
    me, again = _sitter(app, world.learner.email), _sitter(app, world.learner.email)
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def start(sitter: Sitter) -> None:
        barrier.wait()
        response = sitter.start(world.exam_id)
        answers.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=start, args=(s,)) for s in (me, again)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in answers) == [200, 201]  # one starts, one resumes
    assert len({attempt_id for _, attempt_id in answers}) == 1
    assert _count(app, ExamAttempt) == 1


# --------------------------------------------------------------------------- certificates


def test_certificate_issued_when_the_required_exam_is_passed(
    app: Flask, world: ex.ExamWorld
) -> None:
    with app.app_context():
        program = db.session.get_one(Program, world.program_id)
        certificates.save_rule(
            program,
            min_watched_percent=1,
            min_classes=0,
            module_ids=[world.modules[0]],
            exam_ids=[world.exam_id],
            allowed_modules=world.modules,
            allowed_exams=[world.exam_id],
        )
        db.session.add(
            WatchProgress(
                user_id=world.learner.id,
                video_id=_video_of(world.modules[0]),
                clip_id=None,
                intervals=[[0.0, 60.0]],
                watched_seconds=60.0,
                position=60.0,
            )
        )
        db.session.commit()
        assert issue_if_due(world.learner.id, world.program_id) is None
        db.session.rollback()
    me = _sitter(app, world.learner.email)
    failed = me.start(world.exam_id).get_json()["id"]
    assert me.submit(failed).get_json()["passed"] is False
    with app.app_context():
        assert issue_if_due(world.learner.id, world.program_id) is None
        db.session.rollback()
    passing = me.start(world.exam_id).get_json()["id"]
    for qid, answer in ex.right_answers(app, world).items():
        assert me.save(passing, qid, answer).status_code == 200
    assert me.submit(passing).get_json()["passed"] is True
    with app.app_context():
        # Issued now, or already by the suite's worker (the result queued the check).
        issued = issue_if_due(world.learner.id, world.program_id)
        db.session.commit()
        assert issued or certificates.find_certificate(world.learner.id, world.program_id)


def _video_of(module_id: int) -> int:
    from webapp.models import Module

    return db.session.get_one(Module, module_id).video_id


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_refused_and_changes_nothing(app: Flask, world: ex.ExamWorld) -> None:
    other_world = ex.build(app)
    me = _sitter(app, world.learner.email)
    q1, _q2, _q3, q4 = world.question_ids
    attempt_id = me.start(world.exam_id).get_json()["id"]
    assert me.save(attempt_id, q4, {"text": "kept"}).status_code == 200
    before = _count(app, ExamAnswer)

    def refused(response: Any, status: int, field: str | None = None) -> None:
        assert response.status_code == status, response.get_data(as_text=True)
        if field is not None:
            assert field in {e["field"] for e in response.get_json()["errors"]}

    refused(me.save(attempt_id, q4, None, raw='{"text": "' + "x" * 1_100_000 + '"}'), 413)
    refused(me.save(attempt_id, other_world.question_ids[0], {"choice": 1}), 404)
    refused(me.save(attempt_id, 999_999, {"choice": 1}), 404)
    refused(me.save(attempt_id, q1, {"choice": 999_999}), 400, "answer")
    refused(me.save(attempt_id, q1, {"choice": "1"}), 400, "choice")
    refused(me.save(attempt_id, q4, {"text": "x", "correct": True}), 400, "correct")
    refused(me.save(attempt_id, q4, {"text": "x", "points": 5}), 400, "points")
    refused(me.save(attempt_id, q4, {"text": "y" * 501}), 400, "text")
    refused(me.save(attempt_id, q4, {"number": float("nan")}, raw='{"number": NaN}'), 400)
    refused(me.start(other_world.exam_id), 404)  # an exam of a cohort I am not in
    # Someone else's attempt is not there.
    stranger = _sitter(app, world.learner2.email)
    refused(stranger.save(attempt_id, q4, {"text": "mine"}), 404)
    refused(stranger.submit(attempt_id), 404)
    refused(stranger.client.get(f"{API}/exam-attempts/{attempt_id}"), 404)
    assert _count(app, ExamAnswer) == before
    with app.app_context():
        answer = db.session.scalar(select(ExamAnswer).where(ExamAnswer.question_id == q4))
        assert answer is not None and answer.given == {"text": "kept"}
    # <script> in an answer is stored as text and shown as text.
    script = "<script>alert(1)</script>"
    assert me.save(attempt_id, q4, {"text": script}).status_code == 200
    me.submit(attempt_id)
    page = me.client.get(f"/exam-attempts/{attempt_id}/result").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page


def test_instructors_sit_no_exam(app: Flask, world: ex.ExamWorld) -> None:
    teacher = _sitter(app, world.teacher.email)
    assert teacher.start(world.exam_id).status_code == 403
    assert teacher.client.get(f"/exams/{world.exam_id}").status_code == 403
