"""Project writes: a project and its rubric, a learner's submission (files to the media
storage, links), an instructor's grade. They flush; the view commits once.

Lateness belongs to the learner's first hand-in: versions asked for by a "return for
revision" are never late, and a "refuse after the due date" project still takes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from webapp.certificates import events
from webapp.extensions import db
from webapp.i18n import N_
from webapp.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Delivery,
    ItemKind,
    LatePolicy,
    Project,
    ProjectSubmission,
    RubricCriterion,
    RubricLevel,
    SubmissionItem,
    SubmissionScore,
    SubmissionStatus,
    User,
)
from webapp.models.base import as_utc, utcnow
from webapp.notifications.services import notify
from webapp.projects import rules
from webapp.projects.files import MAX_FILES, MAX_LINKS, FileRefused, check_link, sniff
from webapp.storage import get_storage

COMMENT_MAX = 5000
BRIEF_MAX = 20000


class ProjectError(Exception):
    """A write the project rules refuse; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """A file as posted: the client's name and the bytes (its Content-Type is ignored)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ProjectValues:
    """What an instructor types for a project."""

    title: str
    brief: str
    due_at: datetime
    pass_mark: int
    late_policy: LatePolicy
    penalty_percent: int
    rubric: str


def _specs(project: Project) -> tuple[rules.CriterionSpec, ...]:
    return tuple(
        rules.CriterionSpec(c.title, tuple(rules.LevelSpec(lv.title, lv.points) for lv in c.levels))
        for c in project.criteria
    )


def rubric_of(project: Project) -> str:
    """The project's rubric in its text form."""
    return rules.rubric_text(_specs(project))


def _graded(project: Project) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SubmissionScore)
            .join(ProjectSubmission, ProjectSubmission.id == SubmissionScore.submission_id)
            .where(ProjectSubmission.project_id == project.id)
        )
        or 0
    ) > 0


def save_project(cohort: Cohort, project: Project | None, values: ProjectValues) -> Project:
    """Create (``project`` None) or change a project of ``cohort``. The rubric is fixed
    once a submission has been graded against it."""
    try:
        specs = rules.parse_rubric(values.rubric)
    except rules.RubricError as exc:
        raise ProjectError(str(exc), "rubric") from None
    top = rules.max_points(specs)
    if not 0 <= values.pass_mark <= top:
        raise ProjectError(
            _("The pass mark goes from 0 to %(top)s, the rubric's best.", top=top), "pass_mark"
        )
    percent = values.penalty_percent if values.late_policy == LatePolicy.PENALTY else 0
    if values.late_policy == LatePolicy.PENALTY and not 1 <= percent <= 100:
        raise ProjectError(_("Give the penalty per day late, 1 to 100 %."), "penalty_percent")
    if project is None:
        project = Project(cohort_id=cohort.id)
        db.session.add(project)
    elif specs != _specs(project):
        if _graded(project):
            raise ProjectError(
                _("The rubric cannot change once a submission has been graded against it."),
                "rubric",
            )
        project.criteria.clear()
        db.session.flush()
    project.title = values.title
    project.brief = values.brief
    project.due_at = values.due_at
    project.pass_mark = values.pass_mark
    project.late_policy = values.late_policy
    project.penalty_percent = percent
    if not project.criteria:
        for position, spec in enumerate(specs):
            criterion = RubricCriterion(position=position, title=spec.title)
            criterion.levels = [
                RubricLevel(position=i, title=lv.title, points=lv.points)
                for i, lv in enumerate(spec.levels)
            ]
            project.criteria.append(criterion)
    db.session.flush()
    return project


def delete_project(project: Project) -> str:
    """Delete the project with its submissions; the storage prefix of its files, which
    the caller deletes after the commit."""
    prefix = f"projects/{project.id}"
    db.session.delete(project)
    db.session.flush()
    return prefix


def history(project_id: int, user_id: int) -> list[ProjectSubmission]:
    """A learner's versions of a project, newest first."""
    return list(
        db.session.scalars(
            select(ProjectSubmission)
            .where(ProjectSubmission.project_id == project_id, ProjectSubmission.user_id == user_id)
            .order_by(ProjectSubmission.version.desc())
        )
    )


def _check_items(uploads: Sequence[Upload], links: Sequence[str], max_bytes: int):
    if not uploads and not links:
        raise ProjectError(N_("Add a file or a link."), "files")
    if len(uploads) > MAX_FILES:
        raise ProjectError(f"Hand in at most {MAX_FILES} files.", "files")
    if len(links) > MAX_LINKS:
        raise ProjectError(f"Give at most {MAX_LINKS} links.", "links")
    try:
        sniffed = [(sniff(u.data, u.name, max_bytes), u.data) for u in uploads]
    except FileRefused as exc:
        raise ProjectError(str(exc), "files") from None
    try:
        checked = [check_link(link) for link in links]
    except FileRefused as exc:
        raise ProjectError(str(exc), "links") from None
    return sniffed, checked


