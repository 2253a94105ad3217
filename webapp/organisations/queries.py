"""Reads for organisations: a manager's organisation, its people, seats, and the
dashboard (progress, overdue, certificates, time watched, missed classes caught up).

The dashboard's numbers come from the path report (``webapp.reports.queries``): one
report per assigned program over every learner of the program, narrowed to the
organisation's assigned people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import (
    Assignment,
    Certificate,
    Cohort,
    Organisation,
    OrganisationMember,
    OrgRole,
    Program,
    SeatHolding,
    User,
)
from webapp.models.base import utcnow
from webapp.reports.csv_export import safe_cell
from webapp.reports.filters import ReportFilters, Status
from webapp.reports.queries import LearnerRow, build_report
from webapp.reports.scope import ReportScope


def organisation_by_slug(slug: str) -> Organisation | None:
    """The organisation at ``slug``, if any."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def all_organisations() -> list[Organisation]:
    """Every organisation by name (the admin list)."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def managed_organisation(user: User) -> Organisation | None:
    """The organisation ``user`` manages, if any (one organisation per person)."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Organisation)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user.id, OrganisationMember.role == OrgRole.MANAGER)
    )


def organisation_of(user: User) -> Organisation | None:
    """The organisation ``user`` belongs to (member or manager), if any."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Organisation)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user.id)
    )


def organisation_names(user_ids: list[int]) -> dict[int, str]:
    """User id → "Organisation (manager)" for those of ``user_ids`` in one (one query)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(OrganisationMember.user_id, OrganisationMember.role, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id.in_(user_ids))
    )
    return {
        user_id: f"{name} (manager)" if role == OrgRole.MANAGER else name
        for user_id, role, name in rows
    }


def people(org_id: int) -> list[OrganisationMember]:
    """The organisation's members and managers, by name."""
    return list(
        db.session.scalars(
            select(OrganisationMember)
            .join(User, User.id == OrganisationMember.user_id)
            .where(OrganisationMember.organisation_id == org_id)
            .options(joinedload(OrganisationMember.user))
            .order_by(User.name, User.email)
        )
    )


def person(org_id: int, user_id: int) -> OrganisationMember | None:
    """``user_id``'s membership if they are in ``org_id`` (None otherwise: a 404)."""
    return db.session.scalar(
        select(OrganisationMember).where(
            OrganisationMember.organisation_id == org_id, OrganisationMember.user_id == user_id
        )
    )


@dataclass(frozen=True)
class Seats:
    """Seats held and used in one program."""

    program: Program
    held: int
    used: int

    @property
    def free(self) -> int:
        """Seats left to assign."""
        return max(self.held - self.used, 0)


def seats(org_id: int) -> list[Seats]:
    """The programs the organisation holds seats in, with their use."""
    holdings = db.session.execute(
        select(SeatHolding, Program)
        .join(Program, Program.id == SeatHolding.program_id)
        .where(SeatHolding.organisation_id == org_id)
        .order_by(Program.title)
    ).all()
    used: dict[int, int] = {}
    for program_id in db.session.scalars(
        select(Assignment.program_id).where(Assignment.organisation_id == org_id)
    ):
        used[program_id] = used.get(program_id, 0) + 1
    return [Seats(p, h.seats, used.get(p.id, 0)) for h, p in holdings]


def seat_program(org_id: int, program_id: int) -> Program | None:
    """A program the organisation holds seats in (None otherwise)."""
    return db.session.scalar(
        select(Program)
        .join(SeatHolding, SeatHolding.program_id == Program.id)
        .where(SeatHolding.organisation_id == org_id, Program.id == program_id)
    )


def private_programs(org_id: int) -> list[Program]:
    """The programs private to the organisation."""
    return list(
        db.session.scalars(
            select(Program).where(Program.organisation_id == org_id).order_by(Program.title)
        )
    )


@dataclass(frozen=True)
class DashboardRow:
    """One assignment and how the person is doing."""

    user_id: int
    name: str
    email: str
    program_slug: str
    program_title: str
    due_on: date | None
    status: str
    percent: int
    overdue: bool
    certificate: str  # its code, "" when none (or revoked)
    watched_seconds: float
    missed_classes: int
    caught_up: int


