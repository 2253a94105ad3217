"""The one condition that makes an enrolment a membership: its status is active.

Every query that treats an enrolment as "this learner belongs to the program" (audiences,
learning paths, certificates, notes, reports) adds :func:`active_enrollment`; waitlisted,
unpaid and cancelled enrolments grant nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from webapp.models import Enrollment, EnrollmentStatus


def active_enrollment() -> ColumnElement[bool]:
    """``Enrollment`` rows that make their learner a member of the program."""
    return Enrollment.status == EnrollmentStatus.ACTIVE


def is_active(enrollment: Enrollment | None) -> bool:
    """The Python twin of :func:`active_enrollment` for a loaded row."""
    return enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE
