"""Organisation pages: the admin's (``/admin/organisations``: create, people, seats) and
the manager's (``/org/<slug>/``: dashboard and CSV, people, assign with a due date).

Every manager page takes the organisation from the URL and answers 404 unless the caller
manages it (or is an admin): ``webapp.access.organisation_for_manager_or_404``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp.access import (
    can_manage_organisations,
    organisation_for_manager_or_404,
    organisation_person_or_404,
)
from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.extensions import db
from webapp.learning.queries import all_programs
from webapp.learning.services import program_by_slug, user_by_email
from webapp.models import Organisation, User
from webapp.models.base import utcnow
from webapp.organisations import queries, services
from webapp.organisations.forms import (
    ORG_ROLE_LABELS,
    AssignForm,
    MemberForm,
    OrganisationForm,
    PrivateProgramForm,
    SeatsForm,
)
from webapp.organisations.services import OrganisationError
from webapp.textfmt import with_article

bp = Blueprint("organisations", __name__)

Page = str | tuple[str, int] | WerkzeugResponse


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _admin() -> None:
    if not can_manage_organisations(_me()):
        abort(403, _("Organisations are managed by admins."))


def _refused(form, exc: OrganisationError) -> None:
    """Put a service's refusal beside its field (or above the form)."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


# ----------------------------------------------------------------------------- admin


def _admin_list(form: OrganisationForm | None = None, status: int = 200) -> tuple[str, int]:
    html = render_template(
        "organisations/admin_list.html",
        organisations=queries.all_organisations(),
        form=form or OrganisationForm(formdata=None),
    )
    return html, status


@bp.get("/admin/organisations")
@login_required
def admin_list() -> Page:
    """Every organisation, and the form to create one (admins)."""
    _admin()
    return _admin_list()


@bp.post("/admin/organisations")
@login_required
def admin_create() -> Page:
    """Create an organisation (admins); a refused form keeps what was typed."""
    _admin()
    form = OrganisationForm()
    if not form.validate():
        return _admin_list(form, 400)
    try:
        org = services.create_organisation(
            form.name.data or "", form.slug.data or "", form.time_zone.data or "UTC"
        )
    except OrganisationError as exc:
        _refused(form, exc)
        return _admin_list(form, 400)
    db.session.commit()
    flash(_("Organisation ‘%(name)s’ created.", name=org.name), "success")
    return redirect(url_for("organisations.admin_detail", slug=org.slug))


def _admin_org(slug: str) -> Organisation:
    _admin()
    org = queries.organisation_by_slug(slug)
    if org is None:
        abort(404, _("No such organisation."))
    return org


def _seats_form(form: SeatsForm | None = None) -> SeatsForm:
    form = form or SeatsForm(formdata=None)
    form.program.choices = [(p.slug, p.title) for p in all_programs()]
    return form


def _private_form(form: PrivateProgramForm | None = None) -> PrivateProgramForm:
    form = form or PrivateProgramForm(formdata=None)
    form.program.choices = [(p.slug, p.title) for p in all_programs()]
    return form


