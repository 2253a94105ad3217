"""Learning structure: topics and modules (micro), courses and programs (macro),
cohorts with live classes, attendance and exams (blended)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import str_enum, utcnow
from webapp.models.clip import Clip
from webapp.models.user import User
from webapp.models.video import Audience, Video


class Level(StrEnum):
    """How advanced a module, course or program is."""

    FOUNDATION = "foundation"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Topic(Model):
    """A subject area: Digital Marketing, Data Science, Cloud Computing…"""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)


# The catalogue's full-text document, as PostgreSQL renders it back when reflecting the GIN
# index (so Alembic's comparison sees no difference); ``%(p)s`` is a table prefix for
# queries. Keep in step with migration 0006.
SEARCH_DOCUMENT_TEMPLATE = (
    "to_tsvector('english'::regconfig, (((%(p)stitle::text || ' '::text) || "
    "%(p)sdescription) || ' '::text) || %(p)stags::text)"
)
SEARCH_DOCUMENT = SEARCH_DOCUMENT_TEMPLATE % {"p": ""}
SEARCH_INDEX = "ix_modules_search"
# The same text for trigram typo matches (``word_similarity``, index ``ix_modules_trigrams``
# of migration 0038, PostgreSQL only); ``%(p)s`` as above.
SEARCH_TEXT_TEMPLATE = (
    "((((%(p)stitle)::text || ' '::text) || %(p)sdescription) || ' '::text) || (%(p)stags)::text"
)
SEARCH_TEXT = SEARCH_TEXT_TEMPLATE % {"p": ""}
TRIGRAM_INDEX = "ix_modules_trigrams"


class Module(Model):
    """A micro-lesson in the catalogue: a whole video or a clip of one.

    Exactly one of ``video_id`` (a whole recording) and ``clip_id`` is the content; for
    a clip ``video_id`` also names its recording, so access rules can look at one place.
    """

    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("clip_id", name="uq_module_clip"),
        # PostgreSQL only (SQLite: FTS5, migration 0038); created by migration 0006.
        Index(SEARCH_INDEX, sql_text(SEARCH_DOCUMENT), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        # PostgreSQL only (SQLite has the FTS5 table modules_fts); migration 0038.
        # Alembic cannot compare an expression index's operator class (it warns and skips
        # the expression; postgresql_ops with a labelled expression reads as a difference).
        Index(
            TRIGRAM_INDEX, sql_text(f"({SEARCH_TEXT}) gin_trgm_ops"), postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.FOUNDATION, index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    duration: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    # Listed in the library; cohort recordings are modules too but not listed.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # None: by placement (program members while in a program's course, else everyone).
    audience: Mapped[Audience | None] = mapped_column(str_enum(Audience))
    # A program module anyone signed in may watch, without enrolling or prerequisites.
    free_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The owning organisation: with audience ORGANISATION, its people only.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )

    video: Mapped[Video] = relationship()
    clip: Mapped[Clip | None] = relationship()
    topic: Mapped[Topic | None] = relationship()

    @property
    def is_clip(self) -> bool:
        """A clip rather than a whole recording."""
        return self.clip_id is not None


class Course(Model):
    """An ordered list of modules."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.FOUNDATION)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    # The instructor who created it manages it (admins manage every course).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    items: Mapped[list[CourseModule]] = relationship(
        order_by="CourseModule.position", cascade="all, delete-orphan"
    )


class CourseModule(Model):
    """Position of a module in a course."""

    __tablename__ = "course_modules"
    __table_args__ = (UniqueConstraint("course_id", "module_id", name="uq_course_module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    module: Mapped[Module] = relationship()


class CoursePrerequisite(Model):
    """``course_id`` is locked until ``requires_id`` is completed."""

    __tablename__ = "course_prerequisites"
    __table_args__ = (UniqueConstraint("course_id", "requires_id", name="uq_course_prereq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    requires_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))


class Program(Model):
    """A learning path / program: ordered courses toward a certificate."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = mapped_column(str_enum(Level), default=Level.FOUNDATION)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    length_weeks: Mapped[int] = mapped_column(Integer, default=0)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    certificate: Mapped[str] = mapped_column(String(200), default="")
    # Open programs allow self-enrolment; company programs are enrolled by admins.
    self_enrol: Mapped[bool] = mapped_column(Boolean, default=True)
    # The owning organisation: with audience ORGANISATION, its people only.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )

    items: Mapped[list[ProgramCourse]] = relationship(
        order_by="ProgramCourse.position", cascade="all, delete-orphan"
    )


class ProgramCourse(Model):
    """Position of a course in a program."""

    __tablename__ = "program_courses"
    __table_args__ = (UniqueConstraint("program_id", "course_id", name="uq_program_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)

    course: Mapped[Course] = relationship()


class EnrollmentStatus(StrEnum):
    """Where an enrolment stands; only an ACTIVE one makes its learner a program member
    (``webapp.enrolment.membership.active_enrollment``)."""

    ACTIVE = "active"
    AWAITING_PAYMENT = "awaiting_payment"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Enrollment(Model):
    """A learner following a program (in ``cohort_id`` when they picked one)."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "program_id", name="uq_enrollment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[EnrollmentStatus] = mapped_column(
        str_enum(EnrollmentStatus),
        default=EnrollmentStatus.ACTIVE,
        server_default=EnrollmentStatus.ACTIVE.value,
        index=True,
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="SET NULL"), index=True
    )

    program: Mapped[Program] = relationship()


class CohortRole(StrEnum):
    """A member's part in a cohort."""

    LEARNER = "learner"
    INSTRUCTOR = "instructor"


class Cohort(Model):
    """One run of a program, with its members, live classes and exams."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Learner seats (None: unlimited); a full cohort offers its waitlist.
    seats: Mapped[int | None] = mapped_column(Integer)

    program: Mapped[Program] = relationship()


class CohortMember(Model):
    """A learner or instructor of a cohort."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_cohort_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[CohortRole] = mapped_column(str_enum(CohortRole), default=CohortRole.LEARNER)

    user: Mapped[User] = relationship()


class LiveClass(Model):
    """A scheduled live class of a cohort, or (no cohort) a public masterclass."""

    __tablename__ = "live_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    join_url: Mapped[str] = mapped_column(String(500), default="")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"))
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort | None] = relationship()
    recording: Mapped[Video | None] = relationship()

    @property
    def is_masterclass(self) -> bool:
        """Public masterclasses belong to no cohort."""
        return self.cohort_id is None


class AttendanceSource(StrEnum):
    """Who marked an attendance: the instructor, or the learner checking in."""

    INSTRUCTOR = "instructor"
    CHECK_IN = "check-in"


class Attendance(Model):
    """Who attended a live class (marked by the instructor or a check-in)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_attendance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("live_classes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[AttendanceSource] = mapped_column(
        str_enum(AttendanceSource), default=AttendanceSource.INSTRUCTOR
    )
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Exam(Model):
    """An exam date of a cohort; its scope is a set of modules."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Graded exams (webapp/exams): None means "not set" (all questions, no limit ...).
    question_count: Mapped[int | None] = mapped_column(Integer)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    attempts_limit: Mapped[int | None] = mapped_column(Integer)
    pass_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExamScope(Model):
    """A module an exam covers."""

    __tablename__ = "exam_scope"
    __table_args__ = (UniqueConstraint("exam_id", "module_id", name="uq_exam_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))

    module: Mapped[Module] = relationship()
