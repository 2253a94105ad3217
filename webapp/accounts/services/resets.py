"""Password reset: a 30-minute single-use link; using it ends every session of the account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp.accounts.services.common import check_email_token, issue_email_token, password_hash_of
from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.auth.services import end_all_sessions, find_user
from webapp.extensions import db
from webapp.models import EmailToken, TokenPurpose, User
from webapp.models.base import utcnow

RESET_LIFETIME = timedelta(minutes=30)


def request_reset(email: str) -> tuple[User, str] | None:
    """A 30-minute RESET link for a known, active account; None otherwise (the caller
    answers the same either way)."""
    user = find_user(email) if email else None
    if user is None or not user.active:
        return None
    return user, issue_email_token(user, TokenPurpose.RESET, RESET_LIFETIME)


def reset_password(token: str, password: str, confirm: str) -> User:
    """Set a new password through a RESET link (single use): every session, remember-me
    cookie and API token of the account ends, and the address counts as confirmed."""
    row = check_email_token(token, TokenPurpose.RESET)
    user = row.user
    user.password_hash = password_hash_of(password, confirm, user.email)
    row.used_at = utcnow()
    user.email_verified = True
    # Other reset links of the account die with this one.
    for other in db.session.scalars(
        select(EmailToken).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == TokenPurpose.RESET,
            EmailToken.used_at.is_(None),
        )
    ):
        other.used_at = row.used_at
    end_all_sessions(user)
    record(Kind.PASSWORD_RESET, user, target=user)
    return user
