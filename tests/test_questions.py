"""Questions at the moment: the API contract, who sees and answers, moderation, the
15-minute edit window, the rate limit, search, sanitised HTML, bad input, notifications,
clips, and the instructors' inbox page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support import factories
from tests.support.auth import Auth
from tests.support.questions import QuestionsApi
from webapp.catalogue.services import module_of_video
from webapp.extensions import db
from webapp.models import (
    Answer,
    Clip,
    CohortMember,
    Course,
    CourseModule,
    Delivery,
    Notification,
    Question,
    User,
)

UserInfo = factories.UserInfo


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> QuestionsApi:
    """The questions API as any user."""
    return QuestionsApi(app, client)


@pytest.fixture
def world(app: Flask, make_user) -> Iterator[dict]:
    """An instructor's 600 s lesson, a learner, another learner and another instructor."""
    instructor = make_user("instructor")
    video_id = factories.listed_video(app, instructor.id, "Regression basics")
    yield {
        "instructor": instructor,
        "learner": make_user("learner"),
        "peer": make_user("learner"),
        "other_instructor": make_user("instructor"),
        "admin": make_user("admin"),
        "video": video_id,
    }


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _notifications(app: Flask) -> list[tuple[int, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.user_id, Notification.kind, Notification.delivery).order_by(
                Notification.id
            )
        ).all()
        return [(u, k, str(d)) for u, k, d in rows]


# --------------------------------------------------------------------------- contract


def test_ask_list_answer_contract(app: Flask, api: QuestionsApi, world) -> None:
    learner, instructor, video = world["learner"], world["instructor"], world["video"]
    asked = api.call(
        learner, "POST", f"/api/v1/videos/{video}/questions", {"at": 42, "body": "Why **n-1**?"}
    )
    assert asked.status_code == 201
    question = asked.get_json()
    assert question["at"] == 42
    assert question["body_html"] == "<p>Why <strong>n-1</strong>?</p>"
    assert question["author"] == {"id": learner.id, "name": "A learner", "instructor": False}
    assert question["resolved"] is False and question["answers"] == []
    assert question["can_edit"] is True

    answered = api.answer(instructor, question["id"], "Because of *bias*.")
    assert answered.status_code == 201
    answer = answered.get_json()
    assert answer["body_html"] == "<p>Because of <em>bias</em>.</p>"
    assert answer["author"]["instructor"] is True

    listing = api.listing(learner, video)
    assert listing.status_code == 200
    data = listing.get_json()
    assert data["peers_may_answer"] is False
    assert data["can_answer"] is False and data["can_moderate"] is False
    (item,) = data["items"]
    assert item["id"] == question["id"] and item["at"] == 42 and item["resolved"] is False
    assert [a["id"] for a in item["answers"]] == [answer["id"]]
    assert item["answers"][0]["body_html"] == answer["body_html"]
    assert item["answers"][0]["author"]["id"] == instructor.id


def test_a_learners_name_reaches_only_them_and_the_moderators(
    app: Flask, api: QuestionsApi, world
) -> None:
    learner, video = world["learner"], world["video"]
    with app.app_context():
        db.session.get_one(User, learner.id).name = "Ada Lovelace"
        db.session.commit()
    api.ask(learner, video, 3, "Named?")
    names = {
        who: api.listing(world[who], video).get_json()["items"][0]["author"]["name"]
        for who in ("learner", "peer", "instructor", "admin")
    }
    assert names == {
        "learner": "Ada Lovelace",
        "peer": "A learner",
        "instructor": "Ada Lovelace",
        "admin": "Ada Lovelace",
    }


def test_learners_answer_only_when_peers_may(app: Flask, api: QuestionsApi, world) -> None:
    learner, peer, video = world["learner"], world["peer"], world["video"]
    question_id = api.ask(learner, video, 10, "What is a residual?")
    refused = api.answer(peer, question_id, "The gap to the line.")
    assert refused.status_code == 403
    assert _count(app, Answer) == 0
    # Only the content's instructors set it.
    settings = f"/api/v1/videos/{video}/question-settings"
    assert api.call(peer, "PUT", settings, {"peers_may_answer": True}).status_code == 403
    assert (
        api.call(world["other_instructor"], "PUT", settings, {"peers_may_answer": True}).status_code
        == 403
    )
    on = api.call(world["instructor"], "PUT", settings, {"peers_may_answer": True})
    assert on.status_code == 200 and on.get_json()["peers_may_answer"] is True
    assert api.answer(peer, question_id, "The gap to the line.").status_code == 201
    assert api.listing(peer, video).get_json()["can_answer"] is True


