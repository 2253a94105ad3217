"""Pages: sign up, confirm the address, forgot / reset the password, accept an invitation;
for admins the sign-up policy, for admins and cohort instructors the invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp import access
from webapp.accounts import mailer, queries, services
from webapp.accounts.forms import (
    LEARNER,
    NONE,
    POLICY_CHOICES,
    AcceptForm,
    BulkInviteForm,
    EmailForm,
    InviteForm,
    NewPasswordForm,
    PolicyForm,
    SignupForm,
)
from webapp.accounts.services import AccountsError, LinkGone, RowReport
from webapp.accounts.services.invitations import invitation_status_name, row_result_name
from webapp.auth.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from webapp.auth.views import start_session
from webapp.csvinput import MAX_BYTES, CsvError, read_rows
from webapp.extensions import db
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import Invitation, Program, SignupPolicy, TokenPurpose, User
from webapp.organisations.queries import all_organisations

bp = Blueprint("accounts", __name__)

RESET_SENT = _l(
    "If an account uses that address, a message with a link to choose a new password is on "
    "its way. The link works once, for 30 minutes."
)
RESEND_SENT = _l(
    "If that address has an account waiting for confirmation, a new link is on its way."
)
RULES = {"min_length": MIN_PASSWORD_LENGTH, "max_length": MAX_PASSWORD_LENGTH}


@bp.app_context_processor
def _signup_flag() -> dict[str, Any]:
    return {"signup_open": services.signup_open}


bp.add_app_template_filter(invitation_status_name, "invitation_status")
bp.add_app_template_filter(row_result_name, "bulk_result")


def _attach(form: Any, exc: AccountsError, fallback: str) -> None:
    """Show a service's refusal beside its field (or above the form)."""
    field = getattr(form, exc.field or fallback, None)
    if field is not None:
        field.errors = [*field.errors, str(exc)] if isinstance(field.errors, list) else [str(exc)]
    else:
        form.form_errors.append(str(exc))


def _too_many(template: str, wait: int, **context: Any) -> tuple[str, int, dict[str, str]]:
    if wait >= 60:
        message = ngettext(
            "Too many requests. Try again in %(num)d minutes.",
            "Too many requests. Try again in %(num)d minutes.",
            max(1, wait // 60),
        )
    else:
        message = ngettext(
            "Too many requests. Try again in %(num)d seconds.",
            "Too many requests. Try again in %(num)d seconds.",
            wait,
        )
    flash(message, "error")
    return render_template(template, **context), 429, {"Retry-After": str(wait)}


def _mail_link_page(
    template: str,
    scope: str,
    find: Callable[[str], tuple[User, str] | None],
    send: Callable[[User, str], None],
    sent: str | LazyString,
    then: str,
) -> Any:
    """An e-mail form that mails a link: throttled per address and client (``scope``), and
    the same answer (``sent``, then a redirect to ``then``) whether or not ``find`` knows
    the address, so the page does not tell which addresses have accounts."""
    form = EmailForm()
    if request.method == "GET":
        return render_template(template, form=form)
    if not form.validate():
        return render_template(template, form=form), 400
    wait = services.mail_wait(scope, form.email.data)
    if wait:
        return _too_many(template, wait, form=form)
    found = find(form.email.data)
    db.session.commit()
    if found is not None:
        send(*found)
    flash(str(sent), "success")
    return redirect(then)


# --------------------------------------------------------------------------- sign-up


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Any:
    """Open sign-up (by policy); closed or invitation-only: how to get in."""
    policy = services.signup_policy()
    template = "accounts/signup.html"
    if policy not in (SignupPolicy.OPEN, SignupPolicy.DOMAINS):
        return render_template(template, policy=policy, form=None, domains=[])
    form = SignupForm()
    context = {"policy": policy, "form": form, "domains": services.signup_domains(), **RULES}
    if request.method == "GET":
        return render_template(template, **context)
    if not form.validate():
        return render_template(template, **context), 400
    try:
        outcome = services.signup(
            form.name.data, form.email.data, form.password.data, form.confirm.data
        )
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "email")
        return render_template(template, **context), 400
    wait = services.mail_wait("signup-mail", outcome.user.email)
    db.session.commit()
    if not wait:
        mailer.signup_message(outcome.user, outcome.token)
    flash(
        _(
            "Almost done: we sent a message to %(email)s. Open the link in it within 24 hours "
            "to confirm your address, then sign in.",
            email=outcome.user.email,
        ),
        "success",
    )
    return redirect(url_for("auth.login"))


@bp.get("/signup/confirm/<token>")
def confirm_email(token: str) -> Any:
    """The link of the confirmation message: the address is confirmed; sign in."""
    try:
        user = services.verify_email(token)
    except LinkGone as exc:
        db.session.rollback()
        return _gone(exc, _("Confirming your address")), 410
    db.session.commit()
    flash(_("Thank you: %(email)s is confirmed. You can sign in now.", email=user.email), "success")
    return redirect(url_for("auth.login"))


