"""What the accounts services share: their errors, the checks of an address, a new password
and a name, the single-use e-mail links (only a token's SHA-256 is stored, ``tokens.py``)
and the throttle of the messages people ask for."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.accounts import tokens
from webapp.auth import throttle
from webapp.auth.passwords import hash_password
from webapp.auth.services import AccountError, check_new_password, clean_name, normalise_email
from webapp.extensions import db
from webapp.models import EmailToken, TokenPurpose, User
from webapp.models.base import as_utc, utcnow

MAX_EMAIL_LENGTH = 254


class AccountsError(ValueError):
    """Refused input; the message is for people. ``field`` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class LinkGone(AccountsError):
    """A link that cannot be used (unknown, expired, used, revoked); ``reason`` says which."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotAllowed(AccountsError):
    """The caller may not send this invitation (API: 403)."""


class Conflict(AccountsError):
    """The address is already invited or already has an account (API: 409)."""


# --------------------------------------------------------------------------- checks


def check_address(email: str, field: str = "email") -> str:
    """The normalised address, or AccountsError saying why it is not one."""
    address = normalise_email(email or "")
    if not address:
        raise AccountsError(_("Enter an e-mail address."), field)
    if len(address) > MAX_EMAIL_LENGTH:
        raise AccountsError(
            _("An e-mail address has at most %(num)d characters.", num=MAX_EMAIL_LENGTH), field
        )
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountsError(
            _(
                "“%(address)s” is not an e-mail address: %(reason)s",
                address=address[:80],
                reason=str(exc),
            ),
            field,
        ) from None
    return address


def password_hash_of(password: str, confirm: str, email: str, field: str = "password") -> str:
    """The hash of a new password typed twice, or AccountsError saying what is wrong."""
    if password != confirm:
        raise AccountsError(_("The password and its confirmation do not match."), "confirm")
    try:
        check_new_password(password, email)
    except AccountError as exc:
        message = str(exc)
        raise AccountsError(message[:1].upper() + message[1:] + ".", field) from None
    return hash_password(password)


def checked_name(name: str) -> str:
    """The cleaned display name, or AccountsError."""
    cleaned = clean_name(name or "")
    if not cleaned:
        raise AccountsError(_("Enter your name."), "name")
    if len((name or "").strip()) > 120:
        raise AccountsError(_("A name has at most 120 characters."), "name")
    return cleaned


# --------------------------------------------------------------------------- e-mail tokens


def issue_email_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """A new single-use link token of ``user`` for ``purpose``; only its digest is stored."""
    token, digest = tokens.new_token()
    db.session.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.flush()
    return token


def check_email_token(token: str, purpose: TokenPurpose) -> EmailToken:
    """The live token row, or LinkGone (nothing used up)."""
    row = None
    if tokens.plausible(token):
        row = db.session.scalar(
            select(EmailToken).where(
                EmailToken.token_hash == tokens.digest(token), EmailToken.purpose == purpose
            )
        )
    if row is None:
        raise LinkGone("unknown", _("This link is not valid. Check that you copied all of it."))
    if row.used_at is not None:
        raise LinkGone("used", _("This link has already been used; each link works once."))
    if as_utc(row.expires_at) <= utcnow():
        raise LinkGone("expired", _("This link has expired."))
    if not row.user.active:
        raise LinkGone("unknown", _("This link is not valid."))
    return row


# --------------------------------------------------------------------------- throttle


def mail_wait(scope: str, address: str) -> int:
    """Count one e-mail asked for (reset, confirmation) against the address and the
    client; the seconds to wait when either is used up, else 0."""
    limits = current_app.config
    return max(
        throttle.spend(scope, address.strip().lower(), limits["ACCOUNT_MAIL_LIMIT_PER_ADDRESS"]),
        throttle.spend(
            scope + "-client", throttle.client_key(), limits["ACCOUNT_MAIL_LIMIT_PER_CLIENT"]
        ),
    )
