"""Users, their roles, and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow


class Role(StrEnum):
    """What a user may do: learners watch, instructors also upload, admins do everything."""

    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class User(UserMixin, Model):
    """A person who signs in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every session's and remember-me cookie's user id (``get_id``): raising it
    # (sign-out, password change) makes every session issued before unusable at once.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # The zone the user's times are shown in (IANA name); None: the browser's, then UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # The language pages and e-mails are written in (webapp.i18n.LANGUAGES); None: the
    # browser's Accept-Language decides.
    locale: Mapped[str | None] = mapped_column(String(8))
    # True once the user chose ``time_zone`` on the profile: the browser's zone no longer
    # replaces it (False: it was detected, and follows the browser when that moves).
    time_zone_pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The secret of the private calendar feed URL (None: no feed yet); resetting it
    # replaces it, and the old URL answers 404.
    calendar_secret: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # False only for an open sign-up whose address is not confirmed yet: it cannot sign in.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=true())

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """Flask-Login's alternative id: ``"<id>:<session epoch>"`` (see the loader)."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    @property
    def can_upload(self) -> bool:
        """Instructors and admins may upload recordings."""
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Admins see and manage everything."""
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        """The name to show, falling back to the e-mail address."""
        return self.name or self.email


class ApiToken(Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the holder called it ("laptop script"); empty for tokens made by signing in.
    name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")
