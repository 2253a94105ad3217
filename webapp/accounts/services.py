"""Joining and getting back in: the sign-up policy, open sign-up with a confirmed address,
invitations, password reset. Functions flush; the view or API function commits once and
then sends the message (``webapp.mail.send``), so a link never points at a rolled-back row.

Every link carries a random token; only its SHA-256 is stored (``tokens.py``). Links are
single-use and expire: invitations after ``INVITATION_DAYS`` (7), a password reset after
30 minutes, an address confirmation after 24 hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from webapp import access
from webapp.accounts import tokens
from webapp.accounts.queries import cohort_by_id, program_by_slug
from webapp.auth import throttle
from webapp.auth.passwords import hash_password
from webapp.auth.services import (
    AccountError,
    check_new_password,
    clean_name,
    end_all_sessions,
    find_user,
    normalise_email,
)
from webapp.cohorts.services import add_member
from webapp.extensions import db
from webapp.learning.services import enrol
from webapp.models import (
    Cohort,
    CohortMember,
    CohortRole,
    EmailToken,
    Invitation,
    Program,
    Role,
    SignupPolicy,
    SiteSetting,
    TokenPurpose,
    User,
)
from webapp.models.base import as_utc, utcnow

POLICY_KEY = "signup_policy"
DOMAINS_KEY = "signup_domains"
DEFAULT_POLICY = SignupPolicy.INVITATION
RESET_LIFETIME = timedelta(minutes=30)
VERIFY_LIFETIME = timedelta(hours=24)
MAX_EMAIL_LENGTH = 254
MAX_DOMAINS = 50
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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


# --------------------------------------------------------------------------- addresses


def check_address(email: str, field: str = "email") -> str:
    """The normalised address, or AccountsError saying why it is not one."""
    address = normalise_email(email or "")
    if not address:
        raise AccountsError("Enter an e-mail address.", field)
    if len(address) > MAX_EMAIL_LENGTH:
        raise AccountsError(f"An e-mail address has at most {MAX_EMAIL_LENGTH} characters.", field)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountsError(f"“{address[:80]}” is not an e-mail address: {exc}", field) from None
    return address


def _password(password: str, confirm: str, email: str, field: str = "password") -> str:
    if password != confirm:
        raise AccountsError("The password and its confirmation do not match.", "confirm")
    try:
        check_new_password(password, email)
    except AccountError as exc:
        message = str(exc)
        raise AccountsError(message[:1].upper() + message[1:] + ".", field) from None
    return hash_password(password)


def _name(name: str) -> str:
    cleaned = clean_name(name or "")
    if not cleaned:
        raise AccountsError("Enter your name.", "name")
    if len((name or "").strip()) > 120:
        raise AccountsError("A name has at most 120 characters.", "name")
    return cleaned


# --------------------------------------------------------------------------- policy


def _setting(key: str) -> str | None:
    row = db.session.get(SiteSetting, key)
    return row.value if row is not None else None


def _store(key: str, value: str) -> None:
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value


def signup_policy() -> SignupPolicy:
    """The stored policy; invitation only when none is stored (or it is unreadable)."""
    try:
        return SignupPolicy(_setting(POLICY_KEY) or DEFAULT_POLICY)
    except ValueError:
        return DEFAULT_POLICY


def signup_domains() -> list[str]:
    """The domains of the DOMAINS policy, as stored."""
    return [d for d in (_setting(DOMAINS_KEY) or "").split() if d]


def parse_domains(text: str) -> list[str]:
    """The domains typed by an admin (one per line, commas or spaces also separate; an
    ``@`` in front is dropped), lower-cased, without duplicates; AccountsError naming the
    first one that is not a domain name."""
    found: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lstrip("@").lower().rstrip(".")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise AccountsError(
                f"“{raw[:80]}” is not a domain name; write domains such as example.com.",
                "domains",
            )
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        raise AccountsError(f"At most {MAX_DOMAINS} domains.", "domains")
    return found


def set_signup_policy(policy: str, domains_text: str = "") -> tuple[SignupPolicy, list[str]]:
    """Store the policy (and for DOMAINS the domains, at least one)."""
    try:
        chosen = SignupPolicy(policy)
    except ValueError:
        raise AccountsError("Choose one of the policies.", "policy") from None
    domains = parse_domains(domains_text)
    if chosen == SignupPolicy.DOMAINS and not domains:
        raise AccountsError("Name at least one domain, e.g. example.com.", "domains")
    _store(POLICY_KEY, chosen.value)
    _store(DOMAINS_KEY, " ".join(domains) if chosen == SignupPolicy.DOMAINS else "")
    db.session.flush()
    return chosen, domains


def signup_open() -> bool:
    """Whether the sign-up form is offered at all."""
    return signup_policy() in (SignupPolicy.OPEN, SignupPolicy.DOMAINS)


# --------------------------------------------------------------------------- e-mail tokens


def _issue(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
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


def _spend_email_token(token: str, purpose: TokenPurpose) -> EmailToken:
    row = None
    if tokens.plausible(token):
        row = db.session.scalar(
            select(EmailToken).where(
                EmailToken.token_hash == tokens.digest(token), EmailToken.purpose == purpose
            )
        )
    if row is None:
        raise LinkGone("unknown", "This link is not valid. Check that you copied all of it.")
    if row.used_at is not None:
        raise LinkGone("used", "This link has already been used; each link works once.")
    if as_utc(row.expires_at) <= utcnow():
        raise LinkGone("expired", "This link has expired.")
    if not row.user.active:
        raise LinkGone("unknown", "This link is not valid.")
    return row


def check_email_token(token: str, purpose: TokenPurpose) -> EmailToken:
    """The live token row, or LinkGone (nothing used up)."""
    return _spend_email_token(token, purpose)


# --------------------------------------------------------------------------- sign-up


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
        raise AccountsError("Sign-up is not open; ask for an invitation.")
    cleaned = _name(name)
    address = check_address(email)
    if policy == SignupPolicy.DOMAINS:
        domains = signup_domains()
        if address.rpartition("@")[2] not in domains:
            raise AccountsError(
                "Sign-up is open to addresses at " + ", ".join(domains) + " only.", "email"
            )
    password_hash = _password(password, confirm, address)
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
    return SignupOutcome(user, _issue(user, TokenPurpose.VERIFY, VERIFY_LIFETIME))


def verify_email(token: str) -> User:
    """Confirm the address of an open sign-up (single use)."""
    row = _spend_email_token(token, TokenPurpose.VERIFY)
    row.used_at = utcnow()
    row.user.email_verified = True
    db.session.flush()
    return row.user


def resend_verification(email: str) -> tuple[User, str] | None:
    """A new VERIFY link for an unconfirmed account; None for any other address."""
    user = find_user(email) if email else None
    if user is None or user.email_verified or not user.active:
        return None
    return user, _issue(user, TokenPurpose.VERIFY, VERIFY_LIFETIME)


# --------------------------------------------------------------------------- password reset


def request_reset(email: str) -> tuple[User, str] | None:
    """A 30-minute RESET link for a known, active account; None otherwise (the caller
    answers the same either way)."""
    user = find_user(email) if email else None
    if user is None or not user.active:
        return None
    return user, _issue(user, TokenPurpose.RESET, RESET_LIFETIME)


def reset_password(token: str, password: str, confirm: str) -> User:
    """Set a new password through a RESET link (single use): every session, remember-me
    cookie and API token of the account ends, and the address counts as confirmed."""
    row = _spend_email_token(token, TokenPurpose.RESET)
    user = row.user
    user.password_hash = _password(password, confirm, user.email)
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
    return user


# --------------------------------------------------------------------------- invitations


class InvitationStatus(StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    """The invitation's status at ``now``."""
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if as_utc(invitation.expires_at) <= (now or utcnow()):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def invitation_days() -> int:
    """How many days an invitation link lives (``INVITATION_DAYS``, default 7)."""
    return int(current_app.config.get("INVITATION_DAYS", 7))


