"""API routes for questions at a moment of a video or clip, and their answers.

Who sees a thread: the audience of its video (``video_or_404``; on a clip the clip's
decision), else 404. Who answers and moderates: ``webapp/access/`` (issue 21 section).
Posting is rate-limited per user (``QUESTIONS_POST_LIMIT``, ``limits`` notation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g

from webapp.access import (
    can_answer_question,
    can_moderate_questions,
    clip_decision_or_abort,
    content_instructor_ids,
    question_video_or_404,
    video_or_404,
)
from webapp.api.blueprint import bp
from webapp.api.contract import operation
from webapp.auth import throttle
from webapp.extensions import db
from webapp.models import Answer, Clip, Question, User, Video
from webapp.problems import ApiError, FieldError
from webapp.questions import queries, services
from webapp.questions.schemas import (
    AnswerModeration,
    AnswerOut,
    BodyChange,
    ListQuery,
    Moderation,
    NewAnswer,
    NewQuestion,
    QuestionList,
    QuestionOut,
    Settings,
    SettingsOut,
    Viewer,
    answer_out,
    question_out,
)
from webapp.questions.services import EditWindowClosed, QuestionError, ThreadLocked

DEFAULT_POST_LIMIT = "10 per minute; 100 per day"


@contextmanager
def _refused() -> Iterator[None]:
    """A post the rules refuse: nothing is stored; 400, 403 or 409 with the reason."""
    try:
        yield
    except QuestionError as exc:
        db.session.rollback()
        field, _, message = str(exc).partition(": ")
        raise ApiError(400, str(exc), [FieldError(field, message)]) from None
    except EditWindowClosed as exc:
        db.session.rollback()
        raise ApiError(403, str(exc)) from None
    except ThreadLocked as exc:
        db.session.rollback()
        raise ApiError(409, str(exc)) from None


def _spend_post(user: User) -> None:
    """Count one post of ``user``; 429 with ``Retry-After`` when they post too fast."""
    limit = current_app.config.get("QUESTIONS_POST_LIMIT") or DEFAULT_POST_LIMIT
    wait = throttle.spend("question-post", f"user-{user.id}", limit)
    if wait:
        raise ApiError(
            429,
            f"You are posting too fast; try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def _question(question_id: int) -> tuple[Question, Video, bool]:
    """The question, its video and whether the caller moderates it; 404 if they may
    not see it (hidden threads: moderators only)."""
    question = db.session.get(Question, question_id)
    if question is None:
        raise ApiError(404, "No such question.")
    video = question_video_or_404(question.video_id, question.clip_id, g.user)
    moderator = can_moderate_questions(g.user, video)
    if question.hidden and not moderator:
        raise ApiError(404, "No such question.")
    return question, video, moderator


def _answer(answer_id: int) -> tuple[Answer, Question, Video, bool]:
    reply = db.session.get(Answer, answer_id)
    if reply is None:
        raise ApiError(404, "No such answer.")
    question, video, moderator = _question(reply.question_id)
    if reply.hidden and not moderator:
        raise ApiError(404, "No such answer.")
    return reply, question, video, moderator


def _require_moderator(moderator: bool) -> None:
    if not moderator:
        raise ApiError(403, "Only the content's instructors (or an admin) may do this.")


def _viewer(threads: list[Question], video: Video, moderator: bool) -> Viewer:
    return Viewer(g.user, queries.people(threads), content_instructor_ids(video), moderator)


def _shape(question: Question, video: Video, moderator: bool, offset: float = 0.0) -> QuestionOut:
    return question_out(question, _viewer([question], video, moderator), offset)


def _listing(video: Video, search: str, clip: Clip | None = None) -> QuestionList:
    moderator = can_moderate_questions(g.user, video)
    peers = services.peers_may_answer(video.id)
    threads = queries.thread_list(
        video.id,
        moderator=moderator,
        search=search.strip(),
        start=clip.start if clip else None,
        end=clip.end if clip else None,
    )
    viewer = _viewer(threads, video, moderator)
    offset = clip.start if clip else 0.0
    return QuestionList(
        items=[question_out(q, viewer, offset) for q in threads],
        peers_may_answer=peers,
        can_answer=can_answer_question(g.user, video, peers),
        can_moderate=moderator,
    )


def _ask(video: Video, clip: Clip | None, body: NewQuestion) -> tuple[QuestionOut, int]:
    with _refused():
        services.absolute_at(body.at, video, clip)
        services.check_body(body.body)
    _spend_post(g.user)
    with _refused():
        question = services.ask(g.user, video, clip, body.at, body.body)
    db.session.commit()
    moderator = can_moderate_questions(g.user, video)
    return _shape(question, video, moderator, clip.start if clip else 0.0), 201


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/questions",
    query=ListQuery,
    responses={200: QuestionList},
    errors=(403, 404),
)
def list_questions(video_id: int, query: ListQuery) -> QuestionList:
    """A video's questions by moment, with their answers (``q`` searches them)."""
    return _listing(video_or_404(video_id, g.user), query.q)


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/questions",
    body=NewQuestion,
    responses={201: QuestionOut},
    errors=(403, 404, 429),
)
def ask_question(video_id: int, body: NewQuestion) -> tuple[QuestionOut, int]:
    """Ask a question at ``at`` seconds of the video: JSON ``{at, body}`` → 201."""
    return _ask(video_or_404(video_id, g.user), None, body)


def _clip(clip_id: int) -> Clip:
    return clip_decision_or_abort(db.session.get(Clip, clip_id), g.user)


