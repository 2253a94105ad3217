"""The messages of the accounts feature, sent AFTER the caller's commit (absolute links
from the request, so call these inside one)."""

from __future__ import annotations

from flask import url_for

from webapp.mail import send
from webapp.models import Invitation, User
from webapp.models.base import as_utc


def invitation_message(invitation: Invitation, token: str) -> None:
    """The invitation, with its one link."""
    inviter = invitation.invited_by
    send(
        "invitation",
        invitation.email,
        link=url_for("accounts.accept_invitation", token=token, _external=True),
        inviter=inviter.display_name if inviter is not None else "",
        role=invitation.role.value,
        expires=as_utc(invitation.expires_at).strftime("%d %B %Y, %H:%M UTC"),
    )


def reset_message(user: User, token: str) -> None:
    """The password-reset link (30 minutes)."""
    send(
        "reset",
        user.email,
        link=url_for("accounts.reset_password", token=token, _external=True),
        name=user.display_name,
    )


def verify_message(user: User, token: str) -> None:
    """The link that confirms the address of an open sign-up (24 hours)."""
    send(
        "verify",
        user.email,
        link=url_for("accounts.confirm_email", token=token, _external=True),
        name=user.display_name,
    )


def signup_message(user: User, token: str | None) -> None:
    """After a sign-up: the confirmation link, or (the address had an account already) a
    note saying so, with the ways back in."""
    if token is not None:
        verify_message(user, token)
        return
    send(
        "account_exists",
        user.email,
        login=url_for("auth.login", _external=True),
        forgot=url_for("accounts.forgot_password", _external=True),
        name=user.display_name,
    )