def test_instructors_of_the_content_answer(app: Flask, api: QuestionsApi, world) -> None:
    """The owner, a course creator holding the video, a cohort instructor of a program
    holding that course, and admins answer; another instructor does not."""
    learner, video = world["learner"], world["video"]
    course_author, stranger = world["other_instructor"], UserInfo(0, "", "", "")
    question_id = api.ask(learner, video, 5, "First?")
    assert api.answer(course_author, question_id, "Not mine").status_code == 403
    with app.app_context():
        course = Course(title="Stats", slug="stats-q", created_by=course_author.id)
        db.session.add(course)
        db.session.flush()
        module = module_of_video(video)
        assert module is not None
        db.session.add(CourseModule(course_id=course.id, module_id=module.id, position=0))
        db.session.commit()
    assert api.answer(course_author, question_id, "Now mine").status_code == 201
    assert api.answer(world["admin"], question_id, "Admin too").status_code == 201
    assert api.answer(world["instructor"], question_id, "Owner").status_code == 201
    del stranger


# --------------------------------------------------------------------------- audiences


def test_cohort_recording_keeps_its_questions(app: Flask, api: QuestionsApi, make_user) -> None:
    instructor = make_user("instructor")
    video = factories.listed_video(app, instructor.id, "Week 1 class")
    member, outsider = make_user("learner"), make_user("learner")
    teacher = make_user("instructor")
    with app.app_context():
        cohort = factories.add_cohort_recording(video, "cohort-questions", datetime.now(UTC))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=member.id, role="learner"))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=teacher.id, role="instructor"))
        db.session.commit()
    question_id = api.ask(member, video, 3, "Cohort only")
    assert api.listing(outsider, video).status_code == 404
    created = api.call(
        outsider, "POST", f"/api/v1/videos/{video}/questions", {"at": 1, "body": "x"}
    )
    assert created.status_code == 404
    assert api.answer(outsider, question_id, "x").status_code == 404
    assert (
        api.call(outsider, "PATCH", f"/api/v1/questions/{question_id}", {"body": "x"}).status_code
        == 404
    )
    # The cohort's instructor teaches its recording.
    assert api.answer(teacher, question_id, "Good one").status_code == 201
    assert _count(app, Question) == 1 and _count(app, Answer) == 1
    assert [i["id"] for i in api.listing(member, video).get_json()["items"]] == [question_id]


def test_clip_questions_are_stored_at_the_recording_moment(
    app: Flask, api: QuestionsApi, world
) -> None:
    learner, video = world["learner"], world["video"]
    with app.app_context():
        clip = Clip(
            video_id=video,
            title="Middle",
            start=100.0,
            end=160.0,
            created_by=world["instructor"].id,
        )
        db.session.add(clip)
        db.session.commit()
        clip_id = clip.id
    outside = api.ask(learner, video, 30, "Before the clip")
    inside = api.ask(learner, video, 120, "Inside the clip")
    asked = api.call(
        learner, "POST", f"/api/v1/clips/{clip_id}/questions", {"at": 5, "body": "On the clip"}
    )
    assert asked.status_code == 201
    assert asked.get_json()["at"] == 5 and asked.get_json()["video_at"] == 105
    beyond = api.call(
        learner, "POST", f"/api/v1/clips/{clip_id}/questions", {"at": 61, "body": "x"}
    )
    assert beyond.status_code == 400
    on_clip = api.call(learner, "GET", f"/api/v1/clips/{clip_id}/questions").get_json()["items"]
    assert [(i["at"], i["video_at"]) for i in on_clip] == [(5, 105), (20, 120)]
    on_video = api.listing(learner, video).get_json()["items"]
    assert [i["at"] for i in on_video] == [30, 105, 120]
    assert outside != inside


# --------------------------------------------------------------------------- moderation


