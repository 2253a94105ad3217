"""Back-office pages for courses and programs: list, create, edit details, order the
modules or courses (drag and drop, or Move up / Move down forms that work without
JavaScript), and delete after a confirmation. Every write is a service of
``webapp.learning.services``; the JSON API calls the same ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from webapp.access import (
    can_create_course,
    can_manage_course,
    can_manage_programs,
)
from webapp.extensions import db
from webapp.learning import services
from webapp.learning.forms import AddItemForm, CourseForm, EnrolForm, ProgramForm
from webapp.learning.queries import enrolled_people, prerequisites
from webapp.learning.services import LearningError
from webapp.models import Course, Module, Program, Topic

bp = Blueprint("learning_manage", __name__, url_prefix="/manage")

VENDOR_FILES = {"sortable.esm.js": "sortablejs/modular/sortable.esm.js"}
MAX_MODULE_CHOICES = 50


# --------------------------------------------------------------------------- shared


@bp.get("/vendor/<name>")
@login_required
def vendor(name: str):
    """SortableJS's ES module from ``node_modules`` (the order lists' drag and drop)."""
    if not current_user.can_upload:
        abort(403)
    rel = VENDOR_FILES.get(name)
    if rel is None:
        abort(404)
    path = Path(current_app.config["NODE_MODULES"]) / rel
    if not path.is_file():
        abort(404, f"{name} is not installed (run `npm ci`).")
    return send_file(path, max_age=3600, mimetype="text/javascript")


def _show_error(form: Any, exc: LearningError) -> None:
    """Put the service's message beside its field (or above the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _moved_message(title: str, ids: list[Any], ident: Any) -> str:
    return f"‘{title}’ is now at position {ids.index(ident) + 1} of {len(ids)}."


def _direction() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "direction must be up or down")
    return -1 if direction == "up" else 1


# --------------------------------------------------------------------------- courses


def _course_or_404(slug: str) -> Course:
    course = services.course_by_slug(slug)
    if course is None:
        abort(404, "No such course.")
    if not can_manage_course(current_user, course):
        abort(403, "Only admins and the instructor who created it manage this course.")
    return course


def _course_form(course: Course | None = None, **kwargs: Any) -> CourseForm:
    form = CourseForm(**kwargs)
    form.topic.choices = [SelectChoice("", "No topic")] + [
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
        add_form.item.label.text = "Module to add"
        add_form.item.choices = [
            SelectChoice(str(m.id), f"{m.title} ({'clip' if m.is_clip else 'video'} #{m.id})")
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
    return render_template("manage/courses_list.html", courses=db.session.scalars(query).all())


@bp.route("/courses/new", methods=["GET", "POST"])
@login_required
def new_course():
    """Create a course (admins and instructors)."""
    if not can_create_course(current_user):
        abort(403)
    form = _course_form()
    if not form.validate_on_submit():
        return _course_page(None, form, 400 if request.method == "POST" else 200)
    try:
        course = services.save_course(None, _course_changes(form), by=current_user)
    except LearningError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _course_page(None, form, 400)
    db.session.commit()
    flash(f"Course ‘{course.title}’ created; now add its modules.", "success")
    return redirect(url_for(".edit_course", slug=course.slug))


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
    if not form.validate_on_submit():
        return _course_page(course, form, 400)
    try:
        services.save_course(course, _course_changes(form))
    except LearningError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _course_page(services.course_by_slug(slug), form, 400)
    db.session.commit()
    flash(f"Course ‘{course.title}’ saved.", "success")
    return redirect(url_for(".edit_course", slug=course.slug))


def _prerequisites_of(course: Course) -> list[Course]:
    return prerequisites([course.id]).get(course.id, [])


def _save_modules(course: Course, ids: list[int], message: str, anchor: str = ""):
    try:
        services.save_course(course, {"modules": ids})
    except LearningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".edit_course", slug=course.slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".edit_course", slug=course.slug, _anchor=anchor or None))


