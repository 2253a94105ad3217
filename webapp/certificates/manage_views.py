"""Back-office pages: a program's certificate rule (and its certificates), and revoking
a certificate with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp.access import can_manage_certificate_rules, can_revoke_certificates
from webapp.certificates import queries, services
from webapp.certificates.forms import RevokeForm, RuleForm
from webapp.certificates.views import bp
from webapp.extensions import db
from webapp.models import Certificate, Program
from webapp.models.base import utcnow


def program_or_404(slug: str) -> Program:
    """The program whose rule the caller may edit (403 for others, 404 if unknown)."""
    if not can_manage_certificate_rules(current_user):
        abort(403, "Only administrators edit certificate rules.")
    program = queries.program_by_slug(slug)
    if program is None:
        abort(404, "No such program.")
    return program


def save_rule_from(program: Program, form: RuleForm) -> str | None:
    """Store the form's rule; the refusal's message, or None when saved (flushed)."""
    try:
        services.save_rule(
            program,
            min_watched_percent=form.min_watched_percent.data or 0,
            min_classes=form.min_classes.data or 0,
            module_ids=form.modules.data or [],
            exam_ids=form.exams.data or [],
            allowed_modules=[m.id for m in queries.program_modules(program.id)],
            allowed_exams=[e.id for e in queries.program_exams(program.id)],
            project_ids=form.projects.data or [],
            allowed_projects=[p.id for p in queries.program_projects(program.id)],
        )
    except services.CertificateError as exc:
        return str(exc)
    return None


@bp.route("/manage/programs/<slug>/certificate", methods=["GET", "POST"])
@login_required
def manage_rule(slug: str):
    """Edit what earns the program's certificate; list its certificates."""
    program = program_or_404(slug)
    view = queries.rule_of(program.id)
    form = RuleForm()
    form.modules.choices = [(m.id, m.title) for m in queries.program_modules(program.id)]
    form.exams.choices = [(e.id, e.title) for e in queries.program_exams(program.id)]
    form.projects.choices = [(p.id, p.title) for p in queries.program_projects(program.id)]
    if form.validate_on_submit():
        refused = save_rule_from(program, form)
        if refused is None:
            db.session.commit()
            flash("Certificate rule saved; learners who now meet it receive theirs.", "success")
            return redirect(url_for("certificates.manage_rule", slug=slug))
        form.form_errors.append(refused)
    elif not form.is_submitted():
        form.min_watched_percent.data = round(view.rule.min_share * 100)
        form.min_classes.data = view.rule.min_classes
        form.modules.data = [] if view.all_modules else list(view.rule.module_ids)
        form.exams.data = list(view.rule.exam_ids)
        form.projects.data = list(view.rule.project_ids)
    status = 400 if form.is_submitted() else 200
    html = render_template(
        "certificates/manage_rule.html",
        program=program,
        form=form,
        view=view,
        certificates=queries.certificates_of_program(program.id),
    )
    return html, status


def certificate_or_404(code: str) -> Certificate:
    """The certificate an admin may revoke (403 for others, 404 if unknown)."""
    if not can_revoke_certificates(current_user):
        abort(403, "Only administrators revoke certificates.")
    certificate = queries.by_code(code)
    if certificate is None:
        abort(404, "No such certificate.")
    return certificate


@bp.route("/manage/certificates/<code>/revoke", methods=["GET", "POST"])
@login_required
def revoke(code: str):
    """Confirm with a reason, then revoke (admins)."""
    certificate = certificate_or_404(code)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(certificate, form.reason.data or "", current_user, utcnow())
        except services.CertificateError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            db.session.commit()
            flash("Certificate revoked: its verification page now says so.", "success")
            if certificate.program is not None:
                return redirect(url_for("certificates.manage_rule", slug=certificate.program.slug))
            return redirect(url_for("certificates.verify_code", code=certificate.code))
    status = 400 if form.is_submitted() else 200
    return render_template("certificates/revoke.html", certificate=certificate, form=form), status
