"""Writes for users and tokens; they flush, the caller commits."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, select

from webapp.audit.events import Kind, Outcome, Target
from webapp.audit.services import record, record_now
from webapp.auth import common_passwords, throttle
from webapp.auth.passwords import hash_password, verify_password
from webapp.extensions import db
from webapp.models import ApiToken, Role, User
from webapp.models.base import as_utc, utcnow

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # long passphrases welcome; far more is only a hashing load
MAX_NAME_LENGTH = 120  # users.name
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ: some scripts need them
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # controls, bidi, unassigned


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


class EmailNotVerified(AccountError):
    """The password is right but the address of an open sign-up is not confirmed yet."""


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed e-mail address."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The user with that e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def clean_name(name: str) -> str:
    """A display name without control or format characters (bidi overrides such as
    U+202E would reorder the text around the name wherever it is shown), in NFC, with
    runs of white space made one space."""
    kept = "".join(_name_char(ch) for ch in unicodedata.normalize("NFC", name or ""))
    return " ".join(kept.split())[:MAX_NAME_LENGTH]


def _name_char(ch: str) -> str:
    if ch in _KEEP_FORMAT:
        return ch
    if ch.isspace():
        return " "
    return "" if unicodedata.category(ch) in _DROP_CATEGORIES else ch


def check_new_password(password: str, email: str = "") -> None:
    """Raise AccountError unless ``password`` follows the password rules: a length in
    bounds, not on the common-password list, not the account's own e-mail address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("the password must have at least %(num)d characters", num=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            _("the password may have at most %(num)d characters", num=MAX_PASSWORD_LENGTH)
        )
    if common_passwords.is_common(password):
        raise AccountError(
            _(
                "this password is one of the most common passwords, which are tried first; "
                "choose another (a few unrelated words work well)"
            )
        )
    address = normalise_email(email)
    if address and password.casefold() in {address, address.partition("@")[0]}:
        raise AccountError(_("the password must not be the account e-mail address"))
    if _letters(password) in context_words():
        raise AccountError(
            _(
                "the password must not be the name of this site (with or without digits and "
                "symbols): it is among the first guesses"
            )
        )


def context_words() -> frozenset[str]:
    """Words of this site a guesser tries first (ASVS 6.1.2): the product and seller
    names and the labels of the site's host name, lower case, letters only."""
    words = {"learnstream"}
    if has_app_context():
        words.add(_letters(current_app.config.get("SELLER_NAME") or ""))
        host = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or ""
        words.update(_letters(label) for label in host.split(".") if len(label) > 3)
    return frozenset(w for w in words if len(w) >= 4)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def create_user(email: str, password: str, role: Role | str = Role.LEARNER, name: str = "") -> User:
    """Create an account; raises AccountError on bad input or a taken address."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccountError(f"{email!r} is not an e-mail address")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r} (use learner, instructor or admin)") from None
    check_new_password(password, email)
    if find_user(email) is not None:
        raise AccountError(f"{email} already has an account")
    user = User(
        email=email, password_hash=hash_password(password), role=role, name=clean_name(name)
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user whose credentials these are, else None (same work either way).

    Throttled per account and per client address (``webapp.auth.throttle``): raises
    ``SignInThrottled`` (429) once too many attempts have failed, without checking.
    Raises ``EmailNotVerified`` for the right password of an unconfirmed open sign-up
    (said only to whoever knows the password, so it reveals nothing about the address).
    """
    email = email if isinstance(email, str) else ""
    _allowed_or_recorded(email, "signin")
    user = find_user(email) if email else None
    ok = verify_password(user.password_hash if user else None, str(password))
    if ok and user is not None and user.active:
        throttle.record_success(email)
        if not user.email_verified:
            # The request answers 403 and commits nothing: stored on its own.
            record_now(Kind.SIGNIN, user, target=user, detail={"reason": "unverified"})
            raise EmailNotVerified("confirm your e-mail address first")
        record(Kind.SIGNIN, user, target=user)
        return user
    throttle.record_failure(email)
    # A failed sign-in commits nothing (401): stored on its own, under the typed address.
    reason = "inactive" if ok else "wrong credentials"
    record_now(Kind.SIGNIN, actor_email=email, target=user, detail={"reason": reason})
    return None


def _allowed_or_recorded(email: str, attempt: str) -> None:
    """``throttle.ensure_allowed``; a refusal (429) is stored in the trail first."""
    try:
        throttle.ensure_allowed(email)
    except throttle.SignInThrottled:
        record_now(
            Kind.SIGNIN_THROTTLED,
            actor_email=email,
            detail={"attempt": attempt},
            outcome=Outcome.REFUSED,
        )
        raise


def end_all_sessions(user: User) -> None:
    """Every session, remember-me cookie and API token of ``user`` stops working.

    Sessions carry ``"<id>:<session_epoch>"`` (``User.get_id``) and the user loader
    refuses a stale epoch; the tokens are deleted.
    """
    user.session_epoch = User.session_epoch + 1
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.flush()
    db.session.expire(user, ["session_epoch", "tokens"])


def check_current_password(user: User, password: str, kind: Kind) -> None:
    """Re-authentication before a sensitive change (``kind``): raise AccountError unless
    ``password`` is the account's, or SignInThrottled after too many wrong guesses (the
    sign-in limits count these too). A wrong password is stored in the audit trail."""
    _allowed_or_recorded(user.email, kind.value)
    if not verify_password(user.password_hash, password):
        throttle.record_failure(user.email)
        # The view rolls back: stored on its own (a wrong current password is a guess).
        record_now(kind, user, target=user, detail={"reason": "wrong password"})
        raise AccountError(_("The current password is not correct."))
    throttle.record_success(user.email)  # gives back the attempt ensure_allowed took


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Set a new password after checking the current one, and end every session and
    token of the account. Raises AccountError (nothing changed) or SignInThrottled."""
    check_current_password(user, current, Kind.PASSWORD_CHANGED)
    if new != confirm:
        raise AccountError(_("The new password and its confirmation do not match."))
    check_new_password(new, user.email)
    if new == current:
        raise AccountError(_("The new password must differ from the current one."))
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    record(Kind.PASSWORD_CHANGED, user, target=user)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, days: int) -> str:
    """Create an API token for ``user``; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), expires_at=expires))
    db.session.flush()
    return token


def token_row(token: str) -> ApiToken | None:
    """The stored token a bearer string stands for (expired or not), if any."""
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired token belongs to."""
    row = token_row(token)
    if row is None:
        return None
    if as_utc(row.expires_at) <= utcnow() or not row.user.active:
        return None
    return row.user


def live_tokens(user: User) -> list[ApiToken]:
    """The user's unexpired tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.expires_at > utcnow())
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> bool:
    """Delete one of the user's own tokens; False if the user has no such token."""
    row = db.session.get(ApiToken, token_id)
    label = row.name if row is not None else ""
    result = db.session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    record(Kind.TOKEN_REVOKED, user, target=Target("api_token", str(token_id), label))
    return True
