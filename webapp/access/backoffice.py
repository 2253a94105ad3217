"""Back-office rules: topics, courses and programs, the admin home, people, accounts and
invitations, certificate rules, fees and orders, metrics, health details, the audit
trail."""

from __future__ import annotations

import hmac
import ipaddress

from flask import abort
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    CohortMember,
    CohortRole,
    Course,
    Invitation,
    Role,
    User,
)

# ---- structure (back office)
# Topics and programs are the admins'; instructors create courses and manage the ones
# they created.


def can_manage_topics(user: User) -> bool:
    """Admins create, rename and delete topics."""
    return user.is_authenticated and user.is_admin


def can_manage_programs(user: User) -> bool:
    """Admins create, edit and delete programs."""
    return user.is_authenticated and user.is_admin


def can_create_course(user: User) -> bool:
    """Instructors and admins create courses."""
    return user.is_authenticated and user.can_upload


def can_manage_course(user: User, course: Course) -> bool:
    """Admins manage every course; an instructor the courses they created."""
    if not user.is_authenticated:
        return False
    return user.is_admin or (user.can_upload and course.created_by == user.id)


# ---- admin home (back office)


def can_see_admin_home(user: User) -> bool:
    """The admin home (site figures, failed jobs) and the outbox: admins only."""
    return user.is_authenticated and user.is_admin


def can_retry_job(user: User) -> bool:
    """Retrying a failed background job (any kind, any owner): admins only."""
    return user.is_authenticated and user.is_admin


# ---- people (back office)


def can_manage_users(user: User) -> bool:
    """Only admins list accounts, change roles and deactivate accounts."""
    return bool(user.is_authenticated and user.is_admin)


# ---- accounts (back office)
# Admins invite anyone with any role, to any program or cohort. A cohort's instructors
# (CohortMember role instructor) invite learners to THEIR cohorts only, and see and manage
# only those invitations. Everyone else may not invite.


def instructed_cohort_ids(user: User) -> set[int]:
    """The cohorts ``user`` teaches (cohort role instructor)."""
    if not user.is_authenticated:
        return set()
    rows = db.session.scalars(
        select(CohortMember.cohort_id).where(
            CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR
        )
    )
    return set(rows)


def can_manage_invitations(user: User) -> bool:
    """Admins and cohort instructors see the invitations page (403 for the others)."""
    return user.is_authenticated and (user.is_admin or bool(instructed_cohort_ids(user)))


def can_invite(
    user: User, role: str, cohort_id: int | None, program_id: int | None, cohort_role: str | None
) -> bool:
    """May ``user`` send this invitation? Admins: any. Cohort instructors: a learner to a
    cohort they teach, as a learner of it, without a program enrolment."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        role == Role.LEARNER
        and program_id is None
        and cohort_id is not None
        and cohort_id in instructed_cohort_ids(user)
        and cohort_role in (None, CohortRole.LEARNER)
    )


def can_manage_invitation(user: User, invitation: Invitation) -> bool:
    """Re-send or revoke: admins any; cohort instructors those to their cohorts."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return invitation.cohort_id is not None and invitation.cohort_id in instructed_cohort_ids(user)


def invitation_or_404(invitation_id: int, user: User) -> Invitation:
    """The invitation if ``user`` may manage it; 404 otherwise (ids do not leak)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not can_manage_invitation(user, invitation):
        abort(404, "No such invitation.")
    return invitation


def can_set_signup_policy(user: User) -> bool:
    """Only admins choose who may sign up."""
    return user.is_authenticated and user.is_admin


# ---- certificate rules (issue 19)
# A program's rule is edited by whoever manages programs (admins); only admins revoke.


def can_manage_certificate_rules(user: User) -> bool:
    """Who edits what earns a program's certificate."""
    return can_manage_programs(user)


def can_revoke_certificates(user: User) -> bool:
    """Admins revoke certificates (with a reason the verification page shows)."""
    return user.is_authenticated and user.is_admin


# --------------------------------------------------------------------------- enrolment
# An order (and its invoice) is its buyer's and the admins'; everyone else gets a 404.
# Payments, vouchers and cohort seats are admin work.

from webapp.models.enrolment import Order  # noqa: E402  (this section's own import)


def can_see_order(user: User | None, order: Order | None) -> bool:
    """The buyer of ``order`` and admins."""
    if user is None or order is None or not getattr(user, "is_authenticated", True):
        return False
    return user.is_admin or order.user_id == user.id


def can_manage_fees(user: User | None) -> bool:
    """Who records payments, manages vouchers and sets cohort seats: admins."""
    return user is not None and getattr(user, "is_authenticated", True) and user.is_admin


def may_read_metrics(
    remote_addr: str | None,
    authorization: str,
    token: str,
    *,
    forwarded: bool,
    proxies_trusted: bool,
) -> bool:
    """Who reads ``/metrics``: a caller presenting ``METRICS_TOKEN`` as a bearer token
    (compared in constant time), or one on loopback. A loopback request that came
    through a proxy the app was not told to trust (``X-Forwarded-For`` with
    ``TRUSTED_PROXY_HOPS=0``) is the proxy's, not the client's: it needs the token."""
    bearer = authorization.startswith("Bearer ")
    if token and bearer and hmac.compare_digest(authorization[7:].encode(), token.encode()):
        return True
    if forwarded and not proxies_trusted:
        return False
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- health details
# /healthz answers everyone with ok/error; which check failed, and why (host names,
# driver errors), only goes to admins and to the machine itself (container health checks).


def can_see_health_details(user: User, client_address: str | None) -> bool:
    """Admins, and clients on a loopback address (``request.remote_addr``: the socket's,
    or the trusted proxies' when ``TRUSTED_PROXY_HOPS`` is set)."""
    try:
        if ipaddress.ip_address(client_address or "").is_loopback:
            return True
    except ValueError:
        pass
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


# --------------------------------------------------------------------------- audit trail
# The security events (sign-ins, role changes, deletions, exports …) are read by admins.


def can_see_audit_trail(user: User | None) -> bool:
    """Who reads ``/admin/audit`` and downloads it: admins."""
    return user is not None and getattr(user, "is_authenticated", True) and user.is_admin
