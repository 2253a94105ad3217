"""Back-office pages of cohorts: create, edit and delete cohorts, members (search and
CSV), live classes, masterclasses and exams. Who may do what is ``webapp.access``'s
teaching section; every write is a service of ``webapp.cohorts.services``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.access import (
    require_admin,
    require_cohort_manager,
    teaching_class_or_404,
    teaching_cohort_or_404,
    teaching_exam_or_404,
)
from webapp.cohorts import queries, services
from webapp.cohorts.forms import (
    ClassForm,
    CohortForm,
    ExamForm,
    ImportForm,
    MemberForm,
    RoleForm,
    instant,
    wall_clock,
)
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import localize
from webapp.cohorts.views import bp
from webapp.csvinput import MAX_BYTES, CsvError, read_rows
from webapp.extensions import db
from webapp.models import Cohort, CohortMember, Exam, LiveClass

Page = str | Response | tuple[str, int]


def _refused(form: FlaskForm, exc: CohortError) -> None:
    """Undo the write and put the service's message beside its field."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _save(form: FlaskForm, write: Callable[[], object]) -> bool:
    """Run ``write`` on a valid POSTed form and commit; False (nothing saved) otherwise."""
    if not form.validate_on_submit():
        return False
    try:
        write()
    except CohortError as exc:
        _refused(form, exc)
        return False
    db.session.commit()
    return True


def _status(form: FlaskForm) -> int:
    return 400 if request.method == "POST" else 200


def _cohort_of(live_class: LiveClass) -> Cohort | None:
    return db.session.get(Cohort, live_class.cohort_id) if live_class.cohort_id else None


def _confirm(thing: str, goes: list[str], action: str, back: str) -> str:
    return render_template(
        "manage/confirm_delete.html",
        thing=thing,
        goes=goes,
        blockers=[],
        force_label=None,
        action=action,
        back=back,
    )


# --------------------------------------------------------------------------- cohorts


def _program_choices(form: CohortForm) -> None:
    form.program.choices = [SelectChoice("", "Pick a program")] + [
        SelectChoice(p.slug, p.title) for p in queries.program_choices()
    ]


@bp.get("/manage/cohorts")
@login_required
def manage_cohorts() -> Page:
    """The cohorts the caller manages (all, for admins)."""
    require_cohort_manager(current_user)
    return render_template(
        "manage/cohorts_list.html", cohorts=queries.managed_cohorts(current_user)
    )


