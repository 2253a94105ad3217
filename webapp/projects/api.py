"""Projects over the API: a project as its cohort sees it (with the caller's versions),
and grading a version against the rubric (the cohort's instructors, admins). Hand-ins
are the page's (a multipart form with files)."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import g
from pydantic import Field

from webapp.access import cohort_project_or_404, grading_submission_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.extensions import db
from webapp.markdown import html_problem, to_html
from webapp.models import Cohort, Project, ProjectSubmission
from webapp.problems import ApiError, FieldError
from webapp.projects import queries, services

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Comment = Annotated[str, Field(max_length=services.COMMENT_MAX)]


class LevelOut(Output):
    """A level of a criterion."""

    id: int
    title: str
    points: int


class CriterionOut(Output):
    """A criterion of the rubric with its levels."""

    id: int
    title: str
    levels: list[LevelOut]


class ScoreOut(Output):
    """The level chosen for a criterion, with the grader's comment as sanitised HTML."""

    criterion_id: int
    level_id: int
    comment_html: str


class SubmissionOut(Output):
    """One version of a hand-in."""

    id: int
    version: int
    status: str = Field(description="submitted, returned (for revision) or accepted")
    submitted_at: Timestamp
    days_late: int
    points: int | None = Field(description="The rubric's points, before any late penalty.")
    penalty_percent: int
    final_points: float | None
    comment_html: str
    scores: list[ScoreOut]
    files: list[str] = Field(description="Download links (attachments).")
    links: list[str]

    @classmethod
    def of(cls, s: ProjectSubmission) -> SubmissionOut:
        """The shape of ``s``."""
        return cls(
            id=s.id,
            version=s.version,
            status=s.status.value,
            submitted_at=s.submitted_at,
            days_late=s.days_late,
            points=s.points,
            penalty_percent=s.penalty_percent,
            final_points=s.final_points,
            comment_html=to_html(s.comment),
            scores=[
                ScoreOut(
                    criterion_id=x.criterion_id,
                    level_id=x.level_id,
                    comment_html=to_html(x.comment),
                )
                for x in s.scores
            ],
            files=[f"/projects/files/{i.id}" for i in s.items if i.kind == "file"],
            links=[i.url for i in s.items if i.kind == "link"],
        )


class ProjectOut(Output):
    """A project: brief, due date, rubric, pass mark, late policy; the caller's versions."""

    id: int
    cohort_id: int
    title: str
    brief_html: str
    due_at: Timestamp
    time_zone: str = Field(description="The cohort's: the due date is set and shown in it.")
    pass_mark: int
    max_points: int
    late_policy: str = Field(description="accept, penalty or refuse")
    penalty_percent: int = Field(description="Per started day late (penalty policy).")
    criteria: list[CriterionOut]
    versions: list[SubmissionOut] = Field(description="The caller's versions, newest first.")

    @classmethod
    def of(cls, p: Project, user_id: int) -> ProjectOut:
        """``p`` as ``user_id`` sees it."""
        cohort = db.session.get_one(Cohort, p.cohort_id)
        return cls(
            id=p.id,
            cohort_id=p.cohort_id,
            title=p.title,
            brief_html=to_html(p.brief),
            due_at=p.due_at,
            time_zone=cohort.time_zone,
            pass_mark=p.pass_mark,
            max_points=queries.max_points_of(p),
            late_policy=p.late_policy.value,
            penalty_percent=p.penalty_percent,
            criteria=[
                CriterionOut(
                    id=c.id,
                    title=c.title,
                    levels=[
                        LevelOut(id=lv.id, title=lv.title, points=lv.points) for lv in c.levels
                    ],
                )
                for c in p.criteria
            ],
            versions=[SubmissionOut.of(s) for s in services.history(p.id, user_id)],
        )


class ScoreIn(Input):
    """The level chosen for one criterion, and a comment (Markdown)."""

    criterion_id: Id
    level_id: Id
    comment: Comment = ""


class GradeIn(Input):
    """A grade: a level per criterion, an overall comment, and the decision."""

    scores: list[ScoreIn] = Field(max_length=50)
    comment: Comment = ""
    decision: Literal["return", "accept"]


@operation(bp, "GET", "/projects/<int:project_id>", responses={200: ProjectOut}, errors=(404,))
def get_project(project_id: int) -> ProjectOut:
    """A project of a cohort (its members, admins), with the caller's versions."""
    project, _role = cohort_project_or_404(project_id, g.user)
    return ProjectOut.of(project, g.user.id)


def _no_script(body: GradeIn) -> None:
    texts = {"comment": body.comment} | {
        f"scores.{i}.comment": s.comment for i, s in enumerate(body.scores)
    }
    bad = [
        FieldError(name, problem)
        for name, text in texts.items()
        if (problem := html_problem(text)) is not None
    ]
    if bad:
        raise ApiError(400, "Raw HTML is not allowed in comments.", bad)


@operation(
    bp,
    "POST",
    "/project-submissions/<int:submission_id>/grade",
    body=GradeIn,
    responses={200: SubmissionOut},
    errors=(403, 404),
)
def grade_submission(submission_id: int, body: GradeIn) -> SubmissionOut:
    """Grade the learner's latest version against the rubric, then return it for
    revision or accept it (the cohort's instructors, admins); the learner is told."""
    submission = grading_submission_or_404(submission_id, g.user)
    _no_script(body)
    if len({s.criterion_id for s in body.scores}) != len(body.scores):
        raise ApiError(400, "one score per criterion", [FieldError("scores", "a criterion twice")])
    decision = services.Grade(
        levels={s.criterion_id: s.level_id for s in body.scores},
        comments={s.criterion_id: s.comment for s in body.scores},
        comment=body.comment,
        accept=body.decision == "accept",
    )
    try:
        services.grade(submission, g.user, decision)
    except services.ProjectError as exc:
        db.session.rollback()
        raise ApiError(400, str(exc), [FieldError("scores", str(exc))]) from None
    db.session.commit()
    return SubmissionOut.of(submission)