@operation(
    bp,
    "GET",
    "/clips/<int:clip_id>/questions",
    query=ListQuery,
    responses={200: QuestionList},
    errors=(403, 404),
)
def list_clip_questions(clip_id: int, query: ListQuery) -> QuestionList:
    """The questions inside a clip's range (``at`` from the clip's start), answers too."""
    clip = _clip(clip_id)
    return _listing(clip.video, query.q, clip)


@operation(
    bp,
    "POST",
    "/clips/<int:clip_id>/questions",
    body=NewQuestion,
    responses={201: QuestionOut},
    errors=(403, 404, 429),
)
def ask_clip_question(clip_id: int, body: NewQuestion) -> tuple[QuestionOut, int]:
    """Ask at ``at`` seconds from the clip's start (stored at the recording's moment)."""
    clip = _clip(clip_id)
    return _ask(clip.video, clip, body)


@operation(
    bp,
    "PATCH",
    "/questions/<int:question_id>",
    body=BodyChange,
    responses={200: QuestionOut},
    errors=(403, 404),
)
def edit_question(question_id: int, body: BodyChange) -> QuestionOut:
    """The author edits their question (only in the first 15 minutes)."""
    question, video, moderator = _question(question_id)
    with _refused():
        services.edit(question, g.user, body.body)
    db.session.commit()
    return _shape(question, video, moderator)


@operation(bp, "DELETE", "/questions/<int:question_id>", responses={204: None}, errors=(403, 404))
def delete_question(question_id: int) -> None:
    """Delete a thread: its author in the first 15 minutes, or a moderator."""
    question, _, moderator = _question(question_id)
    if not moderator:
        with _refused():
            services.require_author_window(question, g.user)
    services.delete_question(question)
    db.session.commit()


@operation(
    bp,
    "POST",
    "/questions/<int:question_id>/answers",
    body=NewAnswer,
    responses={201: AnswerOut},
    errors=(403, 404, 409, 429),
)
def answer_question(question_id: int, body: NewAnswer) -> tuple[AnswerOut, int]:
    """Answer a question: instructors of the content and admins; learners only where the
    video lets peers answer (else 403). 409 on a locked thread."""
    question, video, moderator = _question(question_id)
    if not can_answer_question(g.user, video, services.peers_may_answer(video.id)):
        raise ApiError(403, "Only the content's instructors answer questions on this video.")
    with _refused():
        services.check_body(body.body)
        if question.locked:
            raise ThreadLocked("This question is locked: it takes no more answers.")
    _spend_post(g.user)
    with _refused():
        reply = services.answer(g.user, question, video, body.body)
    db.session.commit()
    return answer_out(reply, question, _viewer([question], video, moderator)), 201


@operation(
    bp,
    "PATCH",
    "/answers/<int:answer_id>",
    body=BodyChange,
    responses={200: AnswerOut},
    errors=(403, 404),
)
def edit_answer(answer_id: int, body: BodyChange) -> AnswerOut:
    """The author edits their answer (only in the first 15 minutes)."""
    reply, question, video, moderator = _answer(answer_id)
    with _refused():
        services.edit(reply, g.user, body.body)
    db.session.commit()
    return answer_out(reply, question, _viewer([question], video, moderator))


@operation(bp, "DELETE", "/answers/<int:answer_id>", responses={204: None}, errors=(403, 404))
def delete_answer(answer_id: int) -> None:
    """Delete an answer: its author in the first 15 minutes, or a moderator."""
    reply, question, _, moderator = _answer(answer_id)
    if not moderator:
        with _refused():
            services.require_author_window(reply, g.user)
    services.delete_answer(question, reply)
    db.session.commit()


@operation(
    bp,
    "POST",
    "/questions/<int:question_id>/moderation",
    body=Moderation,
    responses={200: QuestionOut},
    errors=(403, 404),
)
def moderate_question(question_id: int, body: Moderation) -> QuestionOut:
    """Resolve, hide, lock or accept an answer (instructors of the content, admins)."""
    question, video, moderator = _question(question_id)
    _require_moderator(moderator)
    given = body.model_fields_set
    with _refused():
        services.moderate(
            question,
            resolved=body.resolved,
            hidden=body.hidden,
            locked=body.locked,
            accept=body.accepted_answer_id,
            unaccept="accepted_answer_id" in given and body.accepted_answer_id is None,
        )
    db.session.commit()
    return _shape(question, video, moderator)


@operation(
    bp,
    "POST",
    "/answers/<int:answer_id>/moderation",
    body=AnswerModeration,
    responses={200: AnswerOut},
    errors=(403, 404),
)
def moderate_answer(answer_id: int, body: AnswerModeration) -> AnswerOut:
    """Hide an answer from learners or show it again (moderators)."""
    reply, question, video, moderator = _answer(answer_id)
    _require_moderator(moderator)
    services.hide_answer(reply, body.hidden)
    db.session.commit()
    return answer_out(reply, question, _viewer([question], video, moderator))


@operation(
    bp,
    "PUT",
    "/videos/<int:video_id>/question-settings",
    body=Settings,
    responses={200: SettingsOut},
    errors=(403, 404),
)
def put_question_settings(video_id: int, body: Settings) -> SettingsOut:
    """Let learners answer each other's questions on a video (instructors, admins)."""
    video = video_or_404(video_id, g.user)
    _require_moderator(can_moderate_questions(g.user, video))
    services.set_peers_may_answer(video, body.peers_may_answer)
    db.session.commit()
    return SettingsOut(video_id=video.id, peers_may_answer=body.peers_may_answer)