def test_moderation_by_instructors(app: Flask, api: QuestionsApi, world) -> None:
    learner, instructor, peer, video = (
        world["learner"],
        world["instructor"],
        world["peer"],
        world["video"],
    )
    question_id = api.ask(learner, video, 12, "Moderate me")
    answer_id = api.answer(instructor, question_id, "An answer").get_json()["id"]
    url = f"/api/v1/questions/{question_id}/moderation"
    assert api.call(learner, "POST", url, {"resolved": True}).status_code == 403
    accepted = api.call(instructor, "POST", url, {"accepted_answer_id": answer_id})
    assert accepted.status_code == 200
    assert accepted.get_json()["accepted_answer_id"] == answer_id
    assert accepted.get_json()["resolved"] is True
    assert accepted.get_json()["answers"][0]["accepted"] is True
    unresolved = api.call(instructor, "POST", url, {"resolved": False}).get_json()
    assert unresolved["resolved"] is False
    # Another question's answer cannot be accepted here.
    other = api.ask(learner, video, 13, "Other")
    other_answer = api.answer(instructor, other, "Elsewhere").get_json()["id"]
    wrong = api.call(instructor, "POST", url, {"accepted_answer_id": other_answer})
    assert wrong.status_code == 400
    assert api.call(instructor, "POST", url, {"locked": True}).get_json()["locked"] is True
    locked = api.answer(instructor, question_id, "More")
    assert locked.status_code == 409
    # Hidden: gone for learners (404 on the thread), still there for moderators.
    assert api.call(instructor, "POST", url, {"hidden": True}).status_code == 200
    assert [i["id"] for i in api.listing(peer, video).get_json()["items"]] == [other]
    assert len(api.listing(instructor, video).get_json()["items"]) == 2
    assert (
        api.call(peer, "PATCH", f"/api/v1/questions/{question_id}", {"body": "x"}).status_code
        == 404
    )
    assert api.call(instructor, "POST", url, {"hidden": False}).status_code == 200
    # Hiding an answer.
    hid = api.call(
        instructor, "POST", f"/api/v1/answers/{other_answer}/moderation", {"hidden": True}
    )
    assert hid.status_code == 200
    other_item = [i for i in api.listing(peer, video).get_json()["items"] if i["id"] == other][0]
    assert other_item["answers"] == []
    # Delete by a moderator, any time.
    assert api.call(instructor, "DELETE", f"/api/v1/questions/{question_id}").status_code == 204
    with app.app_context():
        assert db.session.get(Question, question_id) is None
        assert db.session.get(Answer, answer_id) is None


def test_fifteen_minute_edit_window(app: Flask, api: QuestionsApi, world, clock) -> None:
    learner, instructor, video = world["learner"], world["instructor"], world["video"]
    question_id = api.ask(learner, video, 20, "Frist")
    url = f"/api/v1/questions/{question_id}"
    edited = api.call(learner, "PATCH", url, {"body": "First"})
    assert edited.status_code == 200 and edited.get_json()["body_html"] == "<p>First</p>"
    assert edited.get_json()["edited_at"] is not None
    # Nobody else edits it, not even an instructor.
    assert api.call(instructor, "PATCH", url, {"body": "Hijack"}).status_code == 403
    answer_id = api.answer(instructor, question_id, "Answer").get_json()["id"]
    clock.shift(14 * 60 + 59)
    assert api.call(learner, "PATCH", url, {"body": "Still in time"}).status_code == 200
    clock.shift(2)
    late = api.call(learner, "PATCH", url, {"body": "Too late"})
    assert late.status_code == 403
    assert "15 minutes" in late.get_json()["detail"]
    assert api.call(learner, "DELETE", url).status_code == 403
    late_answer = api.call(instructor, "PATCH", f"/api/v1/answers/{answer_id}", {"body": "x"})
    assert late_answer.status_code == 403
    with app.app_context():
        assert db.session.get_one(Question, question_id).body == "Still in time"
    listed = api.listing(learner, video).get_json()["items"][0]
    assert listed["can_edit"] is False


def test_author_deletes_within_the_window(app: Flask, api: QuestionsApi, world) -> None:
    question_id = api.ask(world["learner"], world["video"], 1, "Oops")
    assert api.call(world["peer"], "DELETE", f"/api/v1/questions/{question_id}").status_code == 403
    assert (
        api.call(world["learner"], "DELETE", f"/api/v1/questions/{question_id}").status_code == 204
    )
    assert _count(app, Question) == 0


# --------------------------------------------------------------------------- limits, search, html


