"""The JSON shapes of questions and answers (the contract of issue 21)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from webapp.api.contract import Input, Output, Query, Timestamp
from webapp.markdown import to_html
from webapp.models import Answer, Question, User
from webapp.questions.services import MAX_BODY, editable

Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Body = Annotated[
    str,
    Field(
        max_length=MAX_BODY * 2,
        description="Markdown source (cleaned of control characters; 1 to 5,000 characters).",
    ),
]


class NewQuestion(Input):
    """A question at a moment: seconds from the start of the video (of the clip, on a clip)."""

    at: Seconds
    body: Body


class NewAnswer(Input):
    """An answer's Markdown text."""

    body: Body


class BodyChange(Input):
    """The author's new text for their post (within 15 minutes of posting)."""

    body: Body


class Moderation(Input):
    """What a moderator changes on a thread (absent: unchanged). ``accepted_answer_id``
    names an answer of this question (null: none accepted); accepting resolves."""

    resolved: bool | None = None
    hidden: bool | None = None
    locked: bool | None = None
    accepted_answer_id: int | None = None


class AnswerModeration(Input):
    """Hide an answer from learners, or show it again."""

    hidden: bool


class Settings(Input):
    """A video's question settings."""

    peers_may_answer: bool


class SettingsOut(Output):
    """A video's question settings."""

    video_id: int
    peers_may_answer: bool


class ListQuery(Query):
    """``q``: only threads whose question or answers contain this text."""

    q: Annotated[str, Field(max_length=200)] = ""


class AuthorOut(Output):
    """Who wrote a post (the name they gave; no e-mail address)."""

    id: int
    name: str
    instructor: bool


class AnswerOut(Output):
    """An answer: ``body_html`` is sanitised HTML rendered from ``body``."""

    id: int
    question_id: int
    body: str
    body_html: str
    author: AuthorOut
    created_at: Timestamp
    edited_at: Timestamp | None
    hidden: bool
    accepted: bool
    can_edit: bool = Field(description="The caller wrote it less than 15 minutes ago.")


class QuestionOut(Output):
    """A thread. ``at``: seconds from the start of what was asked for (the clip's start
    on a clip list); ``video_at``: on the whole recording."""

    id: int
    video_id: int
    clip_id: int | None
    at: float
    video_at: float
    body: str
    body_html: str
    author: AuthorOut
    created_at: Timestamp
    edited_at: Timestamp | None
    resolved: bool
    hidden: bool
    locked: bool
    accepted_answer_id: int | None
    can_edit: bool
    answers: list[AnswerOut]


class QuestionList(Output):
    """A video's (or clip's) threads by moment, and what the caller may do there."""

    items: list[QuestionOut]
    peers_may_answer: bool
    can_answer: bool
    can_moderate: bool


@dataclass(frozen=True)
class Viewer:
    """Who is reading, and what they may see of the people in a thread."""

    user: User
    who: dict[int, User]  # authors by id
    teachers: set[int]  # instructors of the content
    moderator: bool

    def author(self, author_id: int) -> AuthorOut:
        """A learner's name reaches only the learner and the moderators; other learners
        read "A learner" (instructors' names are shown to everyone)."""
        instructor = author_id in self.teachers
        user = self.who.get(author_id)
        named = instructor or self.moderator or author_id == self.user.id
        fallback = "Instructor" if instructor else "A learner"
        name = (user.name if user is not None and named else "") or fallback
        return AuthorOut(id=author_id, name=name, instructor=instructor)


def answer_out(reply: Answer, question: Question, viewer: Viewer) -> AnswerOut:
    """The shape of ``reply`` for ``viewer``."""
    return AnswerOut(
        id=reply.id,
        question_id=reply.question_id,
        body=reply.body,
        body_html=to_html(reply.body),
        author=viewer.author(reply.author_id),
        created_at=reply.created_at,
        edited_at=reply.edited_at,
        hidden=reply.hidden,
        accepted=question.accepted_answer_id == reply.id,
        can_edit=editable(reply, viewer.user),
    )


def question_out(question: Question, viewer: Viewer, offset: float = 0.0) -> QuestionOut:
    """The shape of ``question`` for ``viewer`` (hidden answers only for moderators);
    ``offset``: the clip's start when listed on a clip."""
    answers = [a for a in question.answers if viewer.moderator or not a.hidden]
    return QuestionOut(
        id=question.id,
        video_id=question.video_id,
        clip_id=question.clip_id,
        at=round(max(0.0, question.at - offset), 3),
        video_at=question.at,
        body=question.body,
        body_html=to_html(question.body),
        author=viewer.author(question.author_id),
        created_at=question.created_at,
        edited_at=question.edited_at,
        resolved=question.resolved,
        hidden=question.hidden,
        locked=question.locked,
        accepted_answer_id=question.accepted_answer_id,
        can_edit=editable(question, viewer.user),
        answers=[answer_out(a, question, viewer) for a in answers],
    )
