"""Joining and getting back in: invitations, one-time e-mail links, the sign-up policy."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.learning import CohortRole
from webapp.models.organisation import OrgRole
from webapp.models.user import Role, User


class SignupPolicy(StrEnum):
    """Who may create an account without being invited."""

    CLOSED = "closed"  # nobody; not even invitations
    INVITATION = "invitation"  # only through an invitation (the default)
    OPEN = "open"  # anyone, after confirming the address
    DOMAINS = "domains"  # anyone with an address at one of the given domains


class SiteSetting(Model):
    """One setting an admin changes in the browser (``key`` → text ``value``)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Invitation(Model):
    """A single-use link that lets one address join with a role, and optionally a
    program or a cohort. Only the SHA-256 of the link's token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.LEARNER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    cohort_role: Mapped[CohortRole | None] = mapped_column(str_enum(CohortRole))
    # The organisation the invitee joins on accepting, as a member or a manager.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    organisation_role: Mapped[OrgRole | None] = mapped_column(str_enum(OrgRole))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    send_count: Mapped[int] = mapped_column(default=0, server_default="0")
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class TokenPurpose(StrEnum):
    """What a one-time e-mail link does."""

    RESET = "reset"  # set a new password (30 minutes)
    VERIFY = "verify"  # confirm the address of an open sign-up
    EMAIL_CHANGE = "email_change"  # confirm a new address (sent to the new address)


class EmailToken(Model):
    """A one-time link sent by e-mail; only its SHA-256 is stored."""

    __tablename__ = "email_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
