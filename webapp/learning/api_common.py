"""What the learning API's modules share: the level names, a program's facts, the
mapping of a service's LearningError to a problem, the write-and-commit step and the
program lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from flask import g
from pydantic import Field

from webapp.access import can_see_program
from webapp.api.contract import Output
from webapp.extensions import db
from webapp.learning import queries
from webapp.learning.formatting import format_fee
from webapp.learning.services import InUse, LearningError
from webapp.models import Level, Program
from webapp.problems import ApiError, FieldError

LevelName = Literal["foundation", "intermediate", "advanced"]


def bad_input(exc: LearningError) -> ApiError:
    """The problem for a refused write: 409 when something depends on the object, else
    400 naming the field at fault."""
    if isinstance(exc, InUse):
        return ApiError(409, str(exc))
    field = exc.field or "body"
    return ApiError(400, f"{field}: {exc}", [FieldError(field, str(exc))])


T = TypeVar("T")


def write(change: Callable[[], T]) -> T:
    """Run a back-office write and commit; its LearningError is the API's 400 or 409."""
    try:
        result = change()
    except LearningError as exc:
        raise bad_input(exc) from None
    db.session.commit()
    return result


def program_or_404(slug: str) -> Program:
    """The program with this slug, loaded for reading (404 when there is none)."""
    program = queries.load_program(slug)
    if program is None or not can_see_program(g.user, program):
        raise ApiError(404, "no such program")
    return program


class Fee(Output):
    """A program's price."""

    cents: int
    currency: str = Field(examples=["EUR"])
    display: str = Field(examples=["€499.00", "Free"])


class ProgramFacts(Output):
    """The buyer-facing facts of a program."""

    slug: str
    title: str
    description: str
    level: Level
    length_weeks: int
    fee: Fee
    certificate: str
    self_enrol: bool = Field(description="False: a company program, enrolled by admins.")


def program_facts(program: Program) -> dict[str, Any]:
    """The :class:`ProgramFacts` fields of ``program`` (for the models that extend it)."""
    return {
        "slug": program.slug,
        "title": program.title,
        "description": program.description,
        "level": Level(program.level),
        "length_weeks": program.length_weeks,
        "fee": Fee(
            cents=program.fee_cents,
            currency=program.currency,
            display=format_fee(program.fee_cents, program.currency, "en"),  # the API: English
        ),
        "certificate": program.certificate,
        "self_enrol": program.self_enrol,
    }
