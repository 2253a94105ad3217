"""Reads for questions: one video's (or clip's) threads, and an instructor's inbox.

Searching matches the text of the question or of any of its answers (LIKE, with what
was typed escaped: ``webapp/likes.py``). Hidden threads and answers are the
moderators'; everyone else never receives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.access import taught_video_rule, visible_videos
from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import Answer, Question, User, Video

FILTERS = ("unanswered", "all", "resolved")
INBOX_LIMIT = 200


def _matching(text: str) -> ColumnElement[bool]:
    pattern = contains(text)
    in_answer = exists().where(
        Answer.question_id == Question.id, Answer.body.ilike(pattern, escape=LIKE_ESCAPE)
    )
    return or_(Question.body.ilike(pattern, escape=LIKE_ESCAPE), in_answer)


def thread_list(
    video_id: int,
    *,
    moderator: bool,
    search: str = "",
    start: float | None = None,
    end: float | None = None,
) -> list[Question]:
    """The video's questions by moment (answers loaded), inside [start, end] when given;
    hidden ones only for a moderator."""
    query = (
        select(Question)
        .where(Question.video_id == video_id)
        .options(selectinload(Question.answers))
        .order_by(Question.at, Question.id)
    )
    if not moderator:
        query = query.where(Question.hidden.is_(False))
    if start is not None:
        query = query.where(Question.at >= start)
    if end is not None:
        query = query.where(Question.at <= end)
    if search:
        query = query.where(_matching(search))
    return list(db.session.scalars(query))


def people(questions: Iterable[Question]) -> dict[int, User]:
    """The authors of these questions and of their answers, by id (one query)."""
    ids = set()
    for question in questions:
        ids.add(question.author_id)
        ids.update(a.author_id for a in question.answers)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass
class InboxItem:
    """One thread in an instructor's inbox."""

    question: Question
    video: Video
    answered: bool


def inbox(user: User, show: str = "unanswered", search: str = "") -> list[InboxItem]:
    """Questions on the videos ``user`` teaches that they can see: unanswered ones
    first, then newest first. ``show``: unanswered, all, or resolved."""
    answered = exists().where(Answer.question_id == Question.id)
    query = visible_videos(
        select(Question, Video, answered.label("answered"))
        .join(Video, Video.id == Question.video_id)
        .where(taught_video_rule(user))
        .options(selectinload(Question.answers)),
        user,
    )
    if show == "unanswered":
        query = query.where(and_(~answered, Question.resolved.is_(False)))
    elif show == "resolved":
        query = query.where(Question.resolved.is_(True))
    if search:
        query = query.where(_matching(search))
    first = case((answered, 1), else_=0)
    query = query.order_by(first, Question.created_at.desc(), Question.id.desc())
    rows = db.session.execute(query.limit(INBOX_LIMIT)).all()
    return [InboxItem(q, v, bool(a)) for q, v, a in rows]


def unanswered_count(user: User) -> int:
    """How many open questions wait in ``user``'s inbox."""
    answered = exists().where(Answer.question_id == Question.id)
    query = visible_videos(
        select(func.count(Question.id))
        .select_from(Question)
        .join(Video, Video.id == Question.video_id)
        .where(taught_video_rule(user), ~answered, Question.resolved.is_(False)),
        user,
    )
    return int(db.session.scalar(query) or 0)