def test_posting_is_rate_limited(app: Flask, api: QuestionsApi, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "QUESTIONS_POST_LIMIT", "3 per minute")
    for n in range(3):
        api.ask(world["learner"], world["video"], n, f"Question {n}")
    refused = api.call(
        world["learner"],
        "POST",
        f"/api/v1/videos/{world['video']}/questions",
        {"at": 9, "body": "4th"},
    )
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert _count(app, Question) == 3
    # Per user: another learner still posts.
    api.ask(world["peer"], world["video"], 9, "Mine")


def test_search_on_the_video_list(api: QuestionsApi, world) -> None:
    learner, instructor, video = world["learner"], world["instructor"], world["video"]
    a = api.ask(learner, video, 1, "What is 100% R-squared?")
    b = api.ask(learner, video, 2, "Slope of the line")
    api.answer(instructor, b, "It is the coefficient_beta")
    ids = lambda q: [i["id"] for i in api.listing(learner, video, q).get_json()["items"]]  # noqa: E731
    assert ids("100%25") == [a]  # "100%": the % matches itself
    assert ids("coefficient_b") == [b]  # found in an answer
    assert ids("t_e") == []  # "_" is no wildcard
    assert ids("SLOPE") == [b]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="http://evil">raw</a>',
        "Why is this **bold**? <b>not this</b>",
    ],
)
def test_raw_html_is_refused_and_nothing_is_stored(
    app: Flask, api: QuestionsApi, world, text: str
) -> None:
    asked = api.call(
        world["learner"],
        "POST",
        f"/api/v1/videos/{world['video']}/questions",
        {"at": 1, "body": text},
    )
    assert asked.status_code == 400
    assert "Raw HTML is not allowed" in json.dumps(asked.get_json()["errors"])
    question_id = api.ask(world["learner"], world["video"], 1, "Fine?")
    answered = api.answer(world["instructor"], question_id, text)
    assert answered.status_code == 400
    assert _count(app, Question) == 1 and _count(app, Answer) == 0


def test_code_about_html_and_script_links_are_shown_inert(api: QuestionsApi, world) -> None:
    question_id = api.ask(
        world["learner"], world["video"], 1, "Why does `<script>` not run? [x](javascript:alert(1))"
    )
    api.answer(world["instructor"], question_id, "See `<img onerror>` [y](javascript:alert(2))")
    item = api.listing(world["learner"], world["video"]).get_json()["items"][0]
    assert "<code>&lt;script&gt;</code>" in item["body_html"]
    for html in (item["body_html"], item["answers"][0]["body_html"]):
        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


# --------------------------------------------------------------------------- bad input


