"""Joining and getting back in: the sign-up policy, open sign-up with a confirmed address,
invitations, password reset. Functions flush; the view or API function commits once and
then sends the message (``webapp.mail.send``), so a link never points at a rolled-back row.

Every link carries a random token; only its SHA-256 is stored (``tokens.py``). Links are
single-use and expire: invitations after ``INVITATION_DAYS`` (7), a password reset after
30 minutes, an address confirmation after 24 hours.

The services are by concern: ``common`` (errors, checks, e-mail links, the mail throttle),
``policy`` (the sign-up policy), ``registration`` (open sign-up), ``resets`` (password
reset) and ``invitations``; this package names them all, so callers import
``webapp.accounts.services``.
"""

from __future__ import annotations

from webapp.accounts.services.common import (
    MAX_EMAIL_LENGTH,
    AccountsError,
    Conflict,
    LinkGone,
    NotAllowed,
    check_address,
    check_email_token,
    mail_wait,
)
from webapp.accounts.services.invitations import (
    InvitationRequest,
    InvitationStatus,
    RowReport,
    RowResult,
    accept,
    invitation_days,
    invite,
    invite_many,
    invite_row,
    open_invitation,
    parse_cohort_role,
    parse_role,
    pending_for,
    resend,
    revoke,
    status_of,
    target_from,
)
from webapp.accounts.services.policy import (
    DEFAULT_POLICY,
    DOMAIN,
    DOMAINS_KEY,
    MAX_DOMAINS,
    POLICY_KEY,
    parse_domains,
    set_signup_policy,
    signup_domains,
    signup_open,
    signup_policy,
)
from webapp.accounts.services.registration import (
    VERIFY_LIFETIME,
    SignupOutcome,
    resend_verification,
    signup,
    verify_email,
)
from webapp.accounts.services.resets import RESET_LIFETIME, request_reset, reset_password

__all__ = [
    "AccountsError",
    "Conflict",
    "LinkGone",
    "MAX_EMAIL_LENGTH",
    "NotAllowed",
    "check_address",
    "check_email_token",
    "mail_wait",
    "DEFAULT_POLICY",
    "DOMAIN",
    "DOMAINS_KEY",
    "MAX_DOMAINS",
    "POLICY_KEY",
    "parse_domains",
    "set_signup_policy",
    "signup_domains",
    "signup_open",
    "signup_policy",
    "SignupOutcome",
    "VERIFY_LIFETIME",
    "resend_verification",
    "signup",
    "verify_email",
    "RESET_LIFETIME",
    "request_reset",
    "reset_password",
    "InvitationRequest",
    "InvitationStatus",
    "RowReport",
    "RowResult",
    "accept",
    "invitation_days",
    "invite",
    "invite_many",
    "invite_row",
    "open_invitation",
    "parse_cohort_role",
    "parse_role",
    "pending_for",
    "resend",
    "revoke",
    "status_of",
    "target_from",
]