def dashboard(
    org_id: int, today: date | None = None, now: datetime | None = None
) -> list[DashboardRow]:
    """Every assignment of the organisation with its progress (one path report per
    assigned program; the report's own queries)."""
    now = now or utcnow()
    today = today or now.date()
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.organisation_id == org_id)
            .options(joinedload(Assignment.user))
        )
    )
    by_program: dict[int, list[Assignment]] = {}
    for a in assignments:
        by_program.setdefault(a.program_id, []).append(a)
    certificates = {
        (c.user_id, c.program_id): c.code
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.user_id.in_([a.user_id for a in assignments]),
                Certificate.revoked_at.is_(None),
            )
        )
    }
    rows: list[DashboardRow] = []
    for program_id, items in by_program.items():
        program = db.session.get(Program, program_id)
        if program is None:
            continue
        cohorts = tuple(db.session.scalars(select(Cohort).where(Cohort.program_id == program_id)))
        report = build_report(
            ReportScope(program, cohorts, everyone=True), ReportFilters(), now, with_series=False
        )
        learner: dict[int, LearnerRow] = {r.user_id: r for r in report.rows}
        for a in items:
            r = learner.get(a.user_id)
            status = r.status.value if r is not None else Status.NOT_STARTED.value
            rows.append(
                DashboardRow(
                    user_id=a.user_id,
                    name=a.user.display_name,
                    email=a.user.email,
                    program_slug=program.slug,
                    program_title=program.title,
                    due_on=a.due_on,
                    status=status,
                    percent=r.percent if r is not None else 0,
                    overdue=(
                        a.due_on is not None
                        and a.due_on < today
                        and status != Status.COMPLETED.value
                    ),
                    certificate=certificates.get((a.user_id, program_id), ""),
                    watched_seconds=r.watched_seconds if r is not None else 0.0,
                    missed_classes=r.missed_classes if r is not None else 0,
                    caught_up=r.caught_up if r is not None else 0,
                )
            )
    rows.sort(key=lambda row: (row.name.lower(), row.email, row.program_title))
    return rows


CSV_HEADER = (
    "name",
    "email",
    "program",
    "due_on",
    "status",
    "progress_percent",
    "overdue",
    "certificate",
    "watched_seconds",
    "missed_classes",
    "caught_up",
)


def dashboard_csv(rows: list[DashboardRow]) -> str:
    """The dashboard as CSV (cells that could be read as formulas are neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    r.name,
                    r.email,
                    r.program_title,
                    r.due_on.isoformat() if r.due_on else "",
                    r.status,
                    r.percent,
                    "yes" if r.overdue else "no",
                    r.certificate,
                    round(r.watched_seconds),
                    r.missed_classes,
                    r.caught_up,
                )
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class LearnerAssignment:
    """A program assigned to the learner, with its due date."""

    program: Program
    due_on: date | None
    organisation: str


def assignments_of(user_id: int) -> list[LearnerAssignment]:
    """The programs assigned to ``user_id`` (their home page and calendar feed)."""
    rows = db.session.execute(
        select(Assignment, Program, Organisation)
        .join(Program, Program.id == Assignment.program_id)
        .join(Organisation, Organisation.id == Assignment.organisation_id)
        .where(Assignment.user_id == user_id)
        .order_by(Assignment.due_on, Program.title)
    ).all()
    return [LearnerAssignment(p, a.due_on, o.name) for a, p, o in rows]


def assignment_or_none(org_id: int, user_id: int, program_slug: str) -> Assignment | None:
    """The organisation's assignment of ``program_slug`` to ``user_id``, if there is one."""
    return db.session.scalar(
        select(Assignment)
        .join(Program, Program.id == Assignment.program_id)
        .where(
            Assignment.organisation_id == org_id,
            Assignment.user_id == user_id,
            Program.slug == program_slug,
        )
    )
