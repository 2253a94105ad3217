"""The profile page (everyone signed in) and the admin user list."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp.access import can_manage_users
from webapp.auth.services import live_tokens, normalise_email, revoke_token
from webapp.extensions import db
from webapp.mail import send
from webapp.models import ApiToken, Role, User
from webapp.organisations.queries import organisation_names
from webapp.people import services
from webapp.people.forms import (
    ROLE_LABELS,
    ActionForm,
    ProfileForm,
    RoleForm,
    TokenForm,
    UserSearchForm,
)
from webapp.people.queries import MAX_QUERY, UserFilter, pending_email, user_page, zone_names
from webapp.people.services import ConflictError, PeopleError

bp = Blueprint("people", __name__)

Page = str | tuple[str, int] | Response


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _profile_page(
    profile: ProfileForm | None = None,
    token_form: TokenForm | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    user = _me()
    if profile is None:
        profile = ProfileForm(
            data={
                "name": user.name,
                "time_zone": user.time_zone or "",
                "locale": user.locale or "",
                "email": user.email,
            }
        )
    html = render_template(
        "people/profile.html",
        form=profile,
        token_form=token_form or TokenForm(formdata=None),
        tokens=live_tokens(user),
        new_token=new_token,
        pending=pending_email(user),
        zones=zone_names(),
    )
    return html, status


def _refused(form: ProfileForm | TokenForm, exc: PeopleError) -> None:
    """Put a service's refusal beside its field (or above the form)."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> Page:
    """Show and change one's display name, time zone and e-mail address."""
    if request.method == "GET":
        return _profile_page()
    user = _me()
    form = ProfileForm()
    if not form.validate():
        return _profile_page(form, status=400)
    old_email, token = user.email, None
    try:
        # The address first: its password check may store an audit event on its own
        # connection, which SQLite lets through only before this request writes.
        if normalise_email(form.email.data or "") != user.email:
            token = services.request_email_change(user, form.email.data, form.password.data or "")
        services.update_profile(user, form.name.data, form.time_zone.data or "")
        services.set_language(user, form.locale.data or "")
    except PeopleError as exc:
        _refused(form, exc)
        return _profile_page(form, status=400)
    new_email = pending_email(user)
    db.session.commit()
    refresh()  # the confirmation below is in the language just chosen
    if token is not None and new_email is not None:
        link = url_for("people.confirm_email", token=token, _external=True)
        send("email_change", new_email, user=user, link=link, new_email=new_email)
        send("email_change_notice", old_email, user=user, new_email=new_email)
        flash(
            _(
                "Profile saved. We sent a link to %(email)s: your address changes once "
                "you open it (within 24 hours).",
                email=new_email,
            ),
            "success",
        )
    else:
        flash(_("Profile saved."), "success")
    return redirect(url_for("people.profile"))


@bp.get("/account/email/<token>")
def confirm_email(token: str) -> Page:
    """Open the link sent to a new address: the account takes that address."""
    try:
        user = services.confirm_email_change(token)
    except PeopleError as exc:
        db.session.rollback()
        return render_template("people/email_confirm.html", error=str(exc)), 400
    db.session.commit()
    return render_template("people/email_confirm.html", error=None, email=user.email)


@bp.post("/account/tokens")
@login_required
def create_token() -> Page:
    """Create a named API token; the page shows it this once."""
    form = TokenForm()
    if not form.validate():
        return _profile_page(token_form=form, status=400)
    try:
        token, _row = services.create_token(
            _me(), form.name.data or "", current_app.config["API_TOKEN_DAYS"]
        )
    except PeopleError as exc:
        _refused(form, exc)
        return _profile_page(token_form=form, status=400)
    db.session.commit()
    return _profile_page(new_token=token)