@bp.route("/manage/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort() -> Page:
    """Create a cohort (admins)."""
    require_admin(current_user)
    form = CohortForm()
    _program_choices(form)
    made: list[Cohort] = []

    def write() -> None:
        made.append(
            services.create_cohort(
                form.program.data, form.name.data, form.starts_on.data, form.time_zone.data
            )
        )

    if _save(form, write):
        flash(f"Cohort “{made[0].name}” created.", "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=made[0].id))
    return render_template("manage/cohorts_form.html", form=form, cohort=None), _status(form)


@bp.route("/manage/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cohort(cohort_id: int) -> Page:
    """Change a cohort's program, name, start date or zone (admins)."""
    require_admin(current_user)
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = CohortForm(
        data=None
        if request.method == "POST"
        else {
            "program": cohort.program.slug,
            "name": cohort.name,
            "starts_on": cohort.starts_on,
            "time_zone": cohort.time_zone,
        }
    )
    _program_choices(form)

    def write() -> None:
        services.update_cohort(
            cohort, form.program.data, form.name.data, form.starts_on.data, form.time_zone.data
        )

    if _save(form, write):
        flash("Cohort saved.", "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    return render_template("manage/cohorts_form.html", form=form, cohort=cohort), _status(form)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@bp.route("/manage/cohorts/<int:cohort_id>/delete", methods=["GET", "POST"])
@login_required
def delete_cohort(cohort_id: int) -> Page:
    """Confirm (GET), then delete (POST) a cohort with everything of it (admins)."""
    require_admin(current_user)
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    if request.method == "POST":
        name = cohort.name
        services.delete_cohort(cohort)
        db.session.commit()
        flash(f"Cohort “{name}” deleted.", "success")
        return redirect(url_for("cohorts.manage_cohorts"))
    n = services.cohort_contents(cohort)
    goes = [
        _plural(n.members, "membership"),
        _plural(n.classes, "live class"),
        _plural(n.attendance, "attendance mark"),
        _plural(n.exams, "exam"),
    ]
    if n.recordings:
        goes.append(
            f"(The {_plural(n.recordings, 'class recording')} stay as videos of their "
            "owners; they are no longer private to the cohort.)"
        )
    return _confirm(
        f"the cohort “{cohort.name}”",
        goes,
        url_for("cohorts.delete_cohort", cohort_id=cohort.id),
        url_for("cohorts.manage_cohort", cohort_id=cohort.id),
    )


@bp.get("/manage/cohorts/<int:cohort_id>")
@login_required
def manage_cohort(cohort_id: int) -> Page:
    """A cohort's back office: members (search, add, CSV, role, remove), classes, exams."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    query = request.args.get("q", "", type=str).strip()[:100]
    return _cohort_page(cohort, MemberForm(formdata=None), ImportForm(formdata=None), query)


def _cohort_page(
    cohort: Cohort,
    member_form: MemberForm,
    import_form: ImportForm,
    query: str = "",
    report: list[services.ImportLine] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "manage/cohorts_manage.html",
        cohort=cohort,
        members=queries.members_of(cohort.id),
        classes=queries.classes_of(cohort.id),
        exams=queries.exams_of(cohort.id),
        member_form=member_form,
        import_form=import_form,
        role_form=RoleForm(formdata=None),
        query=query,
        found=queries.search_people(query, cohort.id) if len(query) >= 2 else [],
        report=report,
        when=lambda moment: localize(moment, cohort.time_zone),
    ), status


@bp.post("/manage/cohorts/<int:cohort_id>/members")
@login_required
def add_member(cohort_id: int) -> Page:
    """Add one existing account (found by the search, or typed) with its cohort role."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = MemberForm()
    if _save(form, lambda: services.add_member_by_email(cohort, form.email.data, form.role.data)):
        flash(f"{form.email.data.lower()} added as {form.role.data}.", "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    return _cohort_page(cohort, form, ImportForm(formdata=None), status=400)


@bp.post("/manage/cohorts/<int:cohort_id>/members/import")
@login_required
def import_members(cohort_id: int) -> Page:
    """Members from a CSV (email, role); answers with a report line by line."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    upload = form.file.data
    data: bytes | str = form.text.data or ""
    if upload:
        with upload.stream as stream:  # large uploads are spooled to a temporary file
            data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            form.file.errors = [
                f"The file is larger than {MAX_BYTES // 1_000_000} MB; a CSV may be at most "
                f"{MAX_BYTES // 1_000_000} MB. Split it into smaller files."
            ]
            return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    if not data:
        form.text.errors = ["Choose a CSV file or paste its lines."]
        return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    try:
        rows = read_rows(data, required=["email"], optional=["role"])
    except CsvError as exc:
        (form.file if upload else form.text).errors = [str(exc)]
        return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    report = services.import_members(cohort, rows)
    db.session.commit()
    added = sum(1 for line in report if line.outcome == "added")
    flash(f"{_plural(added, 'member')} added from {_plural(len(report), 'line')}.", "success")
    return _cohort_page(cohort, MemberForm(formdata=None), ImportForm(formdata=None), report=report)


def _member_or_404(cohort: Cohort, user_id: int) -> CohortMember:
    member = queries.member_of(cohort.id, user_id)
    if member is None:
        abort(404, "No such member.")
    return member


@bp.post("/manage/cohorts/<int:cohort_id>/members/<int:user_id>/role")
@login_required
def change_member_role(cohort_id: int, user_id: int) -> Page:
    """Make a member a learner or an instructor."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    member = _member_or_404(cohort, user_id)
    form = RoleForm()
    if _save(form, lambda: services.change_role(member, form.role.data)):
        flash(f"{member.user.email} is now a {form.role.data}.", "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    flash("Pick learner or instructor.", "error")
    return _cohort_page(cohort, MemberForm(formdata=None), ImportForm(formdata=None), status=400)


@bp.route("/manage/cohorts/<int:cohort_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(cohort_id: int, user_id: int) -> Page:
    """Confirm (GET), then take a member out of the cohort (POST)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    member = _member_or_404(cohort, user_id)
    if request.method == "POST":
        email = member.user.email
        services.remove_member(member)
        db.session.commit()
        flash(f"{email} removed from the cohort.", "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    return _confirm(
        f"{member.user.email}’s membership of “{cohort.name}”",
        ["their access to the cohort's classes and recordings (attendance marks stay)"],
        url_for("cohorts.remove_member", cohort_id=cohort.id, user_id=user_id),
        url_for("cohorts.manage_cohort", cohort_id=cohort.id),
    )


# --------------------------------------------------------------------------- classes


def _class_form(cohort: Cohort | None, live_class: LiveClass | None) -> ClassForm:
    """The form, filled from ``live_class`` on GET; its zone is the cohort's (masterclass:
    typed on the form)."""
    data = None
    if request.method != "POST" and live_class is not None:
        zone = cohort.time_zone if cohort else "UTC"
        data = {
            "title": live_class.title,
            "zone": zone,
            "starts_at": wall_clock(live_class.starts_at, zone),
            "duration_minutes": live_class.duration_minutes,
            "join_url": live_class.join_url,
            "recording_id": live_class.recording_id,
            "topic_id": live_class.topic_id,
        }
    form = ClassForm(data=data)
    if cohort is not None:
        del form.zone
        form.starts_at.label.text = f"Start ({cohort.time_zone})"
    videos = queries.recording_candidates(current_user)
    current = live_class.recording if live_class is not None else None
    if current is not None and current not in videos:
        videos.insert(0, current)
    form.recording_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(v.id), f"{v.title} (#{v.id})") for v in videos
    ]
    form.topic_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(t.id), t.name) for t in queries.topic_choices()
    ]
    return form


def _class_zone(form: ClassForm, cohort: Cohort | None) -> str:
    return cohort.time_zone if cohort is not None else form.zone.data


def _class_values(form: ClassForm, cohort: Cohort | None) -> dict:
    return {
        "title": form.title.data,
        "starts_at": instant(form.starts_at.data, _class_zone(form, cohort)),
        "minutes": form.duration_minutes.data,
        "join_url": form.join_url.data or "",
        "topic_id": form.topic_id.data,
        "recording_id": form.recording_id.data,
        "by": current_user,
    }


def _back(cohort: Cohort | None) -> Response:
    if cohort is None:
        return redirect(url_for("cohorts.manage_masterclasses"))
    return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))


def _class_page(form: ClassForm, cohort: Cohort | None, live_class: LiveClass | None) -> Page:
    return render_template(
        "manage/classes_form.html", form=form, cohort=cohort, live_class=live_class
    ), _status(form)


@bp.route("/manage/cohorts/<int:cohort_id>/classes/new", methods=["GET", "POST"])
@login_required
def new_class(cohort_id: int) -> Page:
    """Schedule a live class of a cohort (its instructors, admins)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = _class_form(cohort, None)
    if _save(form, lambda: services.add_class(cohort, **_class_values(form, cohort))):
        flash(f"Class “{form.title.data}” scheduled.", "success")
        return _back(cohort)
    return _class_page(form, cohort, None)


@bp.get("/manage/masterclasses")
@login_required
def manage_masterclasses() -> Page:
    """Masterclasses with their edit and delete links (admins)."""
    require_admin(current_user)
    return render_template(
        "manage/classes_list.html",
        classes=queries.masterclasses(),
        when=lambda moment: localize(moment, "UTC"),
    )


@bp.route("/manage/masterclasses/new", methods=["GET", "POST"])
@login_required
def new_masterclass() -> Page:
    """Schedule a public masterclass (admins)."""
    require_admin(current_user)
    form = _class_form(None, None)
    if _save(form, lambda: services.add_class(None, **_class_values(form, None))):
        flash(f"Masterclass “{form.title.data}” scheduled.", "success")
        return _back(None)
    return _class_page(form, None, None)


@bp.route("/manage/classes/<int:class_id>/edit", methods=["GET", "POST"])
@login_required
def edit_class(class_id: int) -> Page:
    """Change a class or masterclass (a past one too, e.g. to attach its recording)."""
    live_class = teaching_class_or_404(class_id, current_user)
    cohort = _cohort_of(live_class)
    form = _class_form(cohort, live_class)
    if _save(form, lambda: services.update_class(live_class, **_class_values(form, cohort))):
        flash("Class saved.", "success")
        return _back(cohort)
    return _class_page(form, cohort, live_class)


@bp.route("/manage/classes/<int:class_id>/delete", methods=["GET", "POST"])
@login_required
def delete_class(class_id: int) -> Page:
    """Confirm (GET), then delete (POST) a class with its attendance."""
    live_class = teaching_class_or_404(class_id, current_user)
    cohort = _cohort_of(live_class)
    if request.method == "POST":
        title = live_class.title
        services.delete_class(live_class)
        db.session.commit()
        flash(f"Class “{title}” deleted.", "success")
        return _back(cohort)
    goes = [_plural(queries.attendance_count(live_class.id), "attendance mark")]
    if live_class.recording_id:
        goes.append("(The recording stays as a video of its owner.)")
    back = _back(cohort).location
    return _confirm(
        f"the class “{live_class.title}”",
        goes,
        url_for("cohorts.delete_class", class_id=live_class.id),
        back,
    )


# --------------------------------------------------------------------------- exams


def _exam_form(cohort: Cohort, exam: Exam | None) -> ExamForm:
    data = None
    keep: list[int] = services.exam_scope(exam) if exam is not None else []
    if request.method != "POST" and exam is not None:
        data = {
            "title": exam.title,
            "starts_at": wall_clock(exam.starts_at, cohort.time_zone),
            "module_ids": keep,
        }
    form = ExamForm(data=data)
    form.starts_at.label.text = f"Date and time ({cohort.time_zone})"
    form.module_ids.choices = [
        SelectChoice(str(m.id), m.title) for m in services.exam_modules(cohort, keep)
    ]
    return form


def _exam_values(form: ExamForm, cohort: Cohort) -> tuple[str, datetime, list[int]]:
    return (
        form.title.data,
        instant(form.starts_at.data, cohort.time_zone),
        list(form.module_ids.data or []),
    )


@bp.route("/manage/cohorts/<int:cohort_id>/exams/new", methods=["GET", "POST"])
@login_required
def new_exam(cohort_id: int) -> Page:
    """Schedule an exam of a cohort (its instructors, admins)."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = _exam_form(cohort, None)
    if _save(form, lambda: services.add_exam(cohort, *_exam_values(form, cohort))):
        flash(f"Exam “{form.title.data}” scheduled.", "success")
        return _back(cohort)
    return render_template("manage/exams_form.html", form=form, cohort=cohort, exam=None), _status(
        form
    )


@bp.route("/manage/exams/<int:exam_id>/edit", methods=["GET", "POST"])
@login_required
def edit_exam(exam_id: int) -> Page:
    """Change an exam's title, moment or modules."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    form = _exam_form(cohort, exam)
    if _save(form, lambda: services.update_exam(exam, *_exam_values(form, cohort))):
        flash("Exam saved.", "success")
        return _back(cohort)
    return render_template("manage/exams_form.html", form=form, cohort=cohort, exam=exam), _status(
        form
    )


@bp.route("/manage/exams/<int:exam_id>/delete", methods=["GET", "POST"])
@login_required
def delete_exam(exam_id: int) -> Page:
    """Confirm (GET), then delete (POST) an exam."""
    exam = teaching_exam_or_404(exam_id, current_user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    if request.method == "POST":
        title = exam.title
        services.delete_exam(exam)
        db.session.commit()
        flash(f"Exam “{title}” deleted.", "success")
        return _back(cohort)
    return _confirm(
        f"the exam “{exam.title}”",
        ["its list of modules in scope (the modules themselves stay)"],
        url_for("cohorts.delete_exam", exam_id=exam.id),
        url_for("cohorts.manage_cohort", cohort_id=cohort.id),
    )
