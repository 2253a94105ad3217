"""Route-matrix entries of the back office, one module per feature (issue 18).

``tests/support/route_matrix.py`` adds ``entries()`` to its table. Each module here has
an ``entries()`` generator built with ``route_matrix``'s ``_e``, policies and ``_at``;
they import ``route_matrix`` inside the function, which imports this package lazily.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tests.support.matrix_backoffice import (
    accounts,
    admin_home,
    audiences,
    audit_trail,
    branding,
    calendar_feeds,
    certificate_rules,
    enrolment,
    graded_exams,
    notifications,
    observability,
    organisations,
    people,
    projects,
    questions,
    quizzes,
    request_limits,
    sources,
    structure,
    teaching,
    videos,
    watch_credit,
)

if TYPE_CHECKING:
    from tests.support.route_matrix import Entry


def entries() -> Iterator[Entry]:
    """Every back-office entry."""
    modules = (accounts, admin_home, people, sources, videos, structure, teaching)
    issue_19 = (
        audiences,
        calendar_feeds,
        certificate_rules,
        watch_credit,
        organisations,
        enrolment,
    )
    issue_20 = (audit_trail, observability, request_limits)
    issue_21 = (notifications, questions, quizzes, graded_exams, projects)
    issue_22 = (branding,)
    for module in (*modules, *issue_19, *issue_20, *issue_21, *issue_22):
        yield from module.entries()
