"""API routes of the profile (``/me``) and the admin user list (``/users``).

They call the same services as the pages, so the rules and their messages are the same;
a refusal is a 400 problem naming the field, a last-admin or own-account refusal a 409.
"""

from __future__ import annotations

from typing import Literal

from flask import g
from pydantic import Field

from webapp.access import can_manage_users
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, Timestamp, operation
from webapp.extensions import db
from webapp.models import Role, User
from webapp.models.base import as_utc
from webapp.people import services
from webapp.people.queries import MAX_PER_PAGE, MAX_QUERY, PER_PAGE, UserFilter, user_page
from webapp.people.queries import pending_email as pending_email_of
from webapp.people.services import ConflictError, PeopleError
from webapp.problems import ApiError, FieldError

RoleName = Literal["learner", "instructor", "admin"]


class MeOut(Output):
    """The caller's own account."""

    id: int
    email: str
    name: str
    role: RoleName
    time_zone: str | None = Field(description="IANA zone name; null: the browser's.")
    locale: str | None = Field(
        description="Language of pages and e-mails (en, de); null: the browser's."
    )
    pending_email: str | None = Field(
        description="A new address waiting for its confirmation link to be opened."
    )


class MeChange(Input):
    """What to change of one's own account (absent: unchanged)."""

    name: str | None = Field(default=None, description="Display name (1-120 characters).")
    time_zone: str | None = Field(
        default=None, description="IANA zone name such as Europe/Berlin; null or '': the browser's."
    )
    locale: str | None = Field(
        default=None, description="Language code (en, de); null or '': the browser's."
    )


class UserOut(Output):
    """An account as the admin user list shows it."""

    id: int
    email: str
    name: str
    role: RoleName
    active: bool
    created_at: Timestamp

    @classmethod
    def of(cls, user: User) -> UserOut:
        """The shape of ``user``."""
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role.value,
            active=user.active,
            created_at=as_utc(user.created_at),
        )


class UserFilters(Query):
    """Which accounts, which page."""

    q: str = Field("", max_length=MAX_QUERY, description="Words in the name or e-mail address.")
    role: RoleName | None = None
    active: bool | None = Field(None, description="true: active only; false: deactivated only.")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)


class UserList(Output):
    """One page of accounts, by name."""

    users: list[UserOut]
    total: int
    page: int
    per_page: int


class UserChange(Input):
    """An admin's change to an account (absent: unchanged)."""

    role: RoleName | None = None
    active: bool | None = Field(
        default=None, description="false ends every session and token of the account at once."
    )


def _me_out(user: User) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        time_zone=user.time_zone,
        locale=user.locale,
        pending_email=pending_email_of(user),
    )


def _problem(exc: PeopleError) -> ApiError:
    db.session.rollback()
    status = 409 if isinstance(exc, ConflictError) else 400
    message = str(exc)
    errors = [FieldError(exc.field, message)] if exc.field else []
    return ApiError(status, message, errors=errors)


@operation(bp, "GET", "/me", responses={200: MeOut})
def get_me() -> MeOut:
    """The caller's own account: name, e-mail, role, time zone."""
    return _me_out(g.user)


@operation(bp, "PATCH", "/me", body=MeChange, responses={200: MeOut})
def patch_me(body: MeChange) -> MeOut:
    """Change one's display name and/or time zone (the profile page's rules)."""
    given = body.model_fields_set
    if "name" in given and body.name is None:
        raise ApiError(
            400,
            "name may be left out, not null",
            errors=[FieldError("name", "may be left out, not null")],
        )
    zone = (body.time_zone or "") if "time_zone" in given else None
    try:
        services.update_profile(g.user, body.name, zone)
        if "locale" in given:
            services.set_language(g.user, body.locale or "")
    except PeopleError as exc:
        raise _problem(exc) from None
    db.session.commit()
    return _me_out(g.user)


def _admin() -> User:
    if not can_manage_users(g.user):
        raise ApiError(403, "only admins manage accounts")
    user: User = g.user
    return user


@operation(bp, "GET", "/users", query=UserFilters, responses={200: UserList}, errors=(403,))
def list_users(query: UserFilters) -> UserList:
    """Every account (admins): search by name or address, filter by role and status."""
    _admin()
    page = user_page(
        UserFilter(
            q=query.q,
            role=Role(query.role) if query.role else None,
            active=query.active,
            page=query.page,
            per_page=query.per_page,
        )
    )
    return UserList(
        users=[UserOut.of(user) for user in page.users],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


@operation(
    bp,
    "PATCH",
    "/users/<int:user_id>",
    body=UserChange,
    responses={200: UserOut},
    errors=(403, 404, 409),
)
def patch_user(user_id: int, body: UserChange) -> UserOut:
    """Change an account's role and/or deactivate or reactivate it (admins). The last
    active admin cannot be demoted or deactivated, nobody deactivates themselves (409)."""
    actor = _admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404, "no such user")
    try:
        if body.role is not None:
            services.set_role(actor, user, Role(body.role))
        if body.active is not None:
            services.set_active(actor, user, body.active)
    except PeopleError as exc:
        raise _problem(exc) from None
    db.session.commit()
    return UserOut.of(user)
