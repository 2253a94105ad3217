"""Writes for organisations: create them, add members and managers, hold seats, assign
programs (which enrols through ``webapp.learning.services.enrol``, the organisation's
seat paying: no order), make content private to one. They flush; the caller commits."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.forms import SLUG
from webapp.learning.services import enrol
from webapp.models import (
    Assignment,
    Audience,
    Module,
    Organisation,
    OrganisationMember,
    OrgRole,
    Program,
    SeatHolding,
    User,
    Video,
)


class OrganisationError(ValueError):
    """A refused change; ``field`` names the form field it belongs beside (or "")."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def create_organisation(name: str, slug: str, time_zone: str = "UTC") -> Organisation:
    """A new organisation (``OrganisationError`` on a blank name or a bad/taken slug)."""
    name, slug = name.strip(), slug.strip().lower()
    if not name:
        raise OrganisationError(_("Give the organisation a name."), "name")
    if not SLUG.match(slug):
        raise OrganisationError(
            _("Use lower-case letters, digits and hyphens, e.g. acme-corp."), "slug"
        )
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise OrganisationError(_("Another organisation has this address."), "slug")
    org = Organisation(name=name, slug=slug, time_zone=time_zone or "UTC")
    db.session.add(org)
    db.session.flush()
    return org


def membership(user_id: int) -> OrganisationMember | None:
    """The user's membership (one organisation per person), if any."""
    return db.session.scalar(
        select(OrganisationMember).where(OrganisationMember.user_id == user_id)
    )


def add_member(
    org: Organisation, user: User, role: OrgRole | str = OrgRole.MEMBER
) -> OrganisationMember:
    """Put ``user`` in ``org`` as a member or a manager (a role change if already in it);
    ``OrganisationError`` when they belong to another organisation."""
    role = OrgRole(role)
    existing = membership(user.id)
    if existing is not None and existing.organisation_id != org.id:
        raise OrganisationError(
            _("%(email)s already belongs to another organisation.", email=user.email), "email"
        )
    if existing is None:
        existing = OrganisationMember(organisation_id=org.id, user_id=user.id, role=role)
        db.session.add(existing)
    existing.role = role
    db.session.flush()
    return existing


def remove_member(org: Organisation, user_id: int) -> None:
    """Take a person out of ``org`` (their assignments and enrolments stay)."""
    found = membership(user_id)
    if found is None or found.organisation_id != org.id:
        raise OrganisationError(_("That person is not in this organisation."))
    db.session.delete(found)
    db.session.flush()


def set_seats(org: Organisation, program: Program, seats: int) -> SeatHolding:
    """The seats ``org`` holds in ``program`` (never fewer than already used)."""
    if seats < 0:
        raise OrganisationError(_("Seats cannot be negative."), "seats")
    used = seats_used(org.id, program.id)
    if seats < used:
        raise OrganisationError(
            _("%(num)d seats are already assigned; hold at least that many.", num=used), "seats"
        )
    holding = db.session.scalar(
        select(SeatHolding).where(
            SeatHolding.organisation_id == org.id, SeatHolding.program_id == program.id
        )
    )
    if holding is None:
        holding = SeatHolding(organisation_id=org.id, program_id=program.id, seats=seats)
        db.session.add(holding)
    holding.seats = seats
    db.session.flush()
    return holding


def seats_used(org_id: int, program_id: int) -> int:
    """Assignments of ``org`` in the program (each uses one seat)."""
    return int(
        db.session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.organisation_id == org_id, Assignment.program_id == program_id
            )
        )
        or 0
    )


def seats_held(org_id: int, program_id: int) -> int:
    """Seats ``org`` bought in the program (0: none)."""
    return int(
        db.session.scalar(
            select(SeatHolding.seats).where(
                SeatHolding.organisation_id == org_id, SeatHolding.program_id == program_id
            )
        )
        or 0
    )


def assign(
    org: Organisation, user: User, program: Program, due_on: date | None, by: User | None
) -> tuple[Assignment, bool]:
    """Assign ``program`` to ``user`` (a person of ``org``) due by ``due_on``: uses a seat
    and enrols them (``enrol``, as an administrator would). Assigning again changes the
    due date only: ``(assignment, created)``."""
    person = membership(user.id)
    if person is None or person.organisation_id != org.id:
        raise OrganisationError(_("Choose one of your organisation's people."), "user_id")
    if program.organisation_id is not None and program.organisation_id != org.id:
        raise OrganisationError(_("Choose a program your organisation holds seats in."), "program")
    existing = db.session.scalar(
        select(Assignment).where(
            Assignment.organisation_id == org.id,
            Assignment.user_id == user.id,
            Assignment.program_id == program.id,
        )
    )
    if existing is not None:
        existing.due_on = due_on
        db.session.flush()
        return existing, False
    # The holding's row is locked (PostgreSQL) so two concurrent assignments cannot both
    # take the last seat; SQLite serialises writers anyway.
    held = db.session.scalar(
        select(SeatHolding.seats)
        .where(SeatHolding.organisation_id == org.id, SeatHolding.program_id == program.id)
        .with_for_update()
    )
    if seats_used(org.id, program.id) >= (held or 0):
        raise OrganisationError(
            _("No free seat in ‘%(title)s’: ask us for more seats.", title=program.title), "program"
        )
    assignment = Assignment(
        organisation_id=org.id,
        user_id=user.id,
        program_id=program.id,
        due_on=due_on,
        assigned_by=by.id if by is not None else None,
    )
    db.session.add(assignment)
    enrol(user, program, admin=True, by=by)
    db.session.flush()
    return assignment, True


def unassign(assignment: Assignment) -> None:
    """Take an assignment back: its seat is free again, and the enrolment it paid for
    ends (the cohort seat too, moving the waitlist up). An enrolment the learner paid
    for themselves stays; progress and certificates are kept either way."""
    from webapp.enrolment import services as enrolment  # noqa: PLC0415
    from webapp.models import Enrollment, EnrollmentStatus, OrderStatus  # noqa: PLC0415

    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == assignment.user_id,
            Enrollment.program_id == assignment.program_id,
        )
    )
    db.session.delete(assignment)
    if enrollment is not None and enrollment.status != EnrollmentStatus.CANCELLED:
        order = enrolment.order_of(enrollment)
        if order is None or order.status != OrderStatus.PAID:
            enrolment.cancel(enrollment)
    db.session.flush()


def make_private(item: Video | Module | Program, org: Organisation | None) -> None:
    """Make a video, module or program private to ``org`` (None: no longer owned).
    Videos and modules get the ORGANISATION audience (back to OPEN / the default when
    released); a program owned by an organisation is listed to its people only."""
    item.organisation_id = org.id if org is not None else None
    if isinstance(item, Video):
        item.audience = Audience.ORGANISATION if org is not None else Audience.OPEN
    elif isinstance(item, Module):
        item.audience = Audience.ORGANISATION if org is not None else None
    db.session.flush()


def make_program_private(program: Program, org: Organisation | None) -> list[Module]:
    """Make ``program`` and every module of its courses private to ``org`` (None: back to
    a public program whose modules have the default audience). Returns the modules."""
    from webapp.models import CourseModule, ProgramCourse

    # Ids first: DISTINCT over whole rows fails on PostgreSQL (``tags`` is JSON).
    in_program = (
        select(CourseModule.module_id)
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .where(ProgramCourse.program_id == program.id)
    )
    modules = list(
        db.session.scalars(select(Module).where(Module.id.in_(in_program)).order_by(Module.id))
    )
    make_private(program, org)
    for module in modules:
        make_private(module, org)
    return modules
