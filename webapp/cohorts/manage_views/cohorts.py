"""Back-office pages of cohorts and their members: the list, create, edit, delete; add a
member, import members from CSV, change a member's role, remove a member."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from webapp.access import require_admin, require_cohort_manager, teaching_cohort_or_404
from webapp.cohorts import queries, services
from webapp.cohorts.forms import CohortForm, ImportForm, MemberForm, RoleForm
from webapp.cohorts.manage_views import Page, confirm_page, form_status, save
from webapp.cohorts.timezones import localize
from webapp.cohorts.views import bp
from webapp.csvinput import MAX_BYTES, CsvError, read_rows
from webapp.enrolment.services import set_seats
from webapp.extensions import db
from webapp.models import Cohort, CohortMember
from webapp.textfmt import with_article


def _program_choices(form: CohortForm) -> None:
    form.program.choices = [SelectChoice("", _("Pick a program"))] + [
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
        set_seats(made[0], form.seats.data)

    if save(form, write):
        flash(_("Cohort “%(name)s” created.", name=made[0].name), "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=made[0].id))
    return render_template("manage/cohorts_form.html", form=form, cohort=None), form_status(form)


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
            "seats": cohort.seats,
        }
    )
    _program_choices(form)

    def write() -> None:
        services.update_cohort(
            cohort, form.program.data, form.name.data, form.starts_on.data, form.time_zone.data
        )
        set_seats(cohort, form.seats.data)

    if save(form, write):
        flash(_("Cohort saved."), "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    return render_template("manage/cohorts_form.html", form=form, cohort=cohort), form_status(form)


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
        flash(_("Cohort “%(name)s” deleted.", name=name), "success")
        return redirect(url_for("cohorts.manage_cohorts"))
    n = services.cohort_contents(cohort)
    goes = [
        ngettext("%(num)d membership", "%(num)d memberships", n.members),
        ngettext("%(num)d live class", "%(num)d live classes", n.classes),
        ngettext("%(num)d attendance mark", "%(num)d attendance marks", n.attendance),
        ngettext("%(num)d exam", "%(num)d exams", n.exams),
    ]
    if n.recordings:
        goes.append(
            ngettext(
                "(The %(num)d class recording stay as videos of their owners; they are no "
                "longer private to the cohort.)",
                "(The %(num)d class recordings stay as videos of their owners; they are no "
                "longer private to the cohort.)",
                n.recordings,
            )
        )
    return confirm_page(
        _("the cohort “%(name)s”", name=cohort.name),
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


# --------------------------------------------------------------------------- members


@bp.post("/manage/cohorts/<int:cohort_id>/members")
@login_required
def add_member(cohort_id: int) -> Page:
    """Add one existing account (found by the search, or typed) with its cohort role."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    form = MemberForm()
    if save(form, lambda: services.add_member_by_email(cohort, form.email.data, form.role.data)):
        flash(
            _("%(email)s added as %(role)s.", email=form.email.data.lower(), role=form.role.data),
            "success",
        )
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
                _(
                    "The file is larger than %(mb)d MB; a CSV may be at most %(mb)d MB. "
                    "Split it into smaller files.",
                    mb=MAX_BYTES // 1_000_000,
                )
            ]
            return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    if not data:
        form.text.errors = [_("Choose a CSV file or paste its lines.")]
        return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    try:
        rows = read_rows(data, required=["email"], optional=["role"])
    except CsvError as exc:
        (form.file if upload else form.text).errors = [str(exc)]
        return _cohort_page(cohort, MemberForm(formdata=None), form, status=400)
    report = services.import_members(cohort, rows)
    db.session.commit()
    added = sum(1 for line in report if line.outcome == "added")
    members = ngettext("%(num)d member", "%(num)d members", added)
    lines = ngettext("%(num)d line", "%(num)d lines", len(report))
    flash(_("%(members)s added from %(lines)s.", members=members, lines=lines), "success")
    return _cohort_page(cohort, MemberForm(formdata=None), ImportForm(formdata=None), report=report)


def _member_or_404(cohort: Cohort, user_id: int) -> CohortMember:
    member = queries.member_of(cohort.id, user_id)
    if member is None:
        abort(404, _("No such member."))
    return member


@bp.post("/manage/cohorts/<int:cohort_id>/members/<int:user_id>/role")
@login_required
def change_member_role(cohort_id: int, user_id: int) -> Page:
    """Make a member a learner or an instructor."""
    cohort = teaching_cohort_or_404(cohort_id, current_user)
    member = _member_or_404(cohort, user_id)
    form = RoleForm()
    if save(form, lambda: services.change_role(member, form.role.data)):
        roles = {"learner": _("a learner"), "instructor": _("an instructor")}
        role = roles.get(form.role.data, with_article(form.role.data))
        flash(_("%(email)s is now %(role)s.", email=member.user.email, role=role), "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    flash(_("Pick learner or instructor."), "error")
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
        flash(_("%(email)s removed from the cohort.", email=email), "success")
        return redirect(url_for("cohorts.manage_cohort", cohort_id=cohort.id))
    return confirm_page(
        _("%(email)s’s membership of “%(name)s”", email=member.user.email, name=cohort.name),
        [_("their access to the cohort's classes and recordings (attendance marks stay)")],
        url_for("cohorts.remove_member", cohort_id=cohort.id, user_id=user_id),
        url_for("cohorts.manage_cohort", cohort_id=cohort.id),
    )