def _own_token(token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != _me().id:
        abort(404, _("No such token."))
    return row


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int) -> Page:
    """Confirm (GET), then revoke (POST) one of one's own API tokens."""
    row = _own_token(token_id)
    if request.method == "GET":
        return render_template(
            "manage/confirm_delete.html",
            thing=_("the API token “%(name)s”", name=row.name or _("unnamed")),
            goes=[_("Scripts that use it are refused from then on.")],
            blockers=[],
            force_label=None,
            action=url_for("people.revoke", token_id=row.id),
            back=url_for("people.profile"),
        )
    if not ActionForm().validate():
        abort(400, _("The form expired; try again."))
    revoke_token(_me(), row.id)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("people.profile"))


# ---------------------------------------------------------------- admin: users


def _admin() -> User:
    if not can_manage_users(_me()):
        abort(403, _("Only admins manage accounts."))
    return _me()


def _search() -> tuple[UserSearchForm, UserFilter]:
    form = UserSearchForm(request.args)
    page = request.args.get("page", "1")
    wanted = UserFilter(
        q=(form.q.data or "")[:MAX_QUERY],
        role=Role(form.role.data) if form.role.data in set(Role) else None,
        active={"active": True, "inactive": False}.get(form.status.data or ""),
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )
    return form, wanted


def _list_args() -> dict[str, str]:
    """The list's filters, to come back to the same page after an action."""
    return {k: v for k, v in request.args.items() if k in {"q", "role", "status", "page"} and v}


def _users_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    form, wanted = _search()
    result = user_page(wanted)
    html = render_template(
        "people/users.html",
        form=form,
        result=result,
        organisations=organisation_names([u.id for u in result.users]),
        me=_me(),
        action=ActionForm(),
        error=error,
        args=_list_args(),
        roles=[role.value for role in Role],
        role_labels=ROLE_LABELS,
    )
    return html, status


@bp.get("/admin/users")
@login_required
def users() -> Page:
    """Every account: search by name or address, filter by role and status, paged."""
    _admin()
    return _users_page()


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, _("No such user."))
    return user


def _user_action(
    user_id: int, change: Callable[[User, User], None], done: Callable[[str], str]
) -> Page:
    actor = _admin()
    user = _target(user_id)
    if not ActionForm().validate():
        return _users_page(_("The form expired; try again."), 400)
    try:
        change(actor, user)
    except PeopleError as exc:
        db.session.rollback()
        return _users_page(str(exc), 409 if isinstance(exc, ConflictError) else 400)
    db.session.commit()
    flash(done(user.display_name), "success")
    return redirect(url_for("people.users", **_list_args()))  # type: ignore[arg-type]


@bp.post("/admin/users/<int:user_id>/role")
@login_required
def change_role(user_id: int) -> Page:
    """Give a user another role (the last active admin keeps theirs)."""
    form = RoleForm()

    def change(actor: User, user: User) -> None:
        services.set_role(actor, user, services.parse_role(form.role.data or ""))

    return _user_action(
        user_id,
        change,
        lambda name: _("%(name)s is now %(role)s.", name=name, role=str(form.role.data)),
    )


@bp.post("/admin/users/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int) -> Page:
    """Deactivate an account: its sessions, remember-me cookies and tokens end at once."""
    return _user_action(
        user_id,
        lambda actor, user: services.set_active(actor, user, False),
        lambda name: _("%(name)s is deactivated and signed out everywhere.", name=name),
    )


@bp.post("/admin/users/<int:user_id>/sign-out")
@login_required
def sign_out_everywhere(user_id: int) -> Page:
    """End every session, remember-me cookie and API token of an account."""
    return _user_action(
        user_id,
        services.sign_out_everywhere,
        lambda name: _(
            "%(name)s is signed out everywhere; their API tokens are revoked.", name=name
        ),
    )


@bp.post("/admin/users/<int:user_id>/reactivate")
@login_required
def reactivate(user_id: int) -> Page:
    """Let a deactivated account sign in again."""
    return _user_action(
        user_id,
        lambda actor, user: services.set_active(actor, user, True),
        lambda name: _("%(name)s can sign in again.", name=name),
    )