@dataclass(frozen=True)
class InvitationRequest:
    """What to invite to: a role, and optionally a program and a cohort (with a role in it)."""

    role: Role
    program: Program | None = None
    cohort: Cohort | None = None
    cohort_role: CohortRole | None = None


def parse_role(value: str, field: str = "role") -> Role:
    """A site role, or AccountsError."""
    try:
        return Role((value or "").strip().lower())
    except ValueError:
        raise AccountsError(
            f"“{(value or '')[:40]}” is not a role; use learner, instructor or admin.", field
        ) from None


def parse_cohort_role(value: str | None, field: str = "cohort_role") -> CohortRole | None:
    """A cohort role (empty: none), or AccountsError."""
    if not value:
        return None
    try:
        return CohortRole(value)
    except ValueError:
        raise AccountsError("Use learner or instructor as the cohort role.", field) from None


def _ensure_invitations_allowed() -> None:
    if signup_policy() == SignupPolicy.CLOSED:
        raise Conflict(
            "Sign-up is closed, so no invitations can be sent or accepted; "
            "an admin can change this on the sign-up policy page."
        )


def pending_for(address: str) -> Invitation | None:
    """The address's pending invitation, if any."""
    now = utcnow()
    return db.session.scalar(
        select(Invitation)
        .where(
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id.desc())
        .limit(1)
    )