@bp.route("/signup/resend", methods=["GET", "POST"])
def resend_verification() -> Any:
    """Send the confirmation link again (same answer for every address)."""
    return _mail_link_page(
        "accounts/resend.html",
        "signup-mail",
        services.resend_verification,
        mailer.verify_message,
        RESEND_SENT,
        url_for("auth.login"),
    )


# --------------------------------------------------------------------------- password reset


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Any:
    """Ask for a reset link: the same answer whether or not the address has an account."""
    return _mail_link_page(
        "accounts/forgot.html",
        "reset-mail",
        services.request_reset,
        mailer.reset_message,
        RESET_SENT,
        url_for("accounts.forgot_password"),
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Choose a new password through a reset link; every session and API token ends."""
    template = "accounts/reset.html"
    try:
        row = services.check_email_token(token, TokenPurpose.RESET)
    except LinkGone as exc:
        return _gone(exc, _("Choosing a new password")), 410
    form = NewPasswordForm()
    context = {"form": form, "email": row.user.email, **RULES}
    if request.method == "GET":
        return render_template(template, **context)
    if not form.validate():
        return render_template(template, **context), 400
    try:
        services.reset_password(token, form.password.data, form.confirm.data)
    except LinkGone as exc:
        db.session.rollback()
        return _gone(exc, _("Choosing a new password")), 410
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "password")
        return render_template(template, **context), 400
    db.session.commit()
    flash(_("Your password is changed and every other session has ended. Sign in."), "success")
    return redirect(url_for("auth.login"))


def _gone(exc: LinkGone, title: str) -> str:
    return render_template("accounts/gone.html", title=title, message=str(exc), reason=exc.reason)


# --------------------------------------------------------------------------- invitations


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    """The invitee sets name and password, is signed in and lands where invited."""
    template = "accounts/accept.html"
    try:
        invitation = services.open_invitation(token)
    except LinkGone as exc:
        return _gone(exc, _("Your invitation")), 410
    form = AcceptForm()
    context = {"form": form, "invitation": invitation, **RULES}
    if request.method == "GET":
        return render_template(template, **context)
    if not form.validate():
        return render_template(template, **context), 400
    try:
        user, invitation = services.accept(
            token, form.name.data, form.password.data, form.confirm.data
        )
    except LinkGone as exc:
        db.session.rollback()
        return _gone(exc, _("Your invitation")), 410
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "password")
        return render_template(template, **context), 400
    db.session.commit()
    start_session(user, remember=False)
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.display_name), "success")
    return redirect(_landing(invitation))


def _landing(invitation: Invitation) -> str:
    if invitation.program_id is not None:
        program = db.session.get(Program, invitation.program_id)
        if program is not None:
            return url_for("learning.program", slug=program.slug)
    if invitation.cohort_id is not None:
        return url_for("cohorts.cohort_page", cohort_id=invitation.cohort_id)
    return url_for("library.index")


def _inviter() -> Any:
    user = current_user._get_current_object()
    if not access.can_manage_invitations(user):
        abort(403, _("Only admins and cohort instructors invite people."))
    return user


def _fill_targets(form: Any, user: Any) -> None:
    form.program.choices = [NONE] + [
        SelectChoice(p.slug, p.title) for p in queries.invitable_programs(user)
    ]
    form.cohort.choices = [NONE] + [
        SelectChoice(str(c.id), f"{c.name} ({c.program.title})")
        for c in queries.invitable_cohorts(user)
    ]
    if user.is_admin:
        form.organisation.choices = [NONE] + [
            SelectChoice(o.slug, o.name) for o in all_organisations()
        ]
    if not user.is_admin:
        form.role.choices = [LEARNER]
        form.cohort_role.choices = [LEARNER]


def _list_context(user: Any, **forms: Any) -> dict[str, Any]:
    found = queries.invitations_for(user)
    return {
        "invitations": found,
        "targets": queries.target_names(found),
        "status_of": services.status_of,
        "policy": services.signup_policy(),
        "days": services.invitation_days(),
        **forms,
    }


@bp.route("/admin/invitations", methods=["GET", "POST"])
@login_required
def invitations() -> Any:
    """The invitations the caller manages, and a form to invite one address."""
    user = _inviter()
    form = InviteForm()
    bulk = BulkInviteForm(formdata=None)
    _fill_targets(form, user)
    _fill_targets(bulk, user)
    template = "accounts/invitations.html"
    context = _list_context(user, form=form, bulk=bulk)
    if request.method == "GET":
        return render_template(template, **context)
    if not form.validate():
        return render_template(template, **context), 400
    try:
        what = services.target_from(
            user,
            form.role.data,
            form.program.data,
            form.cohort.data,
            form.cohort_role.data,
            form.organisation.data or "",
            form.organisation_role.data or "",
        )
        invitation, token = services.invite(user, form.email.data, what)
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "email")
        return render_template(template, **_list_context(user, form=form, bulk=bulk)), 400
    db.session.commit()
    mailer.invitation_message(invitation, token)
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("accounts.invitations"))


def _csv_bytes(form: BulkInviteForm) -> bytes | str:
    upload = form.csv_file.data
    if isinstance(upload, FileStorage) and upload.filename:
        # Read one byte past the cap: read_rows then refuses the file by its size.
        return bytes(upload.stream.read(MAX_BYTES + 1))
    return form.csv_text.data or ""


@bp.route("/admin/invitations/bulk", methods=["GET", "POST"])
@login_required
def bulk_invite() -> Any:
    """Invite the addresses of a pasted or uploaded CSV; the report says, row by row,
    what happened."""
    user = _inviter()
    form = BulkInviteForm()
    _fill_targets(form, user)
    template = "accounts/bulk.html"
    reports: list[RowReport] = []
    if request.method == "GET":
        return render_template(template, form=form, reports=reports)
    if not form.validate():
        return render_template(template, form=form, reports=reports), 400
    try:
        data = _csv_bytes(form)
        if not data:
            raise AccountsError(_("Paste a CSV or choose a file."), "csv_text")
        rows = read_rows(data, required=["email"], optional=["role"])
        if not rows:
            raise AccountsError(_("The CSV has no rows under its header."), "csv_text")
        base = services.target_from(
            user,
            form.role.data,
            form.program.data,
            form.cohort.data,
            form.cohort_role.data,
            form.organisation.data or "",
            form.organisation_role.data or "",
        )
        reports = services.invite_many(
            user,
            [(r.line, r.cells.get("email", ""), r.cells.get("role", "")) for r in rows],
            base,
            resend_pending=bool(form.resend.data),
        )
    except CsvError as exc:
        db.session.rollback()
        field = (
            form.csv_file if form.csv_file.data and form.csv_file.data.filename else form.csv_text
        )
        field.errors = [str(exc)]
        return render_template(template, form=form, reports=[]), 400
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "csv_text")
        return render_template(template, form=form, reports=[]), 400
    db.session.commit()
    for report in reports:
        if report.token is not None and report.invitation is not None:
            mailer.invitation_message(report.invitation, report.token)
    sent = sum(1 for r in reports if r.token is not None)
    flash(
        ngettext(
            "%(sent)d of %(num)d invitations sent; see each row below.",
            "%(sent)d of %(num)d invitations sent; see each row below.",
            len(reports),
            sent=sent,
        ),
        "success",
    )
    return render_template(template, form=form, reports=reports)


@bp.post("/admin/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int) -> Response:
    """A new link for the invitation (the old one stops working)."""
    user = _inviter()
    invitation = access.invitation_or_404(invitation_id, user)
    try:
        token = services.resend(invitation)
    except AccountsError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("accounts.invitations"))
    db.session.commit()
    mailer.invitation_message(invitation, token)
    flash(
        _(
            "Invitation re-sent to %(email)s; the earlier link no longer works.",
            email=invitation.email,
        ),
        "success",
    )
    return redirect(url_for("accounts.invitations"))


@bp.route("/admin/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_invitation(invitation_id: int) -> Any:
    """Confirm (GET), then withdraw (POST) an invitation: its link stops working."""
    user = _inviter()
    invitation = access.invitation_or_404(invitation_id, user)
    if request.method == "GET":
        blockers = [_("It was accepted already.")] if invitation.accepted_at else []
        return render_template(
            "manage/confirm_delete.html",
            thing=_("the invitation of %(email)s", email=invitation.email),
            goes=[_("its link, which stops working at once")],
            blockers=blockers,
            force_label=None,
            action=url_for("accounts.revoke_invitation", invitation_id=invitation.id),
            back=url_for("accounts.invitations"),
        )
    try:
        services.revoke(invitation)
    except AccountsError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("accounts.invitations"))
    db.session.commit()
    flash(_("The invitation of %(email)s is withdrawn.", email=invitation.email), "success")
    return redirect(url_for("accounts.invitations"))


# --------------------------------------------------------------------------- policy


@bp.route("/admin/sign-up", methods=["GET", "POST"])
@login_required
def signup_policy() -> Any:
    """Who may create an account (admins)."""
    if not access.can_set_signup_policy(current_user):
        abort(403, _("Only admins set the sign-up policy."))
    template = "accounts/policy.html"
    form = PolicyForm()
    if request.method == "GET":
        form.policy.data = services.signup_policy().value
        form.domains.data = "\n".join(services.signup_domains())
        return render_template(template, form=form)
    if not form.validate():
        return render_template(template, form=form), 400
    try:
        policy, _domains = services.set_signup_policy(form.policy.data, form.domains.data)
    except AccountsError as exc:
        db.session.rollback()
        _attach(form, exc, "policy")
        return render_template(template, form=form), 400
    db.session.commit()
    labels = {c.value: c.label for c in POLICY_CHOICES}
    flash(_("Sign-up policy saved: %(policy)s.", policy=labels[policy.value]), "success")
    return redirect(url_for("accounts.signup_policy"))
