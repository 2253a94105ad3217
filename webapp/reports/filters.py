"""The filters of a report, parsed from query parameters (the same rules and messages for
the page, the CSV export and the API, whose query model extends :class:`FilterParams`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from webapp.problems import FieldError
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
    """Filter values that cannot be used; each error names the parameter and why."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field} {e.message}" for e in self.errors))


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


def _text(value: object) -> object:
    """A parameter without surrounding spaces; of a repeated one, the first."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else value


class FilterParams(BaseModel):
    """The filters as query parameters, checked as far as they can be without the report;
    empty values mean no filter. Other parameters are ignored: they cannot widen a report."""

    model_config = ConfigDict(extra="ignore")

    cohort: str = Field(
        default="", description="One of the report's cohort ids (ignored on a cohort's report)."
    )
    status: Status | None = None
    q: str = Field(default="", max_length=MAX_SEARCH, description="Part of a name or e-mail.")
    completed_from: date | None = Field(default=None, description="First completion day (UTC).")
    completed_to: date | None = Field(default=None, description="Last completion day (UTC).")

    @field_validator("cohort", mode="before")
    @classmethod
    def _cohort_text(cls, value: object) -> object:
        return _text(value)

    @field_validator("q", mode="before")
    @classmethod
    def _search(cls, value: object) -> object:
        text = _text(value)
        if isinstance(text, str) and len(text) > MAX_SEARCH:
            raise ValueError(f"must be at most {MAX_SEARCH} characters")
        return text

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> object:
        text = _text(value)
        if text is None or text == "":
            return None
        try:
            return Status(str(text))
        except ValueError:
            raise ValueError(f"must be one of {', '.join(s.value for s in Status)}") from None

    @field_validator("completed_from", "completed_to", mode="before")
    @classmethod
    def _day(cls, value: object) -> object:
        text = _text(value)
        if text is None or text == "" or isinstance(text, date):
            return text or None
        try:
            return date.fromisoformat(str(text))
        except ValueError:
            raise ValueError("must be a date like 2027-01-31") from None


def parse_params(args: Mapping[str, str]) -> FilterParams:
    """The filter parameters of ``args`` (a page's query string); BadFilter if unusable."""
    try:
        return FilterParams.model_validate({key: args[key] for key in args})
    except ValidationError as exc:
        raise BadFilter(
            [
                FieldError(
                    ".".join(str(part) for part in err["loc"]),
                    str(err["msg"]).removeprefix("Value error, "),
                )
                for err in exc.errors()
            ]
        ) from None


def _cohort(value: str, scope: ReportScope) -> int | None:
    if not value or scope.fixed_cohort is not None:
        return None
    # isascii: "²".isdigit() is true, but int("²") fails.
    if not (value.isascii() and value.isdigit()) or not scope.has_cohort(int(value)):
        raise BadFilter([FieldError("cohort", "must be one of this report's cohorts")])
    return int(value)


def report_filters(params: FilterParams, scope: ReportScope) -> ReportFilters:
    """The filters ``params`` on ``scope``'s report: a cohort filter must name one of its
    cohorts (a cohort's report ignores it), and the completion range must not be empty.
    Raises BadFilter otherwise."""
    filters = ReportFilters(
        cohort_id=_cohort(params.cohort, scope),
        status=params.status,
        search=params.q,
        completed_from=params.completed_from,
        completed_to=params.completed_to,
    )
    if (
        filters.completed_from
        and filters.completed_to
        and filters.completed_from > filters.completed_to
    ):
        raise BadFilter([FieldError("completed_from", "must not be after completed_to")])
    return filters


def parse_filters(args: Mapping[str, str], scope: ReportScope) -> ReportFilters:
    """``cohort``, ``status``, ``q``, ``completed_from``, ``completed_to`` of a page's query
    string; empty values mean no filter. Raises BadFilter for values that cannot be used."""
    return report_filters(parse_params(args), scope)