def invite(by: User, email: str, what: InvitationRequest) -> tuple[Invitation, str]:
    """A new pending invitation and its link's token. Refused (nothing stored) for an
    invalid address, an address with an account (Conflict), one with a pending invitation
    (Conflict: re-send that one), and when sign-up is closed (Conflict)."""
    _ensure_invitations_allowed()
    address = check_address(email)
    existing = find_user(address)
    if existing is not None:
        member = what.cohort is not None and _is_member(existing, what.cohort)
        where = f" and is a member of {what.cohort.name}" if member and what.cohort else ""
        raise Conflict(f"{address} already has an account{where}.", "email")
    if pending_for(address) is not None:
        raise Conflict(f"{address} has already been invited; re-send that invitation.", "email")
    token, digest = tokens.new_token()
    now = utcnow()
    cohort_role = what.cohort_role
    if what.cohort is not None and cohort_role is None:
        cohort_role = CohortRole.LEARNER
    invitation = Invitation(
        email=address,
        role=what.role,
        token_hash=digest,
        invited_by_id=by.id,
        program_id=what.program.id if what.program else None,
        cohort_id=what.cohort.id if what.cohort else None,
        cohort_role=cohort_role if what.cohort else None,
        created_at=now,
        expires_at=now + timedelta(days=invitation_days()),
        sent_at=now,
        send_count=1,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def _is_member(user: User, cohort: Cohort) -> bool:
    return (
        db.session.scalar(
            select(CohortMember.id).where(
                CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
            )
        )
        is not None
    )


def resend(invitation: Invitation) -> str:
    """A new link for a pending or expired invitation (the old link dies) and a fresh
    lifetime; Conflict for an accepted or revoked one."""
    _ensure_invitations_allowed()
    status = status_of(invitation)
    if status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise Conflict(f"This invitation was {status.value}; it cannot be re-sent.")
    token, digest = tokens.new_token()
    now = utcnow()
    invitation.token_hash = digest
    invitation.expires_at = now + timedelta(days=invitation_days())
    invitation.sent_at = now
    invitation.send_count = (invitation.send_count or 0) + 1
    db.session.flush()
    return token


def revoke(invitation: Invitation) -> None:
    """The link stops working (idempotent); Conflict for an accepted invitation."""
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was accepted; it cannot be revoked.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.flush()


def open_invitation(token: str) -> Invitation:
    """The pending invitation of a link, or LinkGone saying why it cannot be used."""
    invitation = None
    if tokens.plausible(token):
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.token_hash == tokens.digest(token))
        )
    if invitation is None:
        raise LinkGone(
            "unknown",
            "This invitation link is not valid. If it was re-sent, use the newest message.",
        )
    status = status_of(invitation)
    if status == InvitationStatus.ACCEPTED:
        raise LinkGone("used", "This invitation has already been used; sign in instead.")
    if status == InvitationStatus.REVOKED:
        raise LinkGone("revoked", "This invitation was withdrawn by whoever sent it.")
    if status == InvitationStatus.EXPIRED:
        raise LinkGone("expired", "This invitation has expired; ask for a new one.")
    if signup_policy() == SignupPolicy.CLOSED:
        raise LinkGone("closed", "Sign-up is closed for now, so invitations cannot be accepted.")
    return invitation


def accept(token: str, name: str, password: str, confirm: str) -> tuple[User, Invitation]:
    """Create the invitee's account (address confirmed by the link), enrol them in the
    program and add them to the cohort; the invitation is used up."""
    invitation = open_invitation(token)
    cleaned = _name(name)
    password_hash = _password(password, confirm, invitation.email)
    if find_user(invitation.email) is not None:
        raise LinkGone("used", f"{invitation.email} already has an account; sign in instead.")
    user = User(
        email=invitation.email,
        name=cleaned,
        password_hash=password_hash,
        role=invitation.role,
        email_verified=True,
    )
    db.session.add(user)
    db.session.flush()
    if invitation.program_id is not None:
        program = db.session.get(Program, invitation.program_id)
        if program is not None:
            enrol(user, program, admin=True, by=invitation.invited_by)
    if invitation.cohort_id is not None:
        cohort = db.session.get(Cohort, invitation.cohort_id)
        if cohort is not None:
            add_member(cohort, user, invitation.cohort_role or CohortRole.LEARNER)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.session.flush()
    return user, invitation


