"""Invitations: invite one address or a CSV's rows to a role, a program and a cohort;
re-send, revoke, open and accept (which creates the account). A link lives
``INVITATION_DAYS`` (7) days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import access
from webapp.accounts import tokens
from webapp.accounts.queries import cohort_by_id, program_by_slug
from webapp.accounts.services.common import (
    AccountsError,
    Conflict,
    LinkGone,
    NotAllowed,
    check_address,
    checked_name,
    password_hash_of,
)
from webapp.accounts.services.policy import signup_policy
from webapp.auth.services import find_user
from webapp.cohorts.services import add_member
from webapp.extensions import db
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.learning.services import enrol
from webapp.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Invitation,
    Organisation,
    OrgRole,
    Program,
    Role,
    SignupPolicy,
    User,
)
from webapp.models.base import as_utc, utcnow
from webapp.textfmt import with_article


class InvitationStatus(StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


# The words of the statuses and of the bulk results, as the pages show them.
_STATUS_NAMES = {
    InvitationStatus.PENDING.value: _l("pending"),
    InvitationStatus.ACCEPTED.value: _l("accepted"),
    InvitationStatus.REVOKED.value: _l("revoked"),
    InvitationStatus.EXPIRED.value: _l("expired"),
}


def invitation_status_name(value: str) -> str:
    """A status's value (``pending``) in the request's language."""
    name = _STATUS_NAMES.get(value)
    return str(name) if name is not None else value


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
    organisation: Organisation | None = None  # joined on accepting (admins only)
    organisation_role: OrgRole | None = None


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
        raise AccountsError(_("Use learner or instructor as the cohort role."), field) from None


def _ensure_invitations_allowed() -> None:
    if signup_policy() == SignupPolicy.CLOSED:
        raise Conflict(
            _(
                "Sign-up is closed, so no invitations can be sent or accepted; "
                "an admin can change this on the sign-up policy page."
            )
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
        organisation_id=what.organisation.id if what.organisation else None,
        organisation_role=(what.organisation_role or OrgRole.MEMBER) if what.organisation else None,
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
        raise Conflict(
            _(
                "This invitation was %(status)s; it cannot be re-sent.",
                status=invitation_status_name(status.value),
            )
        )
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
        raise Conflict(_("This invitation was accepted; it cannot be revoked."))
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
            _("This invitation link is not valid. If it was re-sent, use the newest message."),
        )
    status = status_of(invitation)
    if status == InvitationStatus.ACCEPTED:
        raise LinkGone("used", _("This invitation has already been used; sign in instead."))
    if status == InvitationStatus.REVOKED:
        raise LinkGone("revoked", _("This invitation was withdrawn by whoever sent it."))
    if status == InvitationStatus.EXPIRED:
        raise LinkGone("expired", _("This invitation has expired; ask for a new one."))
    if signup_policy() == SignupPolicy.CLOSED:
        raise LinkGone("closed", _("Sign-up is closed for now, so invitations cannot be accepted."))
    return invitation


def accept(token: str, name: str, password: str, confirm: str) -> tuple[User, Invitation]:
    """Create the invitee's account (address confirmed by the link), enrol them in the
    program and add them to the cohort; the invitation is used up."""
    invitation = open_invitation(token)
    cleaned = checked_name(name)
    password_hash = password_hash_of(password, confirm, invitation.email)
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
    if invitation.organisation_id is not None:
        from webapp.organisations import services as organisations

        organisation = db.session.get(Organisation, invitation.organisation_id)
        if organisation is not None:
            organisations.add_member(
                organisation, user, invitation.organisation_role or OrgRole.MEMBER
            )
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


_RESULT_NAMES = {
    RowResult.SENT.value: _l("sent"),
    RowResult.RESENT.value: _l("re-sent"),
    RowResult.INVALID.value: _l("invalid"),
    RowResult.MEMBER.value: _l("already a member"),
    RowResult.INVITED.value: _l("already invited"),
    RowResult.DUPLICATE.value: _l("duplicate row"),
    RowResult.REFUSED.value: _l("not allowed"),
}


def row_result_name(value: str) -> str:
    """A bulk row's result (``sent``) in the request's language."""
    name = _RESULT_NAMES.get(value)
    return str(name) if name is not None else value


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
        return RowReport(line, address, RowResult.DUPLICATE, _("Listed on an earlier line."))
    seen.add(address)
    if find_user(address) is not None:
        return RowReport(line, address, RowResult.MEMBER, _("Already has an account."))
    pending = pending_for(address)
    if pending is not None:
        if not resend_pending:
            return RowReport(
                line, address, RowResult.INVITED, _("Already invited; not re-sent."), pending
            )
        token = resend(pending)
        return RowReport(
            line,
            address,
            RowResult.RESENT,
            _("Already invited; a new link was sent."),
            pending,
            token,
        )
    invitation, token = invite(by, address, what)
    return RowReport(line, address, RowResult.SENT, _("Invitation sent."), invitation, token)


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
        what = InvitationRequest(
            role,
            base.program,
            base.cohort,
            base.cohort_role,
            base.organisation,
            base.organisation_role,
        )
        if not access.can_invite(
            by,
            role,
            base.cohort.id if base.cohort else None,
            base.program.id if base.program else None,
            base.cohort_role,
        ):
            reports.append(
                RowReport(
                    line,
                    email[:254],
                    RowResult.REFUSED,
                    _("You may not invite %(role)s.", role=with_article(role)),
                )
            )
            continue
        reports.append(invite_row(by, line, email, what, resend_pending=resend_pending, seen=seen))
    return reports


# ---------------------------------------------------------------- shared by pages and API


def target_from(
    user: User,
    role: str,
    program: str,
    cohort: str,
    cohort_role: str,
    organisation: str = "",
    organisation_role: str = "",
) -> InvitationRequest:
    """The invitation's target from the form's or the API's values; AccountsError for an
    unknown role, program, cohort or organisation, or one ``user`` may not invite to
    (only admins invite into an organisation)."""
    parsed_role = parse_role(role)
    found_program = None
    if program:
        found_program = program_by_slug(program)
        if found_program is None:
            raise AccountsError(_("No such program."), "program")
    found_cohort = None
    if cohort:
        found_cohort = cohort_by_id(int(cohort)) if str(cohort).isdigit() else None
        if found_cohort is None:
            raise AccountsError(_("No such cohort."), "cohort")
    parsed_cohort_role = parse_cohort_role(cohort_role) if found_cohort else None
    if not access.can_invite(
        user,
        parsed_role,
        found_cohort.id if found_cohort else None,
        found_program.id if found_program else None,
        parsed_cohort_role,
    ):
        raise NotAllowed(_("You may invite learners to the cohorts you teach only."), "cohort")
    found_organisation, parsed_org_role = _organisation_target(
        user, organisation, organisation_role
    )
    return InvitationRequest(
        parsed_role,
        found_program,
        found_cohort,
        parsed_cohort_role,
        found_organisation,
        parsed_org_role,
    )


def _organisation_target(
    user: User, slug: str, role: str
) -> tuple[Organisation | None, OrgRole | None]:
    """The organisation an invitee joins (empty: none) and their role in it."""
    if not slug:
        return None, None
    if not access.can_manage_organisations(user):
        raise NotAllowed(_("Only admins invite people into an organisation."), "organisation")
    found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is None:
        raise AccountsError(_("No such organisation."), "organisation")
    try:
        parsed = OrgRole(role or OrgRole.MEMBER.value)
    except ValueError:
        raise AccountsError(
            _("Use member or manager as the role in the organisation."), "organisation_role"
        ) from None
    return found, parsed