def _admin_detail(
    org: Organisation,
    member_form: MemberForm | None = None,
    seats_form: SeatsForm | None = None,
    private_form: PrivateProgramForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    html = render_template(
        "organisations/admin_detail.html",
        org=org,
        people=queries.people(org.id),
        seats=queries.seats(org.id),
        private=queries.private_programs(org.id),
        member_form=member_form or MemberForm(formdata=None),
        seats_form=_seats_form(seats_form),
        private_form=_private_form(private_form),
        org_role_labels=ORG_ROLE_LABELS,
    )
    return html, status


@bp.get("/admin/organisations/<slug>")
@login_required
def admin_detail(slug: str) -> Page:
    """One organisation: its people and managers, its seats (admins)."""
    return _admin_detail(_admin_org(slug))


@bp.post("/admin/organisations/<slug>/people")
@login_required
def admin_add_member(slug: str) -> Page:
    """Add an existing account to the organisation as a member or a manager."""
    org = _admin_org(slug)
    form = MemberForm()
    if not form.validate():
        return _admin_detail(org, member_form=form, status=400)
    user = user_by_email(form.email.data or "")
    try:
        if user is None:
            raise OrganisationError(
                _("No account has this address: invite the person first (Invitations)."), "email"
            )
        services.add_member(org, user, form.role.data)
    except OrganisationError as exc:
        _refused(form, exc)
        return _admin_detail(org, member_form=form, status=400)
    db.session.commit()
    roles = {"member": _("a member"), "manager": _("a manager")}
    role = roles.get(form.role.data or "", with_article(form.role.data or ""))
    flash(
        _("%(email)s is now %(role)s of %(name)s.", email=user.email, role=role, name=org.name),
        "success",
    )
    return redirect(url_for("organisations.admin_detail", slug=org.slug))


@bp.post("/admin/organisations/<slug>/people/<int:user_id>/remove")
@login_required
def admin_remove_member(slug: str, user_id: int) -> Page:
    """Take a person out of the organisation (their enrolments stay)."""
    org = _admin_org(slug)
    organisation_person_or_404(org.id, user_id)
    services.remove_member(org, user_id)
    db.session.commit()
    flash(_("Removed from the organisation."), "success")
    return redirect(url_for("organisations.admin_detail", slug=org.slug))


@bp.post("/admin/organisations/<slug>/seats")
@login_required
def admin_set_seats(slug: str) -> Page:
    """Set the seats the organisation holds in a program."""
    org = _admin_org(slug)
    form = _seats_form(SeatsForm())
    if not form.validate():
        return _admin_detail(org, seats_form=form, status=400)
    program = program_by_slug(form.program.data or "")
    try:
        if program is None:
            raise OrganisationError(_("Choose a program."), "program")
        services.set_seats(org, program, form.seats.data or 0)
    except OrganisationError as exc:
        _refused(form, exc)
        return _admin_detail(org, seats_form=form, status=400)
    db.session.commit()
    flash(
        _(
            "%(name)s holds %(num)s seats in ‘%(title)s’.",
            name=org.name,
            num=form.seats.data,
            title=program.title,
        ),
        "success",
    )
    return redirect(url_for("organisations.admin_detail", slug=org.slug))


@bp.post("/admin/organisations/<slug>/private")
@login_required
def admin_private_program(slug: str) -> Page:
    """Make a program and its modules private to the organisation (or public again)."""
    org = _admin_org(slug)
    form = _private_form(PrivateProgramForm())
    if not form.validate():
        return _admin_detail(org, private_form=form, status=400)
    program = program_by_slug(form.program.data or "")
    if program is None:
        abort(404, _("No such program."))
    if program.organisation_id not in (None, org.id):
        form.program.errors = [_("Another organisation owns this program.")]
        return _admin_detail(org, private_form=form, status=400)
    private = form.private.data == "yes"
    modules = services.make_program_private(program, org if private else None)
    db.session.commit()
    if private:
        message = _(
            "‘%(title)s’ and its %(num)d modules are private to %(name)s.",
            title=program.title,
            num=len(modules),
            name=org.name,
        )
    else:
        message = _(
            "‘%(title)s’ and its %(num)d modules are public again.",
            title=program.title,
            num=len(modules),
        )
    flash(message, "success")
    return redirect(url_for("organisations.admin_detail", slug=org.slug))


# ----------------------------------------------------------------------------- manager


@bp.get("/org/")
@login_required
def mine() -> Page:
    """The caller's organisation dashboard (managers; admins go to the list of every
    organisation); 404 for anyone else."""
    org = queries.managed_organisation(_me())
    if org is None and can_manage_organisations(_me()):
        return redirect(url_for("organisations.admin_list"))
    if org is None:
        abort(404, _("You do not manage an organisation."))
    return redirect(url_for("organisations.dashboard", slug=org.slug))


@bp.get("/org/<slug>/")
@login_required
def dashboard(slug: str) -> Page:
    """Progress, overdue assignments, certificates, time watched and missed classes
    caught up of the organisation's people (its managers and admins only)."""
    org = organisation_for_manager_or_404(_me(), slug)
    rows = queries.dashboard(org.id)
    return render_template(
        "organisations/dashboard.html",
        org=org,
        rows=rows,
        seats=queries.seats(org.id),
        overdue=sum(1 for r in rows if r.overdue),
    )


@bp.get("/org/<slug>/dashboard.csv")
@login_required
def dashboard_csv(slug: str) -> Response:
    """The dashboard as CSV (its managers and admins only)."""
    org = organisation_for_manager_or_404(_me(), slug)
    rows = queries.dashboard(org.id)
    body = queries.dashboard_csv(rows)
    record(
        Kind.EXPORTED,
        target=org,
        detail={"report": "organisation dashboard", "format": "csv", "rows": len(rows)},
    )
    db.session.commit()  # no report leaves without its audit row
    day = utcnow().date().isoformat()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{org.slug}-{day}.csv"'},
    )