@bp.post("/courses/<slug>/modules")
@login_required
def course_add_module(slug: str):
    """Add a module at the end of the course."""
    course = _course_or_404(slug)
    form = AddItemForm(prefix="add")
    if not form.validate_on_submit() or not (form.item.data or "").isdigit():
        flash("Choose a module to add.", "error")
        return redirect(url_for(".edit_course", slug=slug))
    ids = [item.module_id for item in course.items]
    module_id = int(form.item.data)
    if module_id in ids:
        flash("That module is already in the course.", "error")
        return redirect(url_for(".edit_course", slug=slug))
    module = db.session.get(Module, module_id)
    title = module.title if module is not None else str(module_id)
    return _save_modules(course, [*ids, module_id], f"Added ‘{title}’.", f"item-{module_id}")


@bp.post("/courses/<slug>/modules/<int:module_id>/remove")
@login_required
def course_remove_module(slug: str, module_id: int):
    """Take a module out of the course (the module itself stays)."""
    course = _course_or_404(slug)
    titles = {item.module_id: item.module.title for item in course.items}
    if module_id not in titles:
        abort(404, "That module is not in the course.")
    ids = [i for i in titles if i != module_id]
    return _save_modules(course, ids, f"Removed ‘{titles[module_id]}’ from the course.")


@bp.post("/courses/<slug>/modules/<int:module_id>/move")
@login_required
def course_move_module(slug: str, module_id: int):
    """Move a module one place up or down (the keyboard and no-script way to reorder)."""
    course = _course_or_404(slug)
    titles = {item.module_id: item.module.title for item in course.items}
    if module_id not in titles:
        abort(404, "That module is not in the course.")
    ids = services.moved(list(titles), module_id, _direction())
    message = _moved_message(titles[module_id], ids, module_id)
    return _save_modules(course, ids, message, f"item-{module_id}")


@bp.route("/courses/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_course(slug: str):
    """Confirm, then delete a course (refused while a program contains it)."""
    course = _course_or_404(slug)
    if request.method == "POST":
        title = course.title
        try:
            services.delete_course(course)
        except LearningError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".delete_course", slug=slug))
        db.session.commit()
        flash(f"Course ‘{title}’ deleted.", "success")
        return redirect(url_for(".courses"))
    return render_template(
        "manage/confirm_delete.html",
        thing=f"the course “{course.title}”",
        goes=services.course_consequences(course),
        blockers=services.course_blockers(course),
        force_label=None,
        action=url_for(".delete_course", slug=slug),
        back=url_for(".edit_course", slug=slug),
    )


# --------------------------------------------------------------------------- programs


def _admin() -> None:
    if not can_manage_programs(current_user):
        abort(403, "Only admins manage programs.")


def _program_or_404(slug: str) -> Program:
    _admin()
    program = services.program_by_slug(slug)
    if program is None:
        abort(404, "No such program.")
    return program


def _program_form(**kwargs: Any) -> ProgramForm:
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


def _program_page(
    program: Program | None,
    form: ProgramForm,
    status: int = 200,
    enrol_form: EnrolForm | None = None,
):
    add_form = None
    people: list = []
    if program is not None:
        enrol_form = enrol_form or EnrolForm(prefix="enrol")
        people = enrolled_people(program.id)
        add_form = AddItemForm(prefix="add")
        add_form.item.label.text = "Course to add"
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
    form = _program_form()
    if request.method == "GET":
        form.self_enrol.data = True
    if not form.validate_on_submit():
        return _program_page(None, form, 400 if request.method == "POST" else 200)
    try:
        program = services.save_program(None, _program_changes(form))
    except LearningError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _program_page(None, form, 400)
    db.session.commit()
    flash(f"Program ‘{program.title}’ created; now add its courses.", "success")
    return redirect(url_for(".edit_program", slug=program.slug))


@bp.route("/programs/<slug>", methods=["GET", "POST"])
@login_required
def edit_program(slug: str):
    """A program's details and its ordered courses."""
    program = _program_or_404(slug)
    if request.method == "GET":
        form = _program_form(obj=program)
        form.weeks.data = program.length_weeks
        form.fee.data = f"{program.fee_cents // 100}.{program.fee_cents % 100:02d}"
        return _program_page(program, form)
    form = _program_form()
    if not form.validate_on_submit():
        return _program_page(program, form, 400)
    try:
        services.save_program(program, _program_changes(form))
    except LearningError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _program_page(services.program_by_slug(slug), form, 400)
    db.session.commit()
    flash(f"Program ‘{program.title}’ saved.", "success")
    return redirect(url_for(".edit_program", slug=program.slug))


