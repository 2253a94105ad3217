"""Reads for certificates: a learner's list, the public lookup by code, and what a
program's rule asks of a learner."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from webapp.certificates import codes
from webapp.certificates.exams import exams_passed
from webapp.certificates.rules import Facts, Rule, Verdict, evaluate
from webapp.enrolment.membership import active_enrollment
from webapp.extensions import db
from webapp.models import (
    Attendance,
    Certificate,
    CertificateRule,
    Cohort,
    CourseModule,
    Enrollment,
    Exam,
    LiveClass,
    Module,
    Program,
    ProgramCourse,
    Project,
)
from webapp.models.certificate import DEFAULT_MIN_PERCENT
from webapp.models.project import CertificateRuleProject
from webapp.progress.queries import module_progress
from webapp.projects.queries import projects_passed


def by_code(text: object) -> Certificate | None:
    """The certificate whose code someone typed, or None.

    Malformed input costs no query. Well-formed input costs one equality probe of a unique
    index on the code's SHA-256, so how long the answer takes does not depend on how many
    leading characters of a guess match a real code.
    """
    code = codes.normalize(text)
    if code is None:
        return None
    return db.session.scalar(
        select(Certificate).where(Certificate.code_digest == codes.digest(code))
    )


def certificates_of(user_id: int) -> list[Certificate]:
    """The learner's certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def certified_program_ids(user_id: int) -> set[int]:
    """Ids of the programs the learner already holds a certificate for."""
    return set(
        db.session.scalars(
            select(Certificate.program_id).where(
                Certificate.user_id == user_id, Certificate.program_id.is_not(None)
            )
        )
    )


# --------------------------------------------------------------------------- rules


def rule_row(program_id: int) -> CertificateRule | None:
    """The program's stored rule, if it has one (none: the default rule)."""
    return db.session.get(CertificateRule, program_id)


def program_modules(program_id: int) -> list[Module]:
    """Every module of the program's courses, in program order, each once."""
    rows = db.session.execute(
        select(Module)
        .join(CourseModule, CourseModule.module_id == Module.id)
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .where(ProgramCourse.program_id == program_id)
        .order_by(ProgramCourse.position, CourseModule.position)
    ).scalars()
    return list({m.id: m for m in rows}.values())


def program_exams(program_id: int) -> list[Exam]:
    """The exams of the program's cohorts, by date."""
    return list(
        db.session.scalars(
            select(Exam)
            .join(Cohort, Cohort.id == Exam.cohort_id)
            .where(Cohort.program_id == program_id)
            .order_by(Exam.starts_at, Exam.id)
        )
    )


def program_projects(program_id: int) -> list[Project]:
    """The projects of the program's cohorts, by due date."""
    return list(
        db.session.scalars(
            select(Project)
            .join(Cohort, Cohort.id == Project.cohort_id)
            .where(Cohort.program_id == program_id)
            .order_by(Project.due_at, Project.id)
        )
    )


def rule_project_ids(program_id: int) -> set[int]:
    """The projects the program's stored rule requires."""
    return set(
        db.session.scalars(
            select(CertificateRuleProject.project_id).where(
                CertificateRuleProject.program_id == program_id
            )
        )
    )


@dataclass(frozen=True)
class RuleView:
    """A program's rule as stored and as applied: ``rule`` with defaults resolved, the
    modules and exams it names, and whether the modules are the default (all)."""

    program_id: int
    rule: Rule
    modules: list[Module]
    exams: list[Exam]
    all_modules: bool
    stored: bool
    projects: list[Project] = field(default_factory=list)


