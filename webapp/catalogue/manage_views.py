"""Back-office pages for topics (admins): list and create, rename, delete after a
confirmation that names what still uses the topic. The writes are
``webapp.catalogue.services``'s, shared with the API."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.access import can_manage_topics
from webapp.catalogue import services
from webapp.catalogue.forms import TopicForm
from webapp.catalogue.services import CatalogueError
from webapp.confirm import confirm_delete
from webapp.extensions import db
from webapp.models import Topic

bp = Blueprint("catalogue_manage", __name__, url_prefix="/manage/topics")


def _admin() -> None:
    if not can_manage_topics(current_user):
        abort(403, _("Only admins manage topics."))


def _topic_or_404(slug: str) -> Topic:
    _admin()
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
    if topic is None:
        abort(404, _("No such topic."))
    return topic


def _list_page(form: TopicForm, status: int = 200):
    rows = db.session.scalars(select(Topic).order_by(Topic.name)).all()
    return render_template("manage/topics_list.html", topics=rows, form=form), status


@bp.route("", methods=["GET", "POST"])
@login_required
def topics():
    """Every topic, and the form that adds one."""
    _admin()
    form = TopicForm()
    if not form.validate_on_submit():
        return _list_page(form, 400 if request.method == "POST" else 200)
    try:
        topic = services.add_topic(form.name.data or "")
    except CatalogueError as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(exc)]
        return _list_page(form, 400)
    db.session.commit()
    flash(_("Topic ‘%(name)s’ added.", name=topic.name), "success")
    return redirect(url_for(".topics"))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_topic(slug: str):
    """Rename a topic (its slug follows the name)."""
    topic = _topic_or_404(slug)
    form = TopicForm(obj=topic) if request.method == "GET" else TopicForm()
    if form.validate_on_submit():
        try:
            services.rename_topic(topic, form.name.data or "")
        except CatalogueError as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Topic renamed to ‘%(name)s’.", name=topic.name), "success")
            return redirect(url_for(".topics"))
    status = 400 if request.method == "POST" else 200
    return render_template("manage/topics_edit.html", topic_slug=slug, form=form), status


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_topic(slug: str):
    """Confirm, then delete a topic nothing uses."""
    topic = _topic_or_404(slug)
    return confirm_delete(
        thing=_("the topic “%(name)s”", name=topic.name),
        delete=lambda: services.delete_topic(topic),
        refused=CatalogueError,
        done=_("Topic ‘%(name)s’ deleted.", name=topic.name),
        action=url_for(".delete_topic", slug=slug),
        back=url_for(".topics"),
        after=url_for(".topics"),
        blockers=lambda: services.topic_users(topic),
    )