@bp.get("/org/<slug>/people")
@login_required
def people(slug: str) -> Page:
    """The organisation's people (its managers and admins only)."""
    org = organisation_for_manager_or_404(_me(), slug)
    return render_template(
        "organisations/people.html",
        org=org,
        people=queries.people(org.id),
        org_role_labels=ORG_ROLE_LABELS,
    )


def _assign_form(org: Organisation, form: AssignForm | None = None) -> AssignForm:
    form = form or AssignForm(formdata=None)
    form.user_id.choices = [
        (str(p.user_id), f"{p.user.display_name} <{p.user.email}>") for p in queries.people(org.id)
    ]
    form.program.choices = [
        (
            s.program.slug,
            _(
                "%(title)s (%(free)d of %(held)d seats free)",
                title=s.program.title,
                free=s.free,
                held=s.held,
            ),
        )
        for s in queries.seats(org.id)
    ]
    return form


def _assign_page(org: Organisation, form: AssignForm | None = None, status: int = 200):
    html = render_template("organisations/assign.html", org=org, form=_assign_form(org, form))
    return html, status


@bp.route("/org/<slug>/assign", methods=["GET", "POST"])
@login_required
def assign(slug: str) -> Page:
    """Assign a program the organisation holds seats in to one of its people, with a
    due date; it enrols them (the organisation's seat pays)."""
    org = organisation_for_manager_or_404(_me(), slug)
    if request.method == "GET":
        return _assign_page(org)
    form = _assign_form(org, AssignForm())
    if not form.validate():
        return _assign_page(org, form, 400)
    member = queries.person(org.id, int(form.user_id.data or 0))
    program = next(
        (s.program for s in queries.seats(org.id) if s.program.slug == form.program.data), None
    )
    try:
        if member is None:
            raise OrganisationError(_("Choose one of your organisation's people."), "user_id")
        if program is None:
            raise OrganisationError(
                _("Choose a program your organisation holds seats in."), "program"
            )
        _assignment, created = services.assign(org, member.user, program, form.due_on.data, _me())
    except OrganisationError as exc:
        _refused(form, exc)
        return _assign_page(org, form, 400)
    db.session.commit()
    who = member.user.display_name
    if created:
        message = _("‘%(title)s’ assigned for %(name)s.", title=program.title, name=who)
    else:
        message = _("‘%(title)s’ updated for %(name)s.", title=program.title, name=who)
    flash(message, "success")
    return redirect(url_for("organisations.dashboard", slug=org.slug))


@bp.post("/org/<slug>/assignments/<int:user_id>/<program>/remove")
@login_required
def unassign(slug: str, user_id: int, program: str) -> Page:
    """Take an assignment back: the seat is free again and the enrolment it paid for
    ends (progress and certificates stay)."""
    org = organisation_for_manager_or_404(_me(), slug)
    assignment = queries.assignment_or_none(org.id, user_id, program)
    if assignment is None:
        abort(404, _("No such assignment in this organisation."))
    found = program_by_slug(program)
    title = found.title if found is not None else program
    services.unassign(assignment)
    db.session.commit()
    flash(_("‘%(title)s’ is no longer assigned; its seat is free.", title=title), "success")
    return redirect(url_for("organisations.dashboard", slug=org.slug))
