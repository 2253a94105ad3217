"""Writes of the profile and the admin user list; they flush, the caller commits.

Every rule lives here once: the profile page and ``PATCH /api/v1/me`` call
``update_profile`` and ``set_language``, the admin list and ``PATCH /api/v1/users/<id>``
call ``set_role`` and ``set_active``. A refusal raises ``PeopleError`` (its ``field``
names the input it is about) and changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from webapp.audit.events import Kind, Target
from webapp.audit.services import record
from webapp.auth.services import (
    MAX_NAME_LENGTH,
    AccountError,
    check_current_password,
    clean_name,
    end_all_sessions,
    find_user,
    issue_token,
    normalise_email,
    token_row,
)
from webapp.cohorts.timezones import is_valid_zone
from webapp.extensions import db
from webapp.i18n import LANGUAGES
from webapp.models import ApiToken, EmailToken, Role, TokenPurpose, User
from webapp.models.base import as_utc, utcnow

EMAIL_CHANGE_HOURS = 24
MAX_EMAIL_LENGTH = 254
MAX_TOKEN_NAME_LENGTH = 80  # api_tokens.name


class PeopleError(ValueError):
    """A change was refused; the message is for people, ``field`` the input it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(PeopleError):
    """Refused because of the state of things (the last admin, one's own account)."""


# ---------------------------------------------------------------- profile


def display_name(raw: str | None) -> str:
    """The cleaned display name; PeopleError when empty or too long."""
    text = raw or ""
    if len(" ".join(text.split())) > MAX_NAME_LENGTH:
        raise PeopleError(_("Use at most %(max)d characters.", max=MAX_NAME_LENGTH), "name")
    name = clean_name(text)
    if not name:
        raise PeopleError(_("Enter the name to show for you."), "name")
    return name


def zone_or_none(raw: str | None) -> str | None:
    """A known IANA zone name, or None for "use my browser's"; PeopleError otherwise."""
    zone = (raw or "").strip()
    if not zone:
        return None
    if not is_valid_zone(zone):
        raise PeopleError(
            _(
                "“%(zone)s” is not a time zone we know; use a name such as Europe/Berlin.",
                zone=zone,
            ),
            "time_zone",
        )
    return zone


def update_profile(user: User, name: str | None, time_zone: str | None) -> None:
    """Set the display name and time zone (None: unchanged; "" zone: the browser's).

    A zone changed here is the user's choice (pinned): the browser's no longer replaces
    it; clearing it hands the zone back to the browser.
    """
    new_name = display_name(name) if name is not None else user.name
    new_zone = zone_or_none(time_zone) if time_zone is not None else user.time_zone
    user.name = new_name
    if new_zone != user.time_zone:
        user.time_zone_pinned = new_zone is not None
    elif new_zone is None:
        user.time_zone_pinned = False
    user.time_zone = new_zone
    db.session.flush()


def language_or_none(raw: str | None) -> str | None:
    """A language code of ``LANGUAGES``, or None for "the browser's"; PeopleError otherwise."""
    code = (raw or "").strip()
    if not code:
        return None
    if code not in LANGUAGES:
        raise PeopleError(_("Pick a language from the list."), "locale")
    return code


def set_language(user: User, raw: str | None) -> None:
    """Set the language pages and e-mails are written in ("" or None: the browser's)."""
    user.locale = language_or_none(raw)
    db.session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_address(raw: str | None, user: User) -> str:
    """The normalised new address for ``user``; PeopleError when invalid, the same or taken."""
    text = (raw or "").strip()
    if not text:
        raise PeopleError(_("Enter an e-mail address."), "email")
    if len(text) > MAX_EMAIL_LENGTH:
        raise PeopleError(_("Use at most %(max)d characters.", max=MAX_EMAIL_LENGTH), "email")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise PeopleError(_("“%(text)s” is not an e-mail address.", text=text), "email") from None
    address = normalise_email(checked.normalized)
    if address == user.email:
        raise PeopleError(_("That is already your address."), "email")
    if find_user(address) is not None:
        raise PeopleError(_("Another account already uses that address."), "email")
    return address


def request_email_change(user: User, raw: str | None, password: str) -> str:
    """Start changing ``user``'s address, after re-entering the password (the address
    is how the account is recovered; ASVS 7.5.1): a single-use link for the new address
    (24 h); earlier pending changes are dropped. Returns the link's token (send it after
    the commit, to the new address; a notice goes to the old one)."""
    address = new_address(raw, user)
    if not password:
        raise PeopleError(_("Enter your current password to change the address."), "password")
    try:
        check_current_password(user, password, Kind.EMAIL_CHANGED)
    except AccountError as exc:
        raise PeopleError(str(exc), "password") from None
    db.session.execute(
        delete(EmailToken).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == TokenPurpose.EMAIL_CHANGE,
            EmailToken.used_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        EmailToken(
            user_id=user.id,
            purpose=TokenPurpose.EMAIL_CHANGE,
            token_hash=_digest(token),
            new_email=address,
            expires_at=utcnow() + timedelta(hours=EMAIL_CHANGE_HOURS),
        )
    )
    db.session.flush()
    return token


