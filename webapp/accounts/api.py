"""API: invitations (admins; cohort instructors for their cohorts) and password resets
(public, the same answer for every address)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from pydantic import Field

from webapp import access
from webapp.accounts import mailer, queries, services
from webapp.accounts.services import AccountsError, Conflict, NotAllowed
from webapp.accounts.views import RESET_SENT
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.extensions import db
from webapp.models import Invitation
from webapp.models.base import as_utc
from webapp.problems import ApiError, FieldError


class NewInvitation(Input):
    """Whom to invite, with which role, and optionally to which program or cohort."""

    email: str = Field(min_length=1, max_length=254)
    role: str = Field(default="learner", max_length=20, description="learner, instructor or admin.")
    program: str | None = Field(
        default=None, max_length=120, description="A program's slug: enrolled on accepting."
    )
    cohort_id: int | None = Field(default=None, ge=1, description="A cohort to join.")
    cohort_role: str | None = Field(
        default=None, max_length=20, description="learner (default) or instructor."
    )
    organisation: str | None = Field(
        default=None,
        max_length=80,
        description="An organisation's slug: joined on accepting (admins only).",
    )
    organisation_role: str | None = Field(
        default=None, max_length=20, description="member (default) or manager."
    )


class InvitationOut(Output):
    """An invitation (never its link)."""

    id: int
    email: str
    role: str
    expires_at: Timestamp
    status: str = Field(description="pending, accepted, revoked or expired.")
    program_id: int | None
    cohort_id: int | None
    cohort_role: str | None
    organisation_id: int | None
    send_count: int

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        """The shape of ``invitation``."""
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role.value,
            expires_at=as_utc(invitation.expires_at),
            status=services.status_of(invitation).value,
            program_id=invitation.program_id,
            cohort_id=invitation.cohort_id,
            cohort_role=invitation.cohort_role.value if invitation.cohort_role else None,
            organisation_id=invitation.organisation_id,
            send_count=invitation.send_count,
        )


class InvitationList(Output):
    """Pending invitations the caller manages, newest first."""

    invitations: list[InvitationOut]


class ResetRequest(Input):
    """The address of the account."""

    email: str = Field(min_length=1, max_length=254)


class ResetAccepted(Output):
    """The same answer for every address."""

    detail: str


@contextmanager
def _refused() -> Iterator[None]:
    """A refusal of the services as a problem: 403, 409 or 400 with the field."""
    try:
        yield
    except NotAllowed as exc:
        db.session.rollback()
        raise ApiError(403, str(exc)) from None
    except Conflict as exc:
        db.session.rollback()
        raise ApiError(409, str(exc)) from None
    except AccountsError as exc:
        db.session.rollback()
        errors = [FieldError(exc.field, str(exc))] if exc.field else []
        raise ApiError(400, str(exc), errors=errors) from None


def _inviter() -> None:
    if not access.can_manage_invitations(g.user):
        raise ApiError(403, "only admins and cohort instructors invite people")


def _invitation(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not access.can_manage_invitation(g.user, invitation):
        raise ApiError(404, "No such invitation.")
    return invitation


@operation(
    bp,
    "POST",
    "/invitations",
    body=NewInvitation,
    responses={201: InvitationOut},
    errors=(409,),
    tag="accounts",
)
def create_invitation(body: NewInvitation) -> tuple[InvitationOut, int]:
    """Invite an address; the message with its single-use link goes out.

    Admins invite any role; a cohort's instructors invite learners to that cohort only.
    409 when the address has an account or a pending invitation, or sign-up is closed.
    """
    _inviter()
    with _refused():
        what = services.target_from(
            g.user,
            body.role,
            body.program or "",
            str(body.cohort_id) if body.cohort_id else "",
            body.cohort_role or "",
            body.organisation or "",
            body.organisation_role or "",
        )
        invitation, token = services.invite(g.user, body.email, what)
    db.session.commit()
    mailer.invitation_message(invitation, token)
    return InvitationOut.of(invitation), 201


@operation(bp, "GET", "/invitations", responses={200: InvitationList}, tag="accounts")
def list_invitations() -> InvitationList:
    """Pending invitations: all for admins, their cohorts' for cohort instructors."""
    _inviter()
    found = queries.invitations_for(g.user, pending_only=True)
    return InvitationList(invitations=[InvitationOut.of(i) for i in found])


@operation(
    bp,
    "DELETE",
    "/invitations/<int:invitation_id>",
    responses={204: None},
    errors=(404, 409),
    tag="accounts",
)
def revoke_invitation(invitation_id: int) -> None:
    """Revoke an invitation: its link stops working (409 once accepted)."""
    _inviter()
    invitation = _invitation(invitation_id)
    with _refused():
        services.revoke(invitation)
    db.session.commit()


@operation(
    bp,
    "POST",
    "/invitations/<int:invitation_id>/resend",
    responses={200: InvitationOut},
    errors=(404, 409),
    tag="accounts",
)
def resend_invitation(invitation_id: int) -> InvitationOut:
    """Send the invitation again with a new link (the old one stops working)."""
    _inviter()
    invitation = _invitation(invitation_id)
    with _refused():
        token = services.resend(invitation)
    db.session.commit()
    mailer.invitation_message(invitation, token)
    return InvitationOut.of(invitation)


@operation(
    bp,
    "POST",
    "/password-resets",
    body=ResetRequest,
    responses={202: ResetAccepted},
    errors=(429,),
    auth="public",
    tag="accounts",
)
def request_password_reset(body: ResetRequest) -> tuple[ResetAccepted, int]:
    """Ask for a password-reset link by e-mail: 202 with the same body for every address
    (a message goes out only to a known, active account)."""
    wait = services.mail_wait("reset-mail", body.email)
    if wait:
        raise ApiError(429, f"too many requests; try again in {wait} seconds")
    found = services.request_reset(body.email)
    db.session.commit()
    if found is not None:
        mailer.reset_message(*found)
    return ResetAccepted(detail=str(RESET_SENT)), 202
