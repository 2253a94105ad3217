"""The instructors' questions inbox: every thread on the videos they teach, unanswered
first, with filters, search, an inline answer form and the moderation buttons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from webapp import timefmt
from webapp.access import can_moderate_questions, can_use_question_inbox, question_video_or_404
from webapp.auth import throttle
from webapp.extensions import db
from webapp.markdown import to_html
from webapp.models import Question
from webapp.models.base import as_utc
from webapp.questions import queries, services
from webapp.questions.forms import AnswerForm, ModerateForm
from webapp.questions.services import QuestionError, ThreadLocked

bp = Blueprint("questions", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    zone = getattr(current_user, "time_zone", None) or "UTC"
    return {
        "render_markdown": lambda text: Markup(to_html(text)),  # to_html sanitises (nh3)
        "when": lambda value: timefmt.moment(as_utc(value), zone),
    }


DEFAULT_POST_LIMIT = "10 per minute; 100 per day"


def _require_inbox() -> None:
    if not can_use_question_inbox(current_user):
        abort(403, "The questions inbox is for instructors and admins.")


def _filters() -> tuple[str, str]:
    show = request.values.get("show", "unanswered")
    if show not in queries.FILTERS:
        show = "unanswered"
    return show, request.values.get("q", "").strip()[:200]


def _render(status: int = 200, forms: dict[int, AnswerForm] | None = None, **extra: Any):
    show, search = _filters()
    items = queries.inbox(current_user, show, search)
    who = queries.people([item.question for item in items])
    page = render_template(
        "questions/inbox.html",
        items=items,
        who=who,
        show=show,
        search=search,
        filters=queries.FILTERS,
        forms=forms or {},
        blank=AnswerForm(formdata=None),
        **extra,
    )
    return page, status


def _back() -> Response:
    show, search = _filters()
    args: dict[str, Any] = {"show": show} | ({"q": search} if search else {})
    return redirect(url_for("questions.inbox", **args))


def _moderated(question_id: int) -> tuple[Question, Any]:
    _require_inbox()
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404, "No such question.")
    video = question_video_or_404(question.video_id, question.clip_id, current_user)
    if not can_moderate_questions(current_user, video):
        abort(403, "Only the content's instructors (or an admin) may do this.")
    return question, video


@bp.get("/teach/questions")
@login_required
def inbox():
    """The inbox (``show``: unanswered, all, resolved; ``q``: search)."""
    _require_inbox()
    return _render()


@bp.post("/teach/questions/<int:question_id>/answer")
@login_required
def answer(question_id: int):
    """Answer inline; a rejected answer re-renders the inbox with the text kept."""
    question, video = _moderated(question_id)
    form = AnswerForm()
    if not form.validate():
        return _render(400, {question.id: form})
    limit = current_app.config.get("QUESTIONS_POST_LIMIT") or DEFAULT_POST_LIMIT
    wait = throttle.spend("question-post", f"user-{current_user.id}", limit)
    if wait:
        form.body.errors = [f"You are posting too fast; try again in {wait} seconds."]
        page, _ = _render(429, {question.id: form})
        return page, 429, {"Retry-After": str(wait)}
    try:
        services.answer(current_user, question, video, form.body.data or "")
    except (QuestionError, ThreadLocked) as exc:
        db.session.rollback()
        form.body.errors = [str(exc).removeprefix("body: ")]
        return _render(400 if isinstance(exc, QuestionError) else 409, {question.id: form})
    db.session.commit()
    return _back()


@bp.post("/teach/questions/<int:question_id>/moderate")
@login_required
def moderate(question_id: int):
    """One moderation button: resolve, hide, lock (and back), accept an answer, delete."""
    question, _ = _moderated(question_id)
    form = ModerateForm()
    if not form.validate():
        abort(400, "Unknown moderation action.")
    action = form.action.data
    try:
        if action == "delete":
            services.delete_question(question)
        elif action == "accept":
            services.moderate(question, accept=form.answer_id.data or 0)
        else:
            flag = {"resolve": "resolved", "hide": "hidden", "lock": "locked"}
            on = action in flag
            name = flag[action] if on else flag[action.removeprefix("un")]
            services.moderate(question, **{name: on})
    except QuestionError as exc:
        db.session.rollback()
        abort(400, str(exc))
    db.session.commit()
    return _back()