BAD_QUESTIONS = [
    ({"at": 1, "body": "x", "extra": 1}, "extra"),
    ({"at": "1", "body": "x"}, "at"),
    ({"at": 1, "body": 5}, "body"),
    ({"at": -1, "body": "x"}, "at"),
    ({"at": 601, "body": "x"}, "at"),
    ({"at": 1, "body": "   "}, "body"),
    ({"at": 1, "body": "x" * 5001}, "body"),
    ({"body": "x"}, "at"),
    ({"at": 1}, "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_QUESTIONS)
def test_bad_questions_are_refused(app: Flask, api: QuestionsApi, world, body, field) -> None:
    response = api.call(
        world["learner"], "POST", f"/api/v1/videos/{world['video']}/questions", body
    )
    assert response.status_code == 400
    assert field in json.dumps(response.get_json()["errors"])
    assert _count(app, Question) == 0


def test_huge_and_malformed_bodies_change_nothing(app: Flask, api: QuestionsApi, world) -> None:
    url = f"/api/v1/videos/{world['video']}/questions"
    huge = json.dumps({"at": 1, "body": "x" * (1024 * 1024)})
    assert api.call(world["learner"], "POST", url, raw=huge).status_code == 413
    assert api.call(world["learner"], "POST", url, raw="{not json").status_code == 400
    assert api.call(world["learner"], "POST", url, raw="[1, 2]").status_code == 400
    assert _count(app, Question) == 0 and _notifications(app) == []


def test_unknown_and_unseen_ids(app: Flask, api: QuestionsApi, world, make_user) -> None:
    learner = world["learner"]
    assert api.answer(world["instructor"], 999_999, "x").status_code == 404
    assert api.listing(learner, 999_999).status_code == 404
    assert (
        api.call(
            learner, "POST", "/api/v1/videos/999999/questions", {"at": 1, "body": "x"}
        ).status_code
        == 404
    )
    assert api.call(learner, "PATCH", "/api/v1/answers/999999", {"body": "x"}).status_code == 404
    assert api.call(learner, "DELETE", "/api/v1/questions/999999").status_code == 404
    # A draft video nobody but its owner sees.
    owner = world["instructor"]
    with app.app_context():
        from webapp.models import Video, VideoState

        draft = Video(title="Draft", owner_id=owner.id, state=VideoState.UPLOADED.value)
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    assert api.listing(learner, draft_id).status_code == 404
    assert (
        api.call(
            learner, "POST", f"/api/v1/videos/{draft_id}/questions", {"at": 0, "body": "x"}
        ).status_code
        == 404
    )
    assert _count(app, Question) == 0 and _count(app, Answer) == 0


# --------------------------------------------------------------------------- notifications


def test_notifications(app: Flask, api: QuestionsApi, world) -> None:
    learner, instructor, video = world["learner"], world["instructor"], world["video"]
    question_id = api.ask(learner, video, 42, "Notify?")
    assert _notifications(app) == [(instructor.id, "question.asked", str(Delivery.DIGEST))]
    api.answer(instructor, question_id, "Yes")
    assert _notifications(app)[-1] == (learner.id, "question.answered", str(Delivery.NOW))
    # The author answering their own question tells nobody.
    with app.app_context():
        from webapp.models import Video
        from webapp.questions.services import set_peers_may_answer

        set_peers_may_answer(db.session.get_one(Video, video), True)
        db.session.commit()
    api.answer(learner, question_id, "Self")
    assert len(_notifications(app)) == 2


# --------------------------------------------------------------------------- the inbox page


def _csrf(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_inbox_page(app: Flask, client: FlaskClient, api: QuestionsApi, world, auth: Auth) -> None:
    learner, instructor, video = world["learner"], world["instructor"], world["video"]
    old = api.ask(learner, video, 5, "Answered one")
    api.answer(instructor, old, "Done")
    fresh = api.ask(learner, video, 6, "Open `<b>one</b>`")
    auth.login(learner.email)
    assert client.get("/teach/questions").status_code == 403
    auth.logout()
    auth.login(world["other_instructor"].email)
    page = client.get("/teach/questions?show=all").get_data(as_text=True)
    assert "Open" not in page  # not their content
    auth.logout()
    auth.login(instructor.email)
    page = client.get("/teach/questions?show=all").get_data(as_text=True)
    assert page.index(f'id="question-{fresh}"') < page.index(f'id="question-{old}"')
    assert "<b>one</b>" not in page and "<code>&lt;b&gt;one&lt;/b&gt;</code>" in page
    unanswered = client.get("/teach/questions").get_data(as_text=True)
    assert f'id="question-{fresh}"' in unanswered and f'id="question-{old}"' not in unanswered
    searched = client.get("/teach/questions?show=all&q=answered").get_data(as_text=True)
    assert f'id="question-{old}"' in searched and f'id="question-{fresh}"' not in searched

    token = _csrf(client, "/teach/questions")
    empty = client.post(f"/teach/questions/{fresh}/answer", data={"csrf_token": token, "body": ""})
    assert empty.status_code == 400
    assert _count(app, Answer) == 1
    too_long = "y" * 5001
    kept = client.post(
        f"/teach/questions/{fresh}/answer", data={"csrf_token": token, "body": too_long}
    )
    assert kept.status_code == 400 and too_long in kept.get_data(as_text=True)
    no_csrf = client.post(f"/teach/questions/{fresh}/answer", data={"body": "x"})
    assert no_csrf.status_code == 400
    done = client.post(
        f"/teach/questions/{fresh}/answer", data={"csrf_token": token, "body": "Here"}
    )
    assert done.status_code == 302
    assert _count(app, Answer) == 2
    resolved = client.post(
        f"/teach/questions/{fresh}/moderate", data={"csrf_token": token, "action": "resolve"}
    )
    assert resolved.status_code == 302
    with app.app_context():
        assert db.session.get_one(Question, fresh).resolved is True
    bogus = client.post(
        f"/teach/questions/{fresh}/moderate", data={"csrf_token": token, "action": "explode"}
    )
    assert bogus.status_code == 400
    gone = client.post(
        f"/teach/questions/{old}/moderate", data={"csrf_token": token, "action": "delete"}
    )
    assert gone.status_code == 302 and _count(app, Question) == 1
    # The teaching menu links the inbox.
    assert 'href="/teach/questions"' in client.get("/").get_data(as_text=True)
