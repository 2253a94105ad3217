"""Route-matrix entries: quizzes (issue 21). A video's quiz for its audience, the
authoring pages and routes for its managers, on the public video and cohort A's private
recording; answers, edits and deletes run on a throw-away question, so the shared world
is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from webapp.extensions import db
from webapp.grading import Kind
from webapp.models import User, Video
from webapp.quizzes import services

if TYPE_CHECKING:
    from tests.support.matrix_world import World
    from tests.support.route_matrix import Entry

# Past the schema (checked before the view), refused by the question rules (a choice
# question needs two choices): 400 once the caller is through.
ONE_CHOICE = {"at": 0, "kind": "single", "prompt": "Q", "choices": [{"text": "A", "right": True}]}


def fresh_question(world: World, which: str) -> dict[str, object]:
    """A numeric question at 0 s of the public video or the cohort recording."""
    video = db.session.get(Video, world.video(which))
    owner = db.session.get(User, video.owner_id)
    draft = services.Draft(at=0.0, kind=Kind.NUMERIC, prompt="How many?", number=1.0)
    question = services.create_question(video, owner, draft)
    db.session.commit()
    return {"question_id": question.id}


def entries() -> Iterator[Entry]:
    """Learners' routes for the video's audience (clip: the clip's); the rest for the
    video's managers."""
    from tests.support.route_matrix import MANAGE, OBJECTS, TARGETS, VIEW, _at, _e

    for which in TARGETS:
        view, manage, names = VIEW[which], MANAGE[which], OBJECTS[which]
        video = _at(video_id=names["video_id"])
        fresh = partial(fresh_question, which=which)
        on_video = _at(video_id=names["video_id"])

        yield _e("api.video_quiz", "GET", view, video, variant=which)
        yield _e("api.clip_quiz", "GET", view, _at(clip_id=names["clip_id"]), variant=which)
        yield _e(
            "api.answer_quiz_question",
            "POST",
            view,
            _at(),
            fresh=fresh,
            ok=201,
            json=lambda w: {"answer": {"number": 1}},
            variant=which,
        )
        yield _e("api.list_quiz_questions", "GET", manage, video, variant=which)
        yield _e(
            "api.create_quiz_question",
            "POST",
            manage,
            video,
            ok=400,
            json=lambda w: ONE_CHOICE,
            variant=which,
        )
        yield _e(
            "api.replace_quiz_question",
            "PUT",
            manage,
            _at(),
            fresh=fresh,
            ok=400,
            json=lambda w: ONE_CHOICE,
            variant=which,
        )
        yield _e(
            "api.delete_quiz_question", "DELETE", manage, _at(), fresh=fresh, ok=204, variant=which
        )
        yield _e("quizzes.manage", "GET", manage, video, variant=which)
        yield _e("quizzes.manage", "POST", manage, video, ok=400, form=lambda w: {}, variant=which)
        yield _e("quizzes.edit", "GET", manage, on_video, fresh=fresh, variant=which)
        yield _e(
            "quizzes.edit",
            "POST",
            manage,
            on_video,
            fresh=fresh,
            ok=400,
            form=lambda w: {},
            variant=which,
        )
        yield _e("quizzes.confirm_delete", "GET", manage, on_video, fresh=fresh, variant=which)
        yield _e("quizzes.delete", "POST", manage, on_video, fresh=fresh, ok=302, variant=which)
