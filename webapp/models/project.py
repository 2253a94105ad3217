"""Projects (issue 21): a cohort's hand-in with a brief, a due date, a rubric and a late
policy; the learners' submissions (every version kept), their files and links, and the
instructors' rubric grades.

A project belongs to a cohort (like an exam): its due date is typed and shown in the
cohort's time zone, its learners are the cohort's learners and its graders the cohort's
instructors. (The model ``Assignment`` is an organisation's content assignment.)"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow


class LatePolicy(StrEnum):
    """What happens to work handed in after the due date."""

    ACCEPT = "accept"
    PENALTY = "penalty"  # accepted, minus ``penalty_percent`` of the points per day late
    REFUSE = "refuse"


class SubmissionStatus(StrEnum):
    """Where a submitted version stands."""

    SUBMITTED = "submitted"
    RETURNED = "returned"  # graded and sent back for revision: a new version may follow
    ACCEPTED = "accepted"  # graded and final


class ItemKind(StrEnum):
    """A submission holds files and links."""

    FILE = "file"
    LINK = "link"


class Project(Model):
    """A project of a cohort."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    brief: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pass_mark: Mapped[int] = mapped_column(Integer, default=0)
    late_policy: Mapped[LatePolicy] = mapped_column(str_enum(LatePolicy), default=LatePolicy.ACCEPT)
    penalty_percent: Mapped[int] = mapped_column(Integer, default=0)  # per day late
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    criteria: Mapped[list[RubricCriterion]] = relationship(
        order_by="RubricCriterion.position", cascade="all, delete-orphan"
    )


class RubricCriterion(Model):
    """A criterion of a project's rubric."""

    __tablename__ = "rubric_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))

    levels: Mapped[list[RubricLevel]] = relationship(
        order_by="RubricLevel.position", cascade="all, delete-orphan"
    )


class RubricLevel(Model):
    """A level of a criterion and the points it gives."""

    __tablename__ = "rubric_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)


class ProjectSubmission(Model):
    """One version of a learner's hand-in, with its grade once graded."""

    __tablename__ = "project_submissions"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "version", name="uq_project_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    days_late: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus), default=SubmissionStatus.SUBMITTED
    )
    points: Mapped[int | None] = mapped_column(Integer)  # the rubric's, before any penalty
    penalty_percent: Mapped[int] = mapped_column(Integer, default=0)
    final_points: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")  # overall feedback (Markdown)
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[SubmissionItem]] = relationship(
        order_by="SubmissionItem.id", cascade="all, delete-orphan"
    )
    scores: Mapped[list[SubmissionScore]] = relationship(cascade="all, delete-orphan")


class SubmissionItem(Model):
    """A file (in the media storage) or a link of a submission."""

    __tablename__ = "submission_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("project_submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    name: Mapped[str] = mapped_column(String(255))  # download name, or the link itself
    url: Mapped[str] = mapped_column(String(500), default="")
    storage_key: Mapped[str] = mapped_column(String(300), default="")
    content_type: Mapped[str] = mapped_column(
        String(120), default=""
    )  # sniffed, never the client's
    size: Mapped[int] = mapped_column(Integer, default=0)


class SubmissionScore(Model):
    """The level a grader chose for one criterion, with a comment."""

    __tablename__ = "submission_scores"
    __table_args__ = (
        UniqueConstraint("submission_id", "criterion_id", name="uq_submission_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("project_submissions.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_levels.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text, default="")


class CertificateRuleProject(Model):
    """A project a program's certificate rule requires the learner to pass."""

    __tablename__ = "certificate_rule_projects"
    __table_args__ = (UniqueConstraint("program_id", "project_id", name="uq_rule_project"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_rules.program_id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