def _save_courses(program: Program, slugs: list[str], message: str, anchor: str = ""):
    try:
        services.save_program(program, {"courses": slugs})
    except LearningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".edit_program", slug=program.slug))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".edit_program", slug=program.slug, _anchor=anchor or None))


def _course_titles(program: Program) -> dict[str, str]:
    return {item.course.slug: item.course.title for item in program.items}


@bp.post("/programs/<slug>/courses")
@login_required
def program_add_course(slug: str):
    """Add a course at the end of the program."""
    program = _program_or_404(slug)
    form = AddItemForm(prefix="add")
    chosen = form.item.data or ""
    if not form.validate_on_submit() or not chosen:
        flash("Choose a course to add.", "error")
        return redirect(url_for(".edit_program", slug=slug))
    slugs = list(_course_titles(program))
    return _save_courses(program, [*slugs, chosen], f"Added course {chosen}.", f"item-{chosen}")


@bp.post("/programs/<slug>/courses/<course>/remove")
@login_required
def program_remove_course(slug: str, course: str):
    """Take a course out of the program (the course itself stays)."""
    program = _program_or_404(slug)
    titles = _course_titles(program)
    if course not in titles:
        abort(404, "That course is not in the program.")
    rest = [s for s in titles if s != course]
    return _save_courses(program, rest, f"Removed ‘{titles[course]}’ from the program.")


@bp.post("/programs/<slug>/courses/<course>/move")
@login_required
def program_move_course(slug: str, course: str):
    """Move a course one place up or down."""
    program = _program_or_404(slug)
    titles = _course_titles(program)
    if course not in titles:
        abort(404, "That course is not in the program.")
    slugs = services.moved(list(titles), course, _direction())
    return _save_courses(
        program, slugs, _moved_message(titles[course], slugs, course), f"item-{course}"
    )


@bp.post("/programs/<slug>/enrollments")
@login_required
def enrol_person(slug: str):
    """Enrol an existing account in the program (admins; company programs included)."""
    program = _program_or_404(slug)
    enrol_form = EnrolForm(prefix="enrol")
    details = _program_form(obj=program)
    if enrol_form.validate_on_submit():
        try:
            enrollment, created = services.enrol_by_email(
                enrol_form.email.data or "", program, current_user
            )
        except LearningError as exc:
            db.session.rollback()
            enrol_form.email.errors = [str(exc)]
        else:
            db.session.commit()
            who = enrol_form.email.data
            flash(f"{who} is enrolled." if created else f"{who} was already enrolled.", "success")
            return redirect(url_for(".edit_program", slug=slug, _anchor="people-heading"))
    return _program_page(program, details, 400, enrol_form=enrol_form)


@bp.post("/programs/<slug>/enrollments/<int:user_id>/remove")
@login_required
def unenrol_person(slug: str, user_id: int):
    """End one person's enrolment (their progress stays)."""
    program = _program_or_404(slug)
    try:
        services.unenrol(user_id, program)
    except LearningError as exc:
        db.session.rollback()
        abort(404, str(exc))
    db.session.commit()
    flash("Enrolment ended; the person's progress is kept.", "success")
    return redirect(url_for(".edit_program", slug=slug, _anchor="people-heading"))


@bp.route("/programs/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_program(slug: str):
    """Confirm, then delete a program; with cohorts or issued certificates only when the
    admin ticks "delete anyway" (cohorts go, certificates stay valid)."""
    program = _program_or_404(slug)
    if request.method == "POST":
        title = program.title
        try:
            services.delete_program(program, force=request.form.get("force") == "1")
        except LearningError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".delete_program", slug=slug))
        db.session.commit()
        flash(f"Program ‘{title}’ deleted.", "success")
        return redirect(url_for(".programs"))
    return render_template(
        "manage/confirm_delete.html",
        thing=f"the program “{program.title}”",
        goes=services.program_consequences(program),
        blockers=services.program_blockers(program),
        force_label="Delete it anyway, with its cohorts (issued certificates stay valid)",
        action=url_for(".delete_program", slug=slug),
        back=url_for(".edit_program", slug=slug),
    )
