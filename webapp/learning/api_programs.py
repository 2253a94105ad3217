"""Programs in the back office over the API (admins): create, change and delete them
through the services the pages use."""

from __future__ import annotations

from flask import g
from pydantic import Field

from webapp.access import can_manage_programs
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Query, operation
from webapp.learning.api_common import LevelName, ProgramFacts, program_facts, write
from webapp.learning.services import (
    MAX_CERTIFICATE,
    MAX_DESCRIPTION,
    MAX_SLUG,
    MAX_TITLE,
    program_by_slug,
    save_program,
)
from webapp.learning.services import delete_program as remove_program
from webapp.models import Program
from webapp.problems import ApiError


class ProgramIn(Input):
    """A new program; ``slug`` left empty is made from the title."""

    title: str = Field(max_length=MAX_TITLE)
    slug: str = Field("", max_length=MAX_SLUG)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    level: LevelName = "foundation"
    weeks: int = Field(0, description="Length in weeks.")
    fee: str = Field("0", max_length=20, examples=["499.00"], description="At most two decimals.")
    currency: str = Field("EUR", max_length=3, description="ISO 4217 code.")
    certificate: str = Field("", max_length=MAX_CERTIFICATE)
    self_enrol: bool = Field(True, description="False: a company program, enrolled by admins.")
    courses: list[str] = Field(default_factory=list, description="Course slugs, in order.")


class ProgramChange(Input):
    """Any of a program's fields; ``courses`` replaces the whole order."""

    title: str | None = Field(None, max_length=MAX_TITLE)
    slug: str | None = Field(None, max_length=MAX_SLUG)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    level: LevelName | None = None
    weeks: int | None = None
    fee: str | None = Field(None, max_length=20)
    currency: str | None = Field(None, max_length=3)
    certificate: str | None = Field(None, max_length=MAX_CERTIFICATE)
    self_enrol: bool | None = None
    courses: list[str] | None = None


class ProgramDetail(ProgramFacts):
    """A program as the back office edits it."""

    courses: list[str] = Field(description="Course slugs, in order.")

    @classmethod
    def of(cls, program: Program) -> ProgramDetail:
        """The details of ``program``."""
        return cls(**program_facts(program), courses=[i.course.slug for i in program.items])


class DeleteQuery(Query):
    """``force=true`` deletes a program with cohorts or issued certificates too."""

    force: bool = False


def _managed_program(slug: str) -> Program:
    if not can_manage_programs(g.user):
        raise ApiError(403, "only admins manage programs")
    program = program_by_slug(slug)
    if program is None:
        raise ApiError(404, "no such program")
    return program


@operation(bp, "POST", "/programs", body=ProgramIn, responses={201: ProgramDetail}, errors=(403,))
def create_program(body: ProgramIn) -> tuple[ProgramDetail, int]:
    """Create a program (admins)."""
    if not can_manage_programs(g.user):
        raise ApiError(403, "only admins manage programs")
    program = write(lambda: save_program(None, body.model_dump()))
    return ProgramDetail.of(program), 201


@operation(
    bp,
    "PATCH",
    "/programs/<slug>",
    body=ProgramChange,
    responses={200: ProgramDetail},
    errors=(403, 404),
)
def update_program(slug: str, body: ProgramChange) -> ProgramDetail:
    """Change a program: any field; ``courses`` replaces the order (admins)."""
    program = _managed_program(slug)
    write(lambda: save_program(program, body.model_dump(exclude_unset=True)))
    return ProgramDetail.of(program)


@operation(
    bp,
    "DELETE",
    "/programs/<slug>",
    query=DeleteQuery,
    responses={204: None},
    errors=(403, 404, 409),
)
def delete_program(slug: str, query: DeleteQuery) -> None:
    """Delete a program with its enrolments (admins); 409 while it has cohorts or issued
    certificates, unless ``force=true`` (cohorts go too, certificates stay valid)."""
    program = _managed_program(slug)
    write(lambda: remove_program(program, force=query.force))