def rule_of(program_id: int) -> RuleView:
    """The rule the program applies (its row, or the default)."""
    row = rule_row(program_id)
    everything = program_modules(program_id)
    chosen = {m.module_id for m in row.modules} if row is not None else set()
    modules = [m for m in everything if m.id in chosen] if chosen else everything
    exam_ids = {e.exam_id for e in row.exams} if row is not None else set()
    exams = [e for e in program_exams(program_id) if e.id in exam_ids]
    project_ids = rule_project_ids(program_id) if row is not None else set()
    projects = [p for p in program_projects(program_id) if p.id in project_ids]
    rule = Rule(
        module_ids=tuple(m.id for m in modules),
        min_share=(row.min_watched_percent if row else DEFAULT_MIN_PERCENT) / 100,
        min_classes=row.min_classes if row else 0,
        exam_ids=tuple(e.id for e in exams),
        project_ids=tuple(p.id for p in projects),
    )
    return RuleView(
        program_id,
        rule,
        modules,
        exams,
        all_modules=not chosen,
        stored=row is not None,
        projects=projects,
    )


def classes_attended(user_id: int, program_id: int) -> int:
    """Live classes of the program's cohorts the learner was marked present at."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .join(LiveClass, LiveClass.id == Attendance.class_id)
            .join(Cohort, Cohort.id == LiveClass.cohort_id)
            .where(
                Attendance.user_id == user_id,
                Attendance.present.is_(True),
                Cohort.program_id == program_id,
            )
        )
        or 0
    )


def facts_of(user_id: int, view: RuleView) -> Facts:
    """What the rule needs to know about the learner (a query per kind of requirement)."""
    progress = module_progress(user_id, view.modules) if view.modules else {}
    return Facts(
        watched={m: p.watched_seconds for m, p in progress.items()},
        durations={m.id: m.duration or 0.0 for m in view.modules},
        module_titles={m.id: m.title for m in view.modules},
        classes_attended=(
            classes_attended(user_id, view.program_id) if view.rule.min_classes else 0
        ),
        exams_passed=exams_passed(user_id, view.rule.exam_ids),
        exam_titles={e.id: e.title for e in view.exams},
        projects_passed=projects_passed(user_id, view.rule.project_ids),
        project_titles={p.id: p.title for p in view.projects},
    )


def verdict_of(user_id: int, program_id: int) -> Verdict:
    """Whether the learner meets the program's rule, and what is left."""
    view = rule_of(program_id)
    return evaluate(view.rule, facts_of(user_id, view))


def programs_with_module(user_id: int, video_id: int, clip_id: int | None) -> list[int]:
    """Programs the learner is enrolled in, holds no certificate of, and whose courses
    contain the module watched as ``(video_id, clip_id)``."""
    match = (
        and_(Module.video_id == video_id, Module.clip_id.is_(None))
        if clip_id is None
        else Module.clip_id == clip_id
    )
    certified = select(Certificate.program_id).where(
        Certificate.user_id == user_id, Certificate.program_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(ProgramCourse.program_id)
            .distinct()
            .join(CourseModule, CourseModule.course_id == ProgramCourse.course_id)
            .join(Module, Module.id == CourseModule.module_id)
            .join(
                Enrollment,
                and_(
                    Enrollment.program_id == ProgramCourse.program_id,
                    Enrollment.user_id == user_id,
                    active_enrollment(),
                ),
            )
            .where(match, ProgramCourse.program_id.not_in(certified))
        )
    )


def certificates_of_program(program_id: int) -> list[Certificate]:
    """The program's certificates, newest first (for its admins)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.program_id == program_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def enrolled_user_ids(program_id: int) -> list[int]:
    """Learners enrolled in the program."""
    return list(
        db.session.scalars(
            select(Enrollment.user_id).where(
                Enrollment.program_id == program_id, active_enrollment()
            )
        )
    )


def rule_shares() -> list[int]:
    """The distinct watched percentages stored rules ask for."""
    return list(db.session.scalars(select(CertificateRule.min_watched_percent).distinct()))


def program_by_slug(slug: str) -> Program | None:
    """The program with this slug, if any."""
    return db.session.scalar(select(Program).where(Program.slug == slug))