# --------------------------------------------------------------------------- bulk


class RowResult(StrEnum):
    """What happened to one row of a bulk invitation."""

    SENT = "sent"
    RESENT = "re-sent"
    INVALID = "invalid"
    MEMBER = "already a member"
    INVITED = "already invited"
    DUPLICATE = "duplicate row"
    REFUSED = "not allowed"


@dataclass(frozen=True)
class RowReport:
    """One row's outcome; ``token`` is set when a message is to go out."""

    line: int
    email: str
    result: RowResult
    detail: str
    invitation: Invitation | None = None
    token: str | None = None


def invite_row(
    by: User,
    line: int,
    email: str,
    what: InvitationRequest,
    *,
    resend_pending: bool,
    seen: set[str],
) -> RowReport:
    """One row of a bulk invitation (the rules of ``invite``), reported instead of raised."""
    try:
        address = check_address(email)
    except AccountsError as exc:
        return RowReport(line, email[:254], RowResult.INVALID, str(exc))
    if address in seen:
        return RowReport(line, address, RowResult.DUPLICATE, "Listed on an earlier line.")
    seen.add(address)
    if find_user(address) is not None:
        return RowReport(line, address, RowResult.MEMBER, "Already has an account.")
    pending = pending_for(address)
    if pending is not None:
        if not resend_pending:
            return RowReport(
                line, address, RowResult.INVITED, "Already invited; not re-sent.", pending
            )
        token = resend(pending)
        return RowReport(
            line, address, RowResult.RESENT, "Already invited; a new link was sent.", pending, token
        )
    invitation, token = invite(by, address, what)
    return RowReport(line, address, RowResult.SENT, "Invitation sent.", invitation, token)


def invite_many(
    by: User,
    rows: list[tuple[int, str, str]],
    base: InvitationRequest,
    *,
    resend_pending: bool,
) -> list[RowReport]:
    """Invite every ``(line, email, role)`` row (an empty role: ``base.role``), each
    checked on its own with ``access.can_invite``; one report per row, in order."""
    _ensure_invitations_allowed()
    seen: set[str] = set()
    reports: list[RowReport] = []
    for line, email, role_text in rows:
        try:
            role = parse_role(role_text) if role_text else base.role
        except AccountsError as exc:
            reports.append(RowReport(line, email[:254], RowResult.INVALID, str(exc)))
            continue
        what = InvitationRequest(role, base.program, base.cohort, base.cohort_role)
        if not access.can_invite(
            by,
            role,
            base.cohort.id if base.cohort else None,
            base.program.id if base.program else None,
            base.cohort_role,
        ):
            reports.append(
                RowReport(line, email[:254], RowResult.REFUSED, f"You may not invite a {role}.")
            )
            continue
        reports.append(invite_row(by, line, email, what, resend_pending=resend_pending, seen=seen))
    return reports


# ---------------------------------------------------------------- shared by pages and API


def target_from(
    user: User, role: str, program: str, cohort: str, cohort_role: str
) -> InvitationRequest:
    """The invitation's target from the form's or the API's values; AccountsError for an
    unknown role, program or cohort, or one ``user`` may not invite to."""
    parsed_role = parse_role(role)
    found_program = None
    if program:
        found_program = program_by_slug(program)
        if found_program is None:
            raise AccountsError("No such program.", "program")
    found_cohort = None
    if cohort:
        found_cohort = cohort_by_id(int(cohort)) if str(cohort).isdigit() else None
        if found_cohort is None:
            raise AccountsError("No such cohort.", "cohort")
    parsed_cohort_role = parse_cohort_role(cohort_role) if found_cohort else None
    if not access.can_invite(
        user,
        parsed_role,
        found_cohort.id if found_cohort else None,
        found_program.id if found_program else None,
        parsed_cohort_role,
    ):
        raise NotAllowed("You may invite learners to the cohorts you teach only.", "cohort")
    return InvitationRequest(parsed_role, found_program, found_cohort, parsed_cohort_role)


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
