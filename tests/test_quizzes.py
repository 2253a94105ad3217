"""In-video quizzes: marking through the API on fixed data, what learners may see (never
a right answer before answering), bad input that stores nothing, audiences and clips,
the authoring pages, the learner's home and the reports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import problem_fields, problem_of
from tests.support.quizzes import add_question, question_count, stored_answers
from webapp.extensions import db
from webapp.models import (
    Clip,
    Cohort,
    CohortMember,
    Course,
    CourseModule,
    Module,
    Program,
    ProgramCourse,
    QuizQuestion,
)


@pytest.fixture
def people(app: Flask, make_user):
    """An instructor, two learners, another instructor; bearer headers for each."""
    found = {
        "ian": make_user("instructor"),
        "ann": make_user("learner"),
        "bob": make_user("learner"),
        "ivy": make_user("instructor"),
    }
    headers = {name: factories.bearer_headers(app, u) for name, u in found.items()}
    return found, headers


@pytest.fixture
def quiz(app: Flask, people):
    """Ian's listed video (600 s) with four questions: single at 10 s (A right), multiple
    at 20 s (A and B right), numeric at 30 s (3.14 ± 0.01), text at 40 s ("Paris")."""
    users, _ = people
    video_id = factories.listed_video(app, users["ian"].id, "Geography")
    choices3 = [("A", True), ("B", False), ("C", False)]
    return {
        "video": video_id,
        "single": add_question(
            app, video_id, 10, "single", choices=choices3, explanation="*Because* A."
        ),
        "multiple": add_question(
            app, video_id, 20, "multiple", choices=[("A", True), ("B", True), ("C", False)]
        ),
        "numeric": add_question(app, video_id, 30, "numeric", number=3.14, tolerance=0.01),
        "text": add_question(app, video_id, 40, "text", texts=["Paris"], required=True),
    }


def _answer(client: FlaskClient, headers, question_id: int, answer: object, raw=None):
    data = raw if raw is not None else json.dumps({"answer": answer})
    return client.post(
        f"/api/v1/quiz-questions/{question_id}/answers",
        data=data,
        headers={**headers, "Content-Type": "application/json"},
    )


# --------------------------------------------------------------------------- marking


def test_answers_are_marked_and_the_first_counts(app, client, people, quiz) -> None:
    _, h = people
    single, multiple = quiz["single"], quiz["multiple"]
    right = _answer(client, h["ann"], single["id"], {"choice": single["choices"][0]})
    assert right.status_code == 201
    body = right.get_json()
    assert body["right"] is True and body["first_right"] is True and body["attempts"] == 1
    assert body["explanation_html"] == "<p><em>Because</em> A.</p>"
    assert body["right_answer"]["choices"] == [single["choices"][0]]

    wrong = _answer(client, h["ann"], multiple["id"], {"choices": [multiple["choices"][0]]})
    assert wrong.get_json()["right"] is False
    retry = _answer(client, h["ann"], multiple["id"], {"choices": multiple["choices"][1::-1]})
    again = retry.get_json()
    assert (again["right"], again["first_right"], again["attempts"]) == (True, False, 2)
    assert again["right_answer"]["choices"] == multiple["choices"][:2]
    near = _answer(client, h["ann"], quiz["numeric"]["id"], {"number": 3.145})
    assert near.get_json()["right"] is True
    key = near.get_json()["right_answer"]
    assert (key["number"], key["tolerance"], key["choices"]) == (3.14, 0.01, None)
    far = _answer(client, h["bob"], quiz["numeric"]["id"], {"number": 3.2})
    assert far.get_json()["right"] is False
    text = _answer(client, h["ann"], quiz["text"]["id"], {"text": "  paris "})
    assert text.get_json()["right"] is True and text.get_json()["right_answer"]["texts"] == [
        "Paris"
    ]
    assert stored_answers(app) == 6

    listing = client.get(f"/api/v1/videos/{quiz['video']}/quiz", headers=h["ann"]).get_json()
    answered = {q["id"]: q["answered"] for q in listing["items"]}
    assert answered[multiple["id"]]["attempts"] == 2
    assert answered[multiple["id"]]["first_right"] is False
    assert answered[multiple["id"]]["last_right"] is True
    assert answered[single["id"]]["last_given"]["choice"] == single["choices"][0]


def test_the_quiz_never_carries_right_answers_or_explanations(app, client, people, quiz) -> None:
    _, h = people
    response = client.get(f"/api/v1/videos/{quiz['video']}/quiz", headers=h["ann"])
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [q["at"] for q in items] == [10, 20, 30, 40]
    assert [q["kind"] for q in items] == ["single", "multiple", "numeric", "text"]
    assert items[3]["required"] is True
    raw = response.get_data(as_text=True)
    for secret in ("right", "correct", "explanation", "Because", "Paris", "3.14", "tolerance"):
        assert secret not in raw.replace('"required"', ""), secret
    # Answering reveals this question's key only; the listing still holds none.
    _answer(client, h["ann"], quiz["text"]["id"], {"text": "Lyon"})
    again = client.get(f"/api/v1/videos/{quiz['video']}/quiz", headers=h["ann"])
    assert "Paris" not in again.get_data(as_text=True)


def test_markup_in_prompts_is_refused_and_links_are_inert(app, client, people) -> None:
    users, h = people
    video_id = factories.listed_video(app, users["ian"].id, "Markup")
    good = {
        "at": 5,
        "kind": "single",
        "prompt": "Why does `<script>` not run? **Pick** [x](javascript:alert(1))",
        "choices": [{"text": "x < 5", "right": True}, {"text": "B"}],
        "explanation": "See `<img>`",
    }
    url = f"/api/v1/videos/{video_id}/quiz-questions"
    for field, value in (
        ("prompt", "<script>alert(1)</script> **Pick**"),
        ("explanation", "<img src=x onerror=alert(1)>"),
        ("choices", [{"text": "<script>x</script>", "right": True}, {"text": "B"}]),
    ):
        refused = client.post(url, json={**good, field: value}, headers=h["ian"])
        assert refused.status_code == 400, field
        assert field in json.dumps(refused.get_json()["errors"])
        assert question_count(app) == 0
    created = client.post(url, json=good, headers=h["ian"])
    assert created.status_code == 201
    shown = created.get_json()
    assert "<code>&lt;script&gt;</code>" in shown["prompt_html"]
    assert "href" not in shown["prompt_html"] and "<strong>Pick</strong>" in shown["prompt_html"]
    assert "<img" not in shown["explanation_html"]
    learner = client.get(f"/api/v1/videos/{video_id}/quiz", headers=h["ann"]).get_json()
    # A choice is plain text (the player sets it as text, never as HTML).
    assert learner["items"][0]["choices"][0]["text"] == "x < 5"


# --------------------------------------------------------------------------- bad input


def test_bad_answers_are_refused_and_store_nothing(app, client, people, quiz, make_user) -> None:
    users, h = people
    single = quiz["single"]
    other_video = factories.listed_video(app, users["ian"].id, "Other")
    elsewhere = add_question(app, other_video, 5, "single", choices=[("X", True), ("Y", False)])
    cases = [
        (single["id"], {"choice": elsewhere["choices"][0]}, "answer"),  # another question's
        (single["id"], {"choice": 999999}, "answer"),  # not offered
        (single["id"], {"choices": single["choices"][:1]}, "answer"),  # wrong shape
        (single["id"], {"choice": True}, "answer.choice"),
        (single["id"], {"choice": single["choices"][0], "right": True}, "answer.right"),
        (quiz["multiple"]["id"], {"choices": [quiz["multiple"]["choices"][0], 999]}, "answer"),
        (quiz["numeric"]["id"], {"number": "3.14"}, "answer.number"),
        (quiz["text"]["id"], {"text": "x" * 501}, "answer.text"),
    ]
    for question_id, answer, field in cases:
        response = _answer(client, h["ann"], question_id, answer)
        assert field in problem_fields(response), (answer, response.get_json())
    forged = _answer(
        client, h["ann"], single["id"], None, raw=json.dumps({"answer": {}, "right": True})
    )
    assert "right" in problem_fields(forged)
    assert problem_of(_answer(client, h["ann"], single["id"], None, raw="[1]"))
    assert _answer(client, h["ann"], 999999, {"choice": 1}).status_code == 404
    huge = json.dumps({"answer": {"text": "x" * (1024 * 1024 + 10)}})
    assert _answer(client, h["ann"], quiz["text"]["id"], None, raw=huge).status_code == 413
    assert stored_answers(app) == 0


def test_bad_questions_are_refused_and_store_nothing(app, client, people, quiz) -> None:
    _, h = people
    url = f"/api/v1/videos/{quiz['video']}/quiz-questions"
    base = {"at": 5, "kind": "single", "prompt": "Q", "choices": [{"text": "A", "right": True}]}
    cases = [
        (base, "choices"),  # one choice
        (base | {"choices": [{"text": "A"}, {"text": "B"}]}, "choices"),  # none right
        (base | {"at": 601}, "at"),  # past the end
        (base | {"at": -1}, "at"),
        (base | {"prompt": "  "}, "prompt"),
        (base | {"kind": "essay"}, "kind"),
        ({"at": 5, "kind": "numeric", "prompt": "Q"}, "number"),
        ({"at": 5, "kind": "numeric", "prompt": "Q", "number": 1, "tolerance": -1}, "tolerance"),
        ({"at": 5, "kind": "text", "prompt": "Q", "texts": [" "]}, "texts"),
        (base | {"owner_id": 1}, "owner_id"),
    ]
    before = question_count(app)
    for body, field in cases:
        response = client.post(url, json=body, headers=h["ian"])
        assert field in problem_fields(response), (body, response.get_json())
    # A question of another video cannot be edited through this one's page or moved.
    assert question_count(app) == before


# --------------------------------------------------------------------------- audiences


def test_audiences(app, client, people, make_user) -> None:
    users, h = people
    video_id = factories.listed_video(app, users["ian"].id, "Cohort class")
    member = make_user("learner")
    with app.app_context():
        cohort = factories.add_cohort_recording(video_id, "quiz-cohort", datetime.now(UTC))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=member.id, role="learner"))
        db.session.commit()
    question = add_question(app, video_id, 5, "numeric", number=1.0)
    member_h = factories.bearer_headers(app, member)
    assert client.get(f"/api/v1/videos/{video_id}/quiz", headers=member_h).status_code == 200
    assert _answer(client, member_h, question["id"], {"number": 1}).status_code == 201
    # An outsider may not know it exists; a learner may not author; another instructor 403s.
    assert client.get(f"/api/v1/videos/{video_id}/quiz", headers=h["ann"]).status_code == 404
    assert _answer(client, h["ann"], question["id"], {"number": 1}).status_code == 404
    q_url = f"/api/v1/videos/{video_id}/quiz-questions"
    assert client.get(q_url, headers=member_h).status_code == 403
    assert client.get(q_url, headers=h["ivy"]).status_code == 404
    assert client.get(q_url, headers=h["ian"]).status_code == 200
    assert (
        client.delete(f"/api/v1/quiz-questions/{question['id']}", headers=member_h).status_code
        == 403
    )
    assert stored_answers(app) == 1


def test_a_clip_shows_its_questions_at_clip_times(app, client, people, quiz) -> None:
    users, h = people
    with app.app_context():
        clip = Clip(
            video_id=quiz["video"], title="Mid", start=15.0, end=35.0, created_by=users["ian"].id
        )
        db.session.add(clip)
        db.session.commit()
        clip_id = clip.id
    items = client.get(f"/api/v1/clips/{clip_id}/quiz", headers=h["ann"]).get_json()["items"]
    assert [(q["id"], q["at"]) for q in items] == [
        (quiz["multiple"]["id"], 5.0),
        (quiz["numeric"]["id"], 15.0),
    ]


def test_authoring_through_the_api(app, client, people, quiz) -> None:
    _, h = people
    qid = quiz["single"]["id"]
    full = client.get(f"/api/v1/videos/{quiz['video']}/quiz-questions", headers=h["ian"]).get_json()
    assert full["items"][0]["choices"][0]["right"] is True
    body = {
        "at": 12,
        "kind": "single",
        "prompt": "Now?",
        "choices": [{"text": "A"}, {"text": "B", "right": True}],
    }
    changed = client.put(f"/api/v1/quiz-questions/{qid}", json=body, headers=h["ian"])
    assert changed.status_code == 200
    # Choices keep their ids by position.
    assert [c["id"] for c in changed.get_json()["choices"]] == quiz["single"]["choices"][:2]
    assert (
        client.put(f"/api/v1/quiz-questions/{qid}", json=body, headers=h["ivy"]).status_code == 403
    )
    assert client.delete(f"/api/v1/quiz-questions/{qid}", headers=h["ian"]).status_code == 204
    assert client.delete(f"/api/v1/quiz-questions/{qid}", headers=h["ian"]).status_code == 404


# --------------------------------------------------------------------------- pages


def test_authoring_form_keeps_what_was_typed(app, client: FlaskClient, auth: Auth, people, quiz):
    users, _ = people
    auth.login(users["ian"].email)
    page = f"/manage/videos/{quiz['video']}/quiz"
    assert client.get(page).status_code == 200
    token = auth.csrf(page)
    typed = {
        "csrf_token": token,
        "at": "0:05",
        "kind": "single",
        "prompt": "Which <b>one</b>?",
        "choice_0": "Only one choice typed",
        "right_0": "y",
        "explanation": "Kept",
    }
    refused = client.post(page, data=typed)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Give at least two choices." in html
    assert "Only one choice typed" in html and "Which &lt;b&gt;one&lt;/b&gt;?" in html
    assert "Raw HTML is not allowed" in html
    typed["prompt"] = "Which **one**?"
    bad_time = client.post(page, data=typed | {"at": "soon", "choice_1": "B"})
    assert "Give the moment as m:ss" in bad_time.get_data(as_text=True)
    assert client.post(page, data=typed | {"choice_1": "B", "csrf_token": ""}).status_code == 400
    before = question_count(app)
    added = client.post(page, data=typed | {"choice_1": "B"})
    assert added.status_code == 302 and question_count(app) == before + 1
    with app.app_context():
        new = db.session.scalars(db.select(QuizQuestion).order_by(QuizQuestion.id.desc())).first()
        assert new.at == 5.0 and [c.correct for c in new.choices] == [True, False]
        new_id = new.id
    edit = f"{page}/{new_id}"
    assert "Only one choice typed" in client.get(edit).get_data(as_text=True)
    assert client.post(edit, data=typed | {"choice_1": "B", "at": "0:07"}).status_code == 302
    assert client.get(f"{edit}/delete").status_code == 200
    assert client.post(f"{edit}/delete", data={"csrf_token": token}).status_code == 302
    assert question_count(app) == before
    # Another video's question is not this video's.
    other = factories.listed_video(app, users["ian"].id, "Other")
    assert client.get(f"/manage/videos/{other}/quiz/{quiz['single']['id']}").status_code == 404
    auth.logout()
    auth.login(users["ann"].email)
    assert client.get(page).status_code == 403


def test_the_video_manager_links_to_the_quiz(app, client, auth, people, quiz) -> None:
    users, _ = people
    auth.login(users["ian"].email)
    html = client.get(f"/manage/videos/{quiz['video']}").get_data(as_text=True)
    assert f"/manage/videos/{quiz['video']}/quiz" in html


def test_learner_home_counts_first_answers(app, client, auth, people, quiz) -> None:
    users, h = people
    _answer(client, h["ann"], quiz["single"]["id"], {"choice": quiz["single"]["choices"][1]})
    _answer(client, h["ann"], quiz["single"]["id"], {"choice": quiz["single"]["choices"][0]})
    _answer(client, h["ann"], quiz["numeric"]["id"], {"number": 3.14})
    _answer(client, h["ann"], quiz["text"]["id"], {"text": "paris"})
    auth.login(users["ann"].email)
    html = client.get("/home").get_data(as_text=True)
    assert "Quiz answers: 2 of 3 right (1 of 4 not answered yet)" in html


# --------------------------------------------------------------------------- reports


def test_report_shares_on_fixed_data(app, client, auth, people, quiz, make_user) -> None:
    """Cohort of ann, bob, cat on a path holding the quiz video; first answers:
    ann single ✓ multiple ✗(then ✓) numeric ✓ text ✓ → 3 of 4; bob single ✗ numeric ✗ → 0
    of 2; cat nothing; dan (not in the cohort) single ✓ is not counted. Per question:
    single 1 of 2, multiple 0 of 1, numeric 1 of 2, text 1 of 1."""
    users, h = people
    cat, dan = make_user("learner"), make_user("learner")
    with app.app_context():
        module = db.session.scalar(db.select(Module).where(Module.video_id == quiz["video"]))
        course = Course(title="Geo", slug="geo")
        program = Program(title="Geo path", slug="geo-path")
        db.session.add_all([course, program])
        db.session.flush()
        db.session.add(CourseModule(course_id=course.id, module_id=module.id, position=0))
        db.session.add(ProgramCourse(program_id=program.id, course_id=course.id, position=0))
        cohort = Cohort(program_id=program.id, name="C", starts_on=date(2026, 1, 1))
        db.session.add(cohort)
        db.session.flush()
        for u in (users["ann"], users["bob"], cat):
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=u.id))
        db.session.add(
            CohortMember(cohort_id=cohort.id, user_id=users["ian"].id, role="instructor")
        )
        db.session.commit()
        cohort_id = cohort.id
    s, m = quiz["single"], quiz["multiple"]
    _answer(client, h["ann"], s["id"], {"choice": s["choices"][0]})
    _answer(client, h["ann"], m["id"], {"choices": [m["choices"][0]]})
    _answer(client, h["ann"], m["id"], {"choices": m["choices"][:2]})
    _answer(client, h["ann"], quiz["numeric"]["id"], {"number": 3.14})
    _answer(client, h["ann"], quiz["text"]["id"], {"text": "Paris"})
    _answer(client, h["bob"], s["id"], {"choice": s["choices"][2]})
    _answer(client, h["bob"], quiz["numeric"]["id"], {"number": 2})
    _answer(client, factories.bearer_headers(app, dan), s["id"], {"choice": s["choices"][0]})

    auth.login(users["ian"].email)
    html = client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    assert "3 of 4 (75%)" in html and "0 of 2 (0%)" in html
    for share in ("1 of 2 (50%)", "0 of 1 (0%)", "1 of 1 (100%)"):
        assert share in html
    raw = client.get(f"/reports/cohorts/{cohort_id}/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    assert rows[0][-2:] == ["Quiz answers right", "Quiz questions answered"]
    by_email = {r[1]: r[-2:] for r in rows[1:]}
    assert by_email == {
        users["ann"].email: ["3", "4"],
        users["bob"].email: ["0", "2"],
        cat.email: ["0", "0"],
    }
    auth.logout()
    auth.login(users["ivy"].email)
    assert client.get(f"/reports/cohorts/{cohort_id}").status_code == 404


def test_oversized_question_is_refused(app, client, people, quiz) -> None:
    _, h = people
    before = question_count(app)
    body = json.dumps({"at": 1, "kind": "text", "prompt": "x" * (1024 * 1024), "texts": ["a"]})
    response = client.post(
        f"/api/v1/videos/{quiz['video']}/quiz-questions",
        data=body,
        headers={**h["ian"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert question_count(app) == before


def test_prompts_on_the_authoring_page_are_inert(app, client, auth, people) -> None:
    users, _ = people
    video_id = factories.listed_video(app, users["ian"].id, "Inert")
    add_question(
        app,
        video_id,
        1,
        "single",
        prompt="`<script>alert(1)</script>` *ok*",
        choices=[("x < 5", True), ("B", False)],
    )
    auth.login(users["ian"].email)
    html = client.get(f"/manage/videos/{video_id}/quiz").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<em>ok</em>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deleting_a_video_deletes_its_quiz(app, client, people, quiz) -> None:
    _, h = people
    _answer(client, h["ann"], quiz["numeric"]["id"], {"number": 1})
    assert client.delete(f"/api/v1/videos/{quiz['video']}", headers=h["ian"]).status_code == 204
    assert question_count(app) == 0 and stored_answers(app) == 0
