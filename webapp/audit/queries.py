"""Reading the audit trail: the admins' filters, one page newest first, every match."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select

from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import AuditEvent

EXPORT_BATCH = 1000


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; empty means any. Dates are whole UTC days, inclusive."""

    kind: str = ""
    actor: str = ""
    target: str = ""
    address: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of events and how many match in all."""

    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(wanted: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if wanted.kind:
        query = query.where(AuditEvent.kind == wanted.kind)
    if wanted.actor:
        query = query.where(
            func.lower(AuditEvent.actor_email).like(contains(wanted.actor.lower()), LIKE_ESCAPE)
        )
    if wanted.target:
        pattern = contains(wanted.target.lower())
        query = query.where(
            or_(
                func.lower(AuditEvent.target_label).like(pattern, "\\"),
                func.lower(AuditEvent.target_type).like(pattern, "\\"),
                AuditEvent.target_id == wanted.target,
            )
        )
    if wanted.address:
        query = query.where(AuditEvent.address.like(f"{wanted.address}%"))
    if wanted.since is not None:
        query = query.where(AuditEvent.at >= _day_start(wanted.since))
    if wanted.until is not None:
        query = query.where(AuditEvent.at < _day_start(wanted.until + timedelta(days=1)))
    return query


def _newest_first(query: Select[AuditEvent]) -> Select[AuditEvent]:
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_page(wanted: AuditFilter) -> AuditPage:
    """The events matching ``wanted``, newest first, one page of them."""
    query = _filtered(wanted)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        _newest_first(query).limit(wanted.per_page).offset((wanted.page - 1) * wanted.per_page)
    )
    return AuditPage(list(events), total, wanted.page, wanted.per_page)


def every_match(wanted: AuditFilter) -> Iterator[AuditEvent]:
    """Every event matching ``wanted`` (pages ignored), newest first, read in batches."""
    query = _newest_first(_filtered(wanted)).execution_options(yield_per=EXPORT_BATCH)
    yield from db.session.scalars(query)
