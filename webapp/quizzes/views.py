"""The quiz authoring pages of the video manager: a video's questions with the add form,
the edit form and the delete confirmation. Whoever manages the video (its instructor,
admins) may use them (``managed_video_or_404``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp.access import managed_quiz_question_or_404, managed_video_or_404
from webapp.extensions import db
from webapp.markdown import to_html
from webapp.models import QuizQuestion, Video
from webapp.quizzes import services
from webapp.quizzes.forms import KIND_LABELS, QuestionForm
from webapp.quizzes.queries import questions_of
from webapp.quizzes.services import QuizError
from webapp.timefmt import clock

bp = Blueprint("quizzes", __name__, url_prefix="/manage/videos")


def _page(video: Video, form: QuestionForm, question: QuizQuestion | None, status: int = 200):
    return render_template(
        "quizzes/manage.html",
        video=video,
        form=form,
        editing=question,
        questions=questions_of(video.id),
        kinds=KIND_LABELS,
        moment=clock,
        markdown=lambda source: Markup(to_html(source)),  # sanitised by nh3
    ), status


def _saved(form: QuestionForm, save) -> bool:
    """Run ``save(draft)`` if the form is valid; the service's refusals go beside the
    fields (nothing stored)."""
    if not form.validate_on_submit():
        return False
    try:
        save(form.draft())
    except QuizError as exc:
        db.session.rollback()
        form.show_errors(exc.errors)
        return False
    db.session.commit()
    return True


@bp.route("/<int:video_id>/quiz", methods=["GET", "POST"])
@login_required
def manage(video_id: int):
    """The video's questions by moment, and the form that adds one (400 with what was
    typed when refused)."""
    video = managed_video_or_404(video_id, current_user)
    form = QuestionForm()
    if request.method == "POST":
        if _saved(form, lambda draft: services.create_question(video, current_user, draft)):
            flash(_("Question added."))
            return redirect(url_for("quizzes.manage", video_id=video.id))
        return _page(video, form, None, 400)
    return _page(video, form, None)


@bp.route("/<int:video_id>/quiz/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit(video_id: int, question_id: int):
    """Edit one question (400 with what was typed when refused)."""
    video, question = _question(video_id, question_id)
    form = QuestionForm()
    if request.method == "POST":
        if _saved(form, lambda draft: services.update_question(question, video, draft)):
            flash(_("Question saved."))
            return redirect(url_for("quizzes.manage", video_id=video.id))
        return _page(video, form, question, 400)
    form.fill(question)
    return _page(video, form, question)


@bp.get("/<int:video_id>/quiz/<int:question_id>/delete")
@login_required
def confirm_delete(video_id: int, question_id: int):
    """What goes with the question."""
    video, question = _question(video_id, question_id)
    answers = services.answer_count(question.id)
    return render_template(
        "manage/confirm_delete.html",
        thing=f"the question at {clock(question.at)}",
        goes=[f"{answers} answer{'s' if answers != 1 else ''} of learners"] if answers else [],
        blockers=[],
        force_label=None,
        action=url_for("quizzes.delete", video_id=video.id, question_id=question.id),
        back=url_for("quizzes.manage", video_id=video.id),
    )


@bp.post("/<int:video_id>/quiz/<int:question_id>/delete")
@login_required
def delete(video_id: int, question_id: int):
    """Delete the question with its answers."""
    video, question = _question(video_id, question_id)
    services.delete_question(question)
    db.session.commit()
    flash(_("Question deleted."))
    return redirect(url_for("quizzes.manage", video_id=video.id))


def _question(video_id: int, question_id: int) -> tuple[Video, QuizQuestion]:
    """The managed video and its question (404 for another video's question)."""
    video = managed_video_or_404(video_id, current_user)
    question = managed_quiz_question_or_404(question_id, current_user)
    if question.video_id != video.id:
        from flask import abort

        abort(404, "No such question on this video.")
    return video, question
