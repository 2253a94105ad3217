"""Writes for users and tokens; they flush, the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from webapp.auth.passwords import hash_password, verify_password
from webapp.extensions import db
from webapp.models import ApiToken, Role, User
from webapp.models.base import as_utc, utcnow

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed e-mail address."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The user with that e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, role: str = Role.LEARNER, name: str = "") -> User:
    """Create an account; raises AccountError on bad input or a taken address."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError(f"{email!r} is not an e-mail address")
    if role not in {r.value for r in Role}:
        raise AccountError(f"unknown role {role!r} (use learner, instructor or admin)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if find_user(email) is not None:
        raise AccountError(f"{email} already has an account")
    user = User(email=email, password_hash=hash_password(password), role=role, name=name)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user whose credentials these are, else None (same work either way)."""
    user = find_user(email) if isinstance(email, str) else None
    ok = verify_password(user.password_hash if user else None, str(password))
    return user if ok and user is not None and user.active else None


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, days: int) -> str:
    """Create an API token for ``user``; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), expires_at=expires))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired token belongs to."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None:
        return None
    if as_utc(row.expires_at) <= utcnow() or not row.user.active:
        return None
    return row.user
