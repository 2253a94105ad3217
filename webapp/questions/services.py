"""Writes for questions and answers: ask, answer, edit, delete, moderate, settings.

Every function only flushes; the request that called it commits (notifications are
rows too, so they land in the same commit). A refused input raises ``QuestionError``
(400), a post past its edit window ``EditWindowClosed`` (403), an answer to a locked
thread ``ThreadLocked`` (409); the caller has checked who may do what (``webapp/access/``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for

from webapp.access import content_instructor_ids
from webapp.extensions import db
from webapp.markdown import html_problem
from webapp.models import Answer, Clip, Delivery, Question, QuestionSettings, User, Video
from webapp.models.base import as_utc, utcnow
from webapp.notes.services import clean_body
from webapp.notifications.services import notify

MAX_BODY = 5000
EDIT_WINDOW = timedelta(minutes=15)


class QuestionError(ValueError):
    """A question or answer that cannot be stored as sent (400)."""


class EditWindowClosed(PermissionError):
    """The author's 15 minutes to edit or delete their post are over (403)."""


class ThreadLocked(PermissionError):
    """The thread is locked: no more answers (409)."""


def check_body(body: str) -> str:
    """The cleaned Markdown source: some text, at most ``MAX_BODY`` characters."""
    text = clean_body(body)
    if not text:
        raise QuestionError("body: write some text")
    if len(text) > MAX_BODY:
        raise QuestionError(f"body: over the {MAX_BODY:,} character limit ({len(text):,})")
    if problem := html_problem(text):
        raise QuestionError(f"body: {problem}")
    return text


def absolute_at(at: float, video: Video, clip: Clip | None) -> float:
    """The recording's moment of ``at`` (seconds from the clip's start on a clip),
    inside the video (or clip), rounded to the millisecond."""
    if clip is not None:
        if at > clip.duration:
            raise QuestionError(f"at: past the end of the clip ({clip.duration:g} s)")
        return round(clip.start + at, 3)
    if video.duration is not None and at > video.duration:
        raise QuestionError(f"at: past the end of the video ({video.duration:g} s)")
    return round(at, 3)


def editable(post: Question | Answer, user: User, now: datetime | None = None) -> bool:
    """Whether ``user`` wrote ``post`` less than ``EDIT_WINDOW`` ago."""
    moment = now or utcnow()
    return post.author_id == user.id and moment - as_utc(post.created_at) < EDIT_WINDOW


def require_author_window(post: Question | Answer, user: User) -> None:
    """``EditWindowClosed`` unless ``user`` may still edit or delete ``post``."""
    if not editable(post, user):
        raise EditWindowClosed(
            "You can edit or delete your post only in the first 15 minutes after posting."
        )


def peers_may_answer(video_id: int) -> bool:
    """The video's setting (off without a row)."""
    row = db.session.get(QuestionSettings, video_id)
    return bool(row and row.peers_may_answer)


def set_peers_may_answer(video: Video, allowed: bool) -> None:
    """Let learners answer each other on ``video`` (or not)."""
    row = db.session.get(QuestionSettings, video.id)
    if row is None:
        row = QuestionSettings(video_id=video.id)
        db.session.add(row)
    row.peers_may_answer = allowed
    db.session.flush()


def question_url(question: Question) -> str:
    """The watch page (video or clip) at the question's moment, opened on the list."""
    if question.clip_id is not None:
        clip = db.session.get(Clip, question.clip_id)
        if clip is not None:
            return url_for("clips.watch", clip_id=clip.id) + f"#question-{question.id}"
    return url_for("playback.watch", video_id=question.video_id, t=int(question.at)) + (
        f"#question-{question.id}"
    )


def ask(user: User, video: Video, clip: Clip | None, at: float, body: str) -> Question:
    """A new question of ``user`` at ``at`` (relative to ``clip`` when given); the
    content's instructors are told (in their hourly digest)."""
    moment = absolute_at(at, video, clip)
    text = check_body(body)
    question = Question(
        video_id=video.id,
        clip_id=clip.id if clip is not None else None,
        at=moment,
        author_id=user.id,
        body=text,
    )
    db.session.add(question)
    db.session.flush()
    inbox = url_for("questions.inbox")
    for instructor_id in sorted(content_instructor_ids(video) - {user.id}):
        notify(
            instructor_id,
            "question.asked",
            f"New question on “{video.title}”",
            inbox,
            email=Delivery.DIGEST,
        )
    return question


def answer(user: User, question: Question, video: Video, body: str) -> Answer:
    """A new answer of ``user``; the question's author is told at once (not when they
    answer themselves)."""
    if question.locked:
        raise ThreadLocked("This question is locked: it takes no more answers.")
    text = check_body(body)
    reply = Answer(question_id=question.id, author_id=user.id, body=text)
    db.session.add(reply)
    db.session.flush()
    if question.author_id != user.id:
        notify(
            question.author_id,
            "question.answered",
            f"Your question on “{video.title}” has an answer",
            question_url(question),
            email=Delivery.NOW,
        )
    return reply


def edit(post: Question | Answer, user: User, body: str) -> None:
    """The author changes the text of their post within the edit window."""
    require_author_window(post, user)
    post.body = check_body(body)
    post.edited_at = utcnow()
    db.session.flush()


def delete_question(question: Question) -> None:
    """Remove the question and its answers."""
    db.session.delete(question)
    db.session.flush()


def delete_answer(question: Question, reply: Answer) -> None:
    """Remove an answer (and its acceptance)."""
    if question.accepted_answer_id == reply.id:
        question.accepted_answer_id = None
    db.session.delete(reply)
    db.session.flush()


def moderate(
    question: Question,
    *,
    resolved: bool | None = None,
    hidden: bool | None = None,
    locked: bool | None = None,
    accept: int | None = None,
    unaccept: bool = False,
) -> None:
    """Set what a moderator changes (None: unchanged). ``accept`` names an answer of
    this question; accepting one also marks the question resolved."""
    if accept is not None:
        if not any(a.id == accept for a in question.answers):
            raise QuestionError("accepted_answer_id: no such answer to this question")
        question.accepted_answer_id = accept
        question.resolved = True
    if unaccept:
        question.accepted_answer_id = None
    if resolved is not None:
        question.resolved = resolved
    if hidden is not None:
        question.hidden = hidden
    if locked is not None:
        question.locked = locked
    db.session.flush()


def hide_answer(reply: Answer, hidden: bool) -> None:
    """Hide an answer from learners (or show it again)."""
    reply.hidden = hidden
    db.session.flush()
