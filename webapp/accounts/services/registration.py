"""Open sign-up: an unconfirmed account and a 24-hour link that confirms its address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from webapp.accounts.services.common import (
    AccountsError,
    check_address,
    check_email_token,
    checked_name,
    issue_email_token,
    password_hash_of,
)
from webapp.accounts.services.policy import signup_domains, signup_policy
from webapp.auth.services import find_user
from webapp.extensions import db
from webapp.models import Role, SignupPolicy, TokenPurpose, User
from webapp.models.base import utcnow

VERIFY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class SignupOutcome:
    """What a sign-up did: a new account and its confirmation link, or (the address is
    taken) the existing account, which is told so by e-mail. The page says the same."""

    user: User
    token: str | None  # None: ``user`` already existed


def signup(name: str, email: str, password: str, confirm: str) -> SignupOutcome:
    """Open sign-up: an unconfirmed account and a 24-hour VERIFY link."""
    policy = signup_policy()
    if policy not in (SignupPolicy.OPEN, SignupPolicy.DOMAINS):
        raise AccountsError(_("Sign-up is not open; ask for an invitation."))
    cleaned = checked_name(name)
    address = check_address(email)
    if policy == SignupPolicy.DOMAINS:
        domains = signup_domains()
        if address.rpartition("@")[2] not in domains:
            raise AccountsError(
                _("Sign-up is open to addresses at %(domains)s only.", domains=", ".join(domains)),
                "email",
            )
    password_hash = password_hash_of(password, confirm, address)
    existing = find_user(address)
    if existing is not None:
        return SignupOutcome(existing, None)
    user = User(
        email=address,
        name=cleaned,
        password_hash=password_hash,
        role=Role.LEARNER,
        email_verified=False,
    )
    db.session.add(user)
    db.session.flush()
    return SignupOutcome(user, issue_email_token(user, TokenPurpose.VERIFY, VERIFY_LIFETIME))


def verify_email(token: str) -> User:
    """Confirm the address of an open sign-up (single use)."""
    row = check_email_token(token, TokenPurpose.VERIFY)
    row.used_at = utcnow()
    row.user.email_verified = True
    db.session.flush()
    return row.user


def resend_verification(email: str) -> tuple[User, str] | None:
    """A new VERIFY link for an unconfirmed account; None for any other address."""
    user = find_user(email) if email else None
    if user is None or user.email_verified or not user.active:
        return None
    return user, issue_email_token(user, TokenPurpose.VERIFY, VERIFY_LIFETIME)
