"""Reads of the accounts feature: invitations to list, counts for the admin home."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.access import instructed_cohort_ids
from webapp.extensions import db
from webapp.models import Cohort, Invitation, Program, User
from webapp.models.base import utcnow


def pending_invitations_count() -> int:
    """How many invitations wait for an answer (not accepted, revoked or expired)."""
    return (
        db.session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        )
        or 0
    )


def recent_signups(limit: int = 10) -> list[User]:
    """The newest accounts, newest first (open sign-ups and accepted invitations alike)."""
    return list(
        db.session.scalars(
            select(User).order_by(User.created_at.desc(), User.id.desc()).limit(limit)
        )
    )


def invitations_for(
    user: User, *, pending_only: bool = False, limit: int = 500
) -> list[Invitation]:
    """The invitations ``user`` manages, newest first: all for admins, those to the cohorts
    they teach for cohort instructors."""
    query = select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    if not user.is_admin:
        query = query.where(Invitation.cohort_id.in_(sorted(instructed_cohort_ids(user)) or [-1]))
    if pending_only:
        query = query.where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    return list(db.session.scalars(query.limit(limit)))


def invitable_cohorts(user: User) -> list[Cohort]:
    """The cohorts ``user`` may invite to: all for admins, the ones they teach otherwise."""
    query = select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    if not user.is_admin:
        query = query.where(Cohort.id.in_(sorted(instructed_cohort_ids(user)) or [-1]))
    return list(db.session.scalars(query))


def invitable_programs(user: User) -> list[Program]:
    """The programs ``user`` may enrol an invitee in (admins only)."""
    if not user.is_admin:
        return []
    return list(db.session.scalars(select(Program).order_by(Program.title)))


def program_by_slug(slug: str) -> Program | None:
    """The program with that slug."""
    return db.session.scalar(select(Program).where(Program.slug == slug))


def cohort_by_id(cohort_id: int) -> Cohort | None:
    """The cohort with that id."""
    return db.session.get(Cohort, cohort_id)


def target_names(invitations: list[Invitation]) -> dict[str, dict[int, str]]:
    """The names of the programs and cohorts the ``invitations`` point at, by id."""
    program_ids = {i.program_id for i in invitations if i.program_id is not None}
    cohort_ids = {i.cohort_id for i in invitations if i.cohort_id is not None}
    programs = db.session.execute(
        select(Program.id, Program.title).where(Program.id.in_(program_ids))
    ).all()
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids))
    ).all()
    return {
        "programs": {row[0]: row[1] for row in programs},
        "cohorts": {row[0]: row[1] for row in cohorts},
    }