def confirm_email_change(token: str) -> User:
    """Give the account the address its link was sent to; the link is used up.

    Refused (PeopleError) for an unknown, used or expired link, and when another account
    took the address meanwhile."""
    row = db.session.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == _digest(token),
            EmailToken.purpose == TokenPurpose.EMAIL_CHANGE,
        )
    )
    if row is None or row.used_at is not None or row.new_email is None or not row.user.active:
        raise PeopleError(_("This link is not valid, or it was used already."))
    if as_utc(row.expires_at) <= utcnow():
        raise PeopleError(_("This link has expired; ask for a new one on your profile page."))
    if find_user(row.new_email) is not None:
        raise PeopleError(
            _(
                "Another account uses %(email)s now; the address was not changed.",
                email=row.new_email,
            )
        )
    row.used_at = utcnow()
    old_email = row.user.email
    row.user.email = row.new_email
    record(Kind.EMAIL_CHANGED, row.user, target=row.user, detail={"from": old_email})
    db.session.flush()
    return row.user


# ---------------------------------------------------------------- API tokens


def token_name(raw: str | None, *, required: bool = True) -> str:
    """A token's name: one line of at most 80 characters (required on the profile page)."""
    text = " ".join((raw or "").split())
    if len(text) > MAX_TOKEN_NAME_LENGTH:
        raise PeopleError(_("Use at most %(max)d characters.", max=MAX_TOKEN_NAME_LENGTH), "name")
    name = clean_name(text)
    if required and not name:
        raise PeopleError(_("Name the token (say where it is used)."), "name")
    return name


def create_token(
    user: User, name: str, days: int, *, required: bool = True
) -> tuple[str, ApiToken]:
    """A new API token for ``user`` with a name; the token (shown once) and its row."""
    clean = token_name(name, required=required)
    token = issue_token(user, days)
    row = token_row(token)
    assert row is not None  # issue_token flushed it
    row.name = clean
    db.session.flush()
    record(
        Kind.TOKEN_CREATED,
        user,
        target=Target("api_token", str(row.id), clean),
        detail={"expires_at": row.expires_at.isoformat()},
    )
    return token, row


# ---------------------------------------------------------------- admin: roles and accounts


def _is_last_admin(user: User) -> bool:
    if user.role != Role.ADMIN or not user.active:
        return False
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    return not others


def parse_role(raw: str) -> Role:
    """The role named ``raw``; PeopleError otherwise."""
    try:
        return Role(raw)
    except ValueError:
        raise PeopleError(_("Choose learner, instructor or admin."), "role") from None


def set_role(actor: User, user: User, role: Role) -> None:
    """Give ``user`` another role; the last active admin keeps theirs."""
    if role == user.role:
        return
    if role != Role.ADMIN and _is_last_admin(user):
        raise ConflictError(
            _(
                "%(name)s is the only active admin; make someone else admin first.",
                name=user.display_name,
            ),
            "role",
        )
    before = user.role
    user.role = role
    db.session.flush()
    record(Kind.ROLE_CHANGED, actor, target=user, detail={"from": str(before), "to": str(role)})


def sign_out_everywhere(actor: User, user: User) -> None:
    """End every session, remember-me cookie and API token of ``user`` (a lost laptop,
    a shared password) without deactivating the account; the password stays. An admin
    ends their own sessions with "Sign out" instead."""
    if user.id == actor.id:
        raise ConflictError(_("Use “Sign out” to end your own sessions."), "sessions")
    end_all_sessions(user)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate or reactivate ``user``. Deactivating ends every session, remember-me
    cookie and API token of the account at once; nobody deactivates themselves, and the
    last active admin stays."""
    if active == user.active:
        return
    if not active:
        if user.id == actor.id:
            raise ConflictError(_("You cannot deactivate your own account."), "active")
        if _is_last_admin(user):
            raise ConflictError(
                _(
                    "%(name)s is the only active admin; make someone else admin first.",
                    name=user.display_name,
                ),
                "active",
            )
        user.active = False
        end_all_sessions(user)
    else:
        user.active = True
    db.session.flush()
    record(Kind.USER_REACTIVATED if active else Kind.USER_DEACTIVATED, actor, target=user)
