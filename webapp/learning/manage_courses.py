"""Back-office pages for courses (admins, and instructors for the courses they created):
list, create, edit details, order the modules (drag and drop, or Move up / Move down
forms that work without JavaScript), delete after a confirmation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from webapp.access import can_create_course, can_manage_course
from webapp.confirm import confirm_delete
from webapp.extensions import db
from webapp.learning import services
from webapp.learning.forms import LEVEL_LABELS, AddItemForm, CourseForm
from webapp.learning.manage_common import bp, direction, moved_message, save_order, submit
from webapp.learning.queries import prerequisites
from webapp.learning.services import LearningError
from webapp.models import Course, Module, Topic

MAX_MODULE_CHOICES = 50


def _course_or_404(slug: str) -> Course:
    course = services.course_by_slug(slug)
    if course is None:
        abort(404, _("No such course."))
    if not can_manage_course(current_user, course):
        abort(403, _("Only admins and the instructor who created it manage this course."))
    return course


def _course_form(course: Course | None = None, **kwargs: Any) -> CourseForm:
    form = CourseForm(**kwargs)
    form.topic.choices = [SelectChoice("", _("No topic"))] + [
        SelectChoice(t.slug, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))
    ]
    others = select(Course).order_by(Course.title)
    if course is not None:
        others = others.where(Course.id != course.id)
    form.prerequisites.choices = [SelectChoice(c.slug, c.title) for c in db.session.scalars(others)]
    return form


def _course_changes(form: CourseForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "slug": form.slug.data or "",
        "description": form.description.data or "",
        "level": form.level.data or "",
        "topic": form.topic.data or None,
        "prerequisites": list(form.prerequisites.data or []),
    }


def _module_choices(course: Course, q: str) -> list[Module]:
    present = [item.module_id for item in course.items]
    query = select(Module).where(Module.listed.is_(True)).order_by(Module.title, Module.id)
    if present:
        query = query.where(Module.id.not_in(present))
    if q:
        query = query.where(Module.title.ilike(f"%{q}%"))
    return list(db.session.scalars(query.limit(MAX_MODULE_CHOICES)))


def _course_page(course: Course | None, form: CourseForm, status: int = 200):
    add_form = None
    q = (request.args.get("q") or "").strip()[:200]
    if course is not None:
        add_form = AddItemForm(prefix="add")
        add_form.item.label.text = _("Module to add")
        add_form.item.choices = [
            SelectChoice(str(m.id), f"{m.title} ({_('clip') if m.is_clip else _('video')} #{m.id})")
            for m in _module_choices(course, q)
        ]
    html = render_template(
        "manage/courses_edit.html", course=course, form=form, add_form=add_form, q=q
    )
    return html, status


@bp.get("/courses")
@login_required
def courses():
    """The courses the caller manages (admins: all; instructors: the ones they created)."""
    if not can_create_course(current_user):
        abort(403)
    query = select(Course).order_by(Course.title, Course.id)
    if not current_user.is_admin:
        query = query.where(Course.created_by == current_user.id)
    return render_template(
        "manage/courses_list.html",
        courses=db.session.scalars(query).all(),
        level_labels=LEVEL_LABELS,
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@login_required
def new_course():
    """Create a course (admins and instructors)."""
    if not can_create_course(current_user):
        abort(403)
    form = _course_form()
    return submit(
        form,
        lambda: services.save_course(None, _course_changes(form), by=current_user),
        lambda status: _course_page(None, form, status),
        lambda course: _("Course ‘%(title)s’ created; now add its modules.", title=course.title),
        ".edit_course",
    )


@bp.route("/courses/<slug>", methods=["GET", "POST"])
@login_required
def edit_course(slug: str):
    """A course's details and its ordered modules."""
    course = _course_or_404(slug)
    if request.method == "GET":
        form = _course_form(course, obj=course)
        form.topic.data = next(
            (t.slug for t in db.session.scalars(select(Topic).where(Topic.id == course.topic_id))),
            "",
        )
        form.prerequisites.data = [c.slug for c in _prerequisites_of(course)]
        return _course_page(course, form)
    form = _course_form(course)
    return submit(
        form,
        lambda: services.save_course(course, _course_changes(form)),
        # After a rollback: the course as stored (the slug typed was not saved).
        lambda status: _course_page(services.course_by_slug(slug), form, status),
        lambda saved: _("Course ‘%(title)s’ saved.", title=saved.title),
        ".edit_course",
    )


def _prerequisites_of(course: Course) -> list[Course]:
    return prerequisites([course.id]).get(course.id, [])


def _save_modules(course: Course, ids: list[int], message: str, anchor: str = ""):
    return save_order(
        lambda: services.save_course(course, {"modules": ids}),
        ".edit_course",
        course.slug,
        message,
        anchor,
    )


@bp.post("/courses/<slug>/modules")
@login_required
def course_add_module(slug: str):
    """Add a module at the end of the course."""
    course = _course_or_404(slug)
    form = AddItemForm(prefix="add")
    if not form.validate_on_submit() or not (form.item.data or "").isdigit():
        flash(_("Choose a module to add."), "error")
        return redirect(url_for(".edit_course", slug=slug))
    ids = [item.module_id for item in course.items]
    module_id = int(form.item.data)
    if module_id in ids:
        flash(_("That module is already in the course."), "error")
        return redirect(url_for(".edit_course", slug=slug))
    module = db.session.get(Module, module_id)
    title = module.title if module is not None else str(module_id)
    return _save_modules(
        course, [*ids, module_id], _("Added ‘%(title)s’.", title=title), f"item-{module_id}"
    )


@bp.post("/courses/<slug>/modules/<int:module_id>/remove")
@login_required
def course_remove_module(slug: str, module_id: int):
    """Take a module out of the course (the module itself stays)."""
    course = _course_or_404(slug)
    titles = {item.module_id: item.module.title for item in course.items}
    if module_id not in titles:
        abort(404, _("That module is not in the course."))
    ids = [i for i in titles if i != module_id]
    return _save_modules(
        course, ids, _("Removed ‘%(title)s’ from the course.", title=titles[module_id])
    )


@bp.post("/courses/<slug>/modules/<int:module_id>/move")
@login_required
def course_move_module(slug: str, module_id: int):
    """Move a module one place up or down (the keyboard and no-script way to reorder)."""
    course = _course_or_404(slug)
    titles = {item.module_id: item.module.title for item in course.items}
    if module_id not in titles:
        abort(404, _("That module is not in the course."))
    ids = services.moved(list(titles), module_id, direction())
    message = moved_message(titles[module_id], ids, module_id)
    return _save_modules(course, ids, message, f"item-{module_id}")


@bp.route("/courses/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_course(slug: str):
    """Confirm, then delete a course (refused while a program contains it)."""
    course = _course_or_404(slug)
    return confirm_delete(
        thing=_("the course “%(title)s”", title=course.title),
        delete=lambda: services.delete_course(course),
        refused=LearningError,
        done=_("Course ‘%(title)s’ deleted.", title=course.title),
        action=url_for(".delete_course", slug=slug),
        back=url_for(".edit_course", slug=slug),
        after=url_for(".courses"),
        goes=lambda: services.course_consequences(course),
        blockers=lambda: services.course_blockers(course),
    )
