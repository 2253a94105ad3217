"""Back-office enrolment (admins): enrol an existing account in a program, end an
enrolment (the person's progress stays)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.learning import services
from webapp.learning.forms import EnrolForm
from webapp.learning.manage_common import bp
from webapp.learning.manage_programs import program_form, program_or_404, program_page
from webapp.learning.services import LearningError


@bp.post("/programs/<slug>/enrollments")
@login_required
def enrol_person(slug: str):
    """Enrol an existing account in the program (admins; company programs included)."""
    program = program_or_404(slug)
    enrol_form = EnrolForm(prefix="enrol")
    details = program_form(obj=program)
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
            flash(
                _("%(who)s is enrolled.", who=who)
                if created
                else _("%(who)s was already enrolled.", who=who),
                "success",
            )
            return redirect(url_for(".edit_program", slug=slug, _anchor="people-heading"))
    return program_page(program, details, 400, enrol_form=enrol_form)


@bp.post("/programs/<slug>/enrollments/<int:user_id>/remove")
@login_required
def unenrol_person(slug: str, user_id: int):
    """End one person's enrolment (their progress stays)."""
    program = program_or_404(slug)
    try:
        services.unenrol(user_id, program)
    except LearningError as exc:
        db.session.rollback()
        abort(404, str(exc))
    db.session.commit()
    flash(_("Enrolment ended; the person's progress is kept."), "success")
    return redirect(url_for(".edit_program", slug=slug, _anchor="people-heading"))
