"""The filters of a report, parsed from query parameters (the same for the page, the
CSV export and the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from webapp.reports.scope import ReportScope

MAX_SEARCH = 100


class Status(StrEnum):
    """Where a learner stands on the path."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """``not_started`` → ``Not started``."""
        return self.value.replace("_", " ").capitalize()


class BadFilter(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ReportFilters:
    """Narrow a report: to a cohort, a status, a name/e-mail search, a completion range."""

    cohort_id: int | None = None
    status: Status | None = None
    search: str = ""
    completed_from: date | None = None
    completed_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query parameters (to link the CSV export to the same view)."""
        args = {
            "cohort": str(self.cohort_id) if self.cohort_id is not None else "",
            "status": self.status.value if self.status is not None else "",
            "q": self.search,
            "completed_from": self.completed_from.isoformat() if self.completed_from else "",
            "completed_to": self.completed_to.isoformat() if self.completed_to else "",
        }
        return {k: v for k, v in args.items() if v}


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name} must be a date like 2027-01-31") from None


def _cohort(value: str, scope: ReportScope) -> int | None:
    if not value or scope.fixed_cohort is not None:
        return None
    if not value.isdigit() or not scope.has_cohort(int(value)):
        raise BadFilter("cohort must be one of this report's cohorts")
    return int(value)


def _status(value: str) -> Status | None:
    if not value:
        return None
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise BadFilter(f"status must be one of {allowed}") from None


def parse_filters(args: Mapping[str, str], scope: ReportScope) -> ReportFilters:
    """``cohort``, ``status``, ``q``, ``completed_from``, ``completed_to``; empty values
    mean no filter. Raises BadFilter for values that cannot be used."""
    search = args.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        raise BadFilter(f"q must be at most {MAX_SEARCH} characters")
    filters = ReportFilters(
        cohort_id=_cohort(args.get("cohort", "").strip(), scope),
        status=_status(args.get("status", "").strip()),
        search=search,
        completed_from=_date(args.get("completed_from", "").strip(), "completed_from"),
        completed_to=_date(args.get("completed_to", "").strip(), "completed_to"),
    )
    if (
        filters.completed_from
        and filters.completed_to
        and filters.completed_from > filters.completed_to
    ):
        raise BadFilter("completed_from must not be after completed_to")
    return filters
