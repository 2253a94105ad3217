"""Route-matrix entries: questions (issue 21) — the threads API on the public video and
on cohort A's recording (and their clips), and the instructors' inbox.

Posts send a body the schema accepts and the question rules refuse (blank text): 400
once past the access checks, nothing stored and no rate-limit count spent. Edits,
deletes and moderation work on throw-away threads (``fresh=``): a question of learner A,
and an answer of instructor A (who owns both videos and teaches cohort A)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from webapp.extensions import db
from webapp.models import Answer, Question

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry, Policy

BLANK = {"at": 1, "body": " "}


def fresh_question(world: World, which: str) -> dict[str, Any]:
    """A new question of learner A at 1 s of the target video."""
    question = Question(
        video_id=world.video(which), at=1.0, author_id=world.users["learner_a"], body="Why?"
    )
    db.session.add(question)
    db.session.commit()
    return {"question_id": question.id}


def fresh_answer(world: World, which: str) -> dict[str, Any]:
    """A new answer of instructor A to a new question of learner A."""
    question_id = fresh_question(world, which)["question_id"]
    reply = Answer(question_id=question_id, author_id=world.users["instructor_a"], body="So.")
    db.session.add(reply)
    db.session.commit()
    return {"answer_id": reply.id}


def _policies(which: str) -> dict[str, Policy]:
    """The rows of this feature that differ by target (public video, cohort recording)."""
    from tests.support.route_matrix import MANAGE, VIEW, Policy

    public = which == "public"
    other = "403" if public else "404"  # learner B and instructor B on the target
    suffix = "" if public else "_C"
    return {
        "view": VIEW[which],
        "manage": MANAGE[which],
        "author_edit": Policy(
            "Q_AUTHOR" + suffix, "learner A, the post's author", f"auth ok {other} 403 {other} 403"
        ),
        "author_or_moderator": Policy(
            "Q_DELETE" + suffix, "the author, moderators", f"auth ok {other} ok {other} ok"
        ),
        "answer_author": Policy(
            "A_AUTHOR" + suffix,
            "instructor A, the answer's author",
            f"auth 403 {other} ok {other} 403",
        ),
        # The inbox's forms turn away whoever has no inbox (learners) first.
        "inbox": Policy(
            "INBOX" + suffix, "the content's instructors, admins", f"auth 403 403 ok {other} ok"
        ),
    }


def _target_entries(which: str) -> Iterator[Entry]:
    from tests.support.route_matrix import OBJECTS, _at, _e

    names = OBJECTS[which]
    video = _at(video_id=names["video_id"])
    clip = _at(clip_id=names["clip_id"])
    fresh = _at()
    question = partial(fresh_question, which=which)
    answer = partial(fresh_answer, which=which)
    p = _policies(which)
    v = {"variant": which}

    yield _e("api.list_questions", "GET", p["view"], video, **v)
    yield _e("api.ask_question", "POST", p["view"], video, ok=400, json=_blank, **v)
    yield _e("api.list_clip_questions", "GET", p["view"], clip, **v)
    yield _e("api.ask_clip_question", "POST", p["view"], clip, ok=400, json=_blank, **v)
    edit = {"json": lambda w: {"body": "Edited"}}
    yield _e("api.edit_question", "PATCH", p["author_edit"], fresh, fresh=question, **edit, **v)
    yield _e(
        "api.delete_question",
        "DELETE",
        p["author_or_moderator"],
        fresh,
        fresh=question,
        ok=204,
        **v,
    )
    blank_answer = {"json": lambda w: {"body": " "}}
    yield _e(
        "api.answer_question",
        "POST",
        p["manage"],
        fresh,
        fresh=question,
        ok=400,
        **blank_answer,
        **v,
    )
    resolve = {"json": lambda w: {"resolved": True}}
    yield _e("api.moderate_question", "POST", p["manage"], fresh, fresh=question, **resolve, **v)
    yield _e("api.edit_answer", "PATCH", p["answer_author"], fresh, fresh=answer, **edit, **v)
    yield _e("api.delete_answer", "DELETE", p["manage"], fresh, fresh=answer, ok=204, **v)
    hide = {"json": lambda w: {"hidden": True}}
    yield _e("api.moderate_answer", "POST", p["manage"], fresh, fresh=answer, **hide, **v)
    peers = {"json": lambda w: {"peers_may_answer": False}}
    yield _e("api.put_question_settings", "PUT", p["manage"], video, **peers, **v)
    empty = {"form": lambda w: {}}
    yield _e("questions.answer", "POST", p["inbox"], fresh, fresh=question, ok=400, **empty, **v)
    yield _e("questions.moderate", "POST", p["inbox"], fresh, fresh=question, ok=400, **empty, **v)


def _blank(world: World) -> dict[str, Any]:
    return dict(BLANK)


def entries() -> Iterator[Entry]:
    """This feature's entries."""
    from tests.support.route_matrix import UPLOADER, _e

    yield _e("questions.inbox", "GET", UPLOADER)
    for which in ("public", "cohort"):
        yield from _target_entries(which)