def submit(
    project: Project,
    learner: User,
    uploads: Sequence[Upload],
    links: Sequence[str],
    max_bytes: int,
    now: datetime | None = None,
) -> ProjectSubmission:
    """Hand in a new version. Every check runs before anything is stored; the files go
    to the media storage under ``projects/<project>/<submission>/<item>``."""
    now = now or utcnow()
    sniffed, checked = _check_items(uploads, links, max_bytes)
    versions = history(project.id, learner.id)
    if versions and versions[0].status == SubmissionStatus.ACCEPTED:
        raise ProjectError(N_("Your work was accepted: there is nothing more to hand in."), "files")
    if versions:
        late = versions[-1].days_late
    else:
        late = rules.days_late(now, as_utc(project.due_at))
        if late and project.late_policy == LatePolicy.REFUSE:
            raise ProjectError(
                N_("The due date has passed: this project takes no more work."), "files"
            )
    submission = ProjectSubmission(
        project_id=project.id,
        user_id=learner.id,
        version=(versions[0].version + 1) if versions else 1,
        submitted_at=now,
        days_late=late,
    )
    db.session.add(submission)
    db.session.flush()
    for link in checked:
        submission.items.append(SubmissionItem(kind=ItemKind.LINK, name=link[:255], url=link))
    stored: list[str] = []
    storage = get_storage()
    try:
        for found, data in sniffed:
            item = SubmissionItem(
                kind=ItemKind.FILE, name=found.name, content_type=found.content_type, size=len(data)
            )
            submission.items.append(item)
            db.session.flush()
            item.storage_key = f"projects/{project.id}/{submission.id}/{item.id}"
            storage.put_bytes(item.storage_key, data, "application/octet-stream")
            stored.append(item.storage_key)
        db.session.flush()
    except Exception:
        for key in stored:
            storage.delete(key)
        raise
    _tell_instructors(project, learner, submission)
    return submission


def _tell_instructors(project: Project, learner: User, submission: ProjectSubmission) -> None:
    instructors = db.session.scalars(
        select(CohortMember.user_id).where(
            CohortMember.cohort_id == project.cohort_id,
            CohortMember.role == CohortRole.INSTRUCTOR,
        )
    )
    url = url_for("projects.grade", submission_id=submission.id)
    for user_id in instructors:
        notify(
            user_id,
            "project.submitted",
            f"{learner.display_name} handed in “{project.title}” (version {submission.version})",
            url,
            email=Delivery.DIGEST,
        )


@dataclass(frozen=True)
class Grade:
    """A grader's decision: a level per criterion, comments, return or accept."""

    levels: Mapping[int, int]  # criterion id → level id
    comments: Mapping[int, str]  # criterion id → comment (Markdown)
    comment: str
    accept: bool


def grade(
    submission: ProjectSubmission, grader: User, decision: Grade, now: datetime | None = None
) -> None:
    """Grade the learner's latest version against the rubric, then return it for
    revision or accept it; the learner is told at once."""
    project = db.session.get_one(Project, submission.project_id)
    latest = history(project.id, submission.user_id)[0]
    if latest.id != submission.id or submission.status != SubmissionStatus.SUBMITTED:
        raise ProjectError("Only the latest version, not yet graded, can be graded.")
    chosen: dict[int, int] = {}
    for criterion in project.criteria:
        level_id = decision.levels.get(criterion.id)
        level = next((lv for lv in criterion.levels if lv.id == level_id), None)
        if level is None:
            raise ProjectError(f"Choose a level of “{criterion.title}”.", f"level_{criterion.id}")
        chosen[criterion.id] = level.points
    strangers = set(decision.levels) - set(chosen)
    if strangers:
        raise ProjectError(f"Not criteria of this project: {sorted(strangers)}.")
    points = rules.rubric_points(chosen, [c.id for c in project.criteria])
    per_day = project.penalty_percent if project.late_policy == LatePolicy.PENALTY else 0
    submission.points = points
    submission.penalty_percent = rules.penalty_percent(submission.days_late, per_day)
    submission.final_points = rules.final_points(points, submission.days_late, per_day)
    submission.comment = decision.comment
    submission.graded_by = grader.id
    submission.graded_at = now or utcnow()
    submission.status = SubmissionStatus.ACCEPTED if decision.accept else SubmissionStatus.RETURNED
    db.session.execute(
        delete(SubmissionScore).where(SubmissionScore.submission_id == submission.id)
    )
    db.session.add_all(
        SubmissionScore(
            submission_id=submission.id,
            criterion_id=c.id,
            level_id=decision.levels[c.id],
            comment=decision.comments.get(c.id, ""),
        )
        for c in project.criteria
    )
    db.session.flush()
    if decision.accept:
        title = f"“{project.title}” was accepted: {submission.final_points:g} points"
    else:
        title = f"“{project.title}” was returned for revision"
    notify(
        submission.user_id,
        "project.accepted" if decision.accept else "project.returned",
        title,
        url_for("projects.project", project_id=project.id),
        email=Delivery.NOW,
    )
    program_id = db.session.get_one(Cohort, project.cohort_id).program_id
    events.check_after_commit(submission.user_id, [program_id])
