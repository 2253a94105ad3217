"""Reads of the profile and the admin user list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from sqlalchemy import Select, func, or_, select

from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import EmailToken, Role, TokenPurpose, User
from webapp.models.base import utcnow

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_QUERY = 100


@dataclass(frozen=True)
class UserFilter:
    """What the admin asked for: words in the name or address, a role, active or not."""

    q: str = ""
    role: Role | None = None
    active: bool | None = None
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class UserPage:
    """One page of users and how many match in all."""

    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _filtered(wanted: UserFilter) -> Select:
    query = select(User)
    for word in wanted.q.split():
        pattern = contains(word.lower())
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape=LIKE_ESCAPE),
                User.email.like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if wanted.role is not None:
        query = query.where(User.role == wanted.role)
    if wanted.active is not None:
        query = query.where(User.active.is_(wanted.active))
    return query


def user_page(wanted: UserFilter) -> UserPage:
    """The users matching ``wanted``, by name then address, one page of them."""
    query = _filtered(wanted)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = db.session.scalars(
        query.order_by(func.lower(User.name), User.email, User.id)
        .limit(wanted.per_page)
        .offset((wanted.page - 1) * wanted.per_page)
    )
    return UserPage(list(users), total, wanted.page, wanted.per_page)


def pending_email(user: User) -> str | None:
    """The address a change waits to be confirmed for, if a link is still valid."""
    return db.session.scalar(
        select(EmailToken.new_email)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == TokenPurpose.EMAIL_CHANGE,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > utcnow(),
        )
        .order_by(EmailToken.id.desc())
        .limit(1)
    )


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted (the time-zone field's suggestions)."""
    return tuple(sorted(available_timezones() | {"UTC"}))
