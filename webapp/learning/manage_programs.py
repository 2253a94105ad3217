"""Back-office pages for programs (admins): list, create, edit details, order the
courses, delete after a confirmation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from webapp.access import can_manage_programs
from webapp.confirm import confirm_delete
from webapp.extensions import db
from webapp.learning import services
from webapp.learning.forms import AddItemForm, EnrolForm, ProgramForm
from webapp.learning.manage_common import bp, direction, moved_message, save_order, submit
from webapp.learning.queries import enrolled_people
from webapp.learning.services import LearningError
from webapp.models import Course, Program


def _admin() -> None:
    if not can_manage_programs(current_user):
        abort(403, _("Only admins manage programs."))


def program_or_404(slug: str) -> Program:
    """The program with this slug (404), for admins only (403)."""
    _admin()
    program = services.program_by_slug(slug)
    if program is None:
        abort(404, _("No such program."))
    return program


def program_form(**kwargs: Any) -> ProgramForm:
    """The details form, its currency choices filled in."""
    form = ProgramForm(**kwargs)
    form.currency.choices = [SelectChoice(code, code) for code in services.currencies()]
    return form


def _program_changes(form: ProgramForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "slug": form.slug.data or "",
        "description": form.description.data or "",
        "level": form.level.data or "",
        "weeks": form.weeks.data or 0,
        "fee": form.fee.data or "",
        "currency": form.currency.data or "",
        "certificate": form.certificate.data or "",
        "self_enrol": bool(form.self_enrol.data),
    }


def program_page(
    program: Program | None,
    form: ProgramForm,
    status: int = 200,
    enrol_form: EnrolForm | None = None,
):
    """A program's edit page (new: details only; else also its courses and people)."""
    add_form = None
    people: list = []
    if program is not None:
        enrol_form = enrol_form or EnrolForm(prefix="enrol")
        people = enrolled_people(program.id)
        add_form = AddItemForm(prefix="add")
        add_form.item.label.text = _("Course to add")
        present = {item.course_id for item in program.items}
        add_form.item.choices = [
            SelectChoice(c.slug, c.title)
            for c in db.session.scalars(select(Course).order_by(Course.title))
            if c.id not in present
        ]
    html = render_template(
        "manage/programs_edit.html",
        program=program,
        form=form,
        add_form=add_form,
        enrol_form=enrol_form,
        people=people,
    )
    return html, status


@bp.get("/programs")
@login_required
def programs():
    """Every program, to edit or delete (admins)."""
    _admin()
    rows = db.session.scalars(select(Program).order_by(Program.title, Program.id)).all()
    return render_template("manage/programs_list.html", programs=rows)


@bp.route("/programs/new", methods=["GET", "POST"])
@login_required
def new_program():
    """Create a program (admins)."""
    _admin()
    form = program_form()
    if request.method == "GET":
        form.self_enrol.data = True
    return submit(
        form,
        lambda: services.save_program(None, _program_changes(form)),
        lambda status: program_page(None, form, status),
        lambda program: _("Program ‘%(title)s’ created; now add its courses.", title=program.title),
        ".edit_program",
    )


@bp.route("/programs/<slug>", methods=["GET", "POST"])
@login_required
def edit_program(slug: str):
    """A program's details and its ordered courses."""
    program = program_or_404(slug)
    if request.method == "GET":
        form = program_form(obj=program)
        form.weeks.data = program.length_weeks
        form.fee.data = f"{program.fee_cents // 100}.{program.fee_cents % 100:02d}"
        return program_page(program, form)
    form = program_form()
    return submit(
        form,
        lambda: services.save_program(program, _program_changes(form)),
        lambda status: program_page(services.program_by_slug(slug), form, status),
        lambda saved: _("Program ‘%(title)s’ saved.", title=saved.title),
        ".edit_program",
    )


def _save_courses(program: Program, slugs: list[str], message: str, anchor: str = ""):
    return save_order(
        lambda: services.save_program(program, {"courses": slugs}),
        ".edit_program",
        program.slug,
        message,
        anchor,
    )


def _course_titles(program: Program) -> dict[str, str]:
    return {item.course.slug: item.course.title for item in program.items}


@bp.post("/programs/<slug>/courses")
@login_required
def program_add_course(slug: str):
    """Add a course at the end of the program."""
    program = program_or_404(slug)
    form = AddItemForm(prefix="add")
    chosen = form.item.data or ""
    if not form.validate_on_submit() or not chosen:
        flash(_("Choose a course to add."), "error")
        return redirect(url_for(".edit_program", slug=slug))
    slugs = list(_course_titles(program))
    return _save_courses(
        program, [*slugs, chosen], _("Added course %(slug)s.", slug=chosen), f"item-{chosen}"
    )


@bp.post("/programs/<slug>/courses/<course>/remove")
@login_required
def program_remove_course(slug: str, course: str):
    """Take a course out of the program (the course itself stays)."""
    program = program_or_404(slug)
    titles = _course_titles(program)
    if course not in titles:
        abort(404, _("That course is not in the program."))
    rest = [s for s in titles if s != course]
    return _save_courses(
        program, rest, _("Removed ‘%(title)s’ from the program.", title=titles[course])
    )


@bp.post("/programs/<slug>/courses/<course>/move")
@login_required
def program_move_course(slug: str, course: str):
    """Move a course one place up or down."""
    program = program_or_404(slug)
    titles = _course_titles(program)
    if course not in titles:
        abort(404, _("That course is not in the program."))
    slugs = services.moved(list(titles), course, direction())
    return _save_courses(
        program, slugs, moved_message(titles[course], slugs, course), f"item-{course}"
    )


@bp.route("/programs/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_program(slug: str):
    """Confirm, then delete a program; with cohorts or issued certificates only when the
    admin ticks "delete anyway" (cohorts go, certificates stay valid)."""
    program = program_or_404(slug)
    return confirm_delete(
        thing=_("the program “%(title)s”", title=program.title),
        delete=lambda: services.delete_program(program, force=request.form.get("force") == "1"),
        refused=LearningError,
        done=_("Program ‘%(title)s’ deleted.", title=program.title),
        action=url_for(".delete_program", slug=slug),
        back=url_for(".edit_program", slug=slug),
        after=url_for(".programs"),
        goes=lambda: services.program_consequences(program),
        blockers=lambda: services.program_blockers(program),
        force_label="Delete it anyway, with its cohorts (issued certificates stay valid)",
    )
