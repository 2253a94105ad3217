"""Report rows and series as SQL aggregates: one statement for the learners' rows and the
completions over time together, whatever the number of learners and modules.

Per learner, over the path's modules (a module in two courses counts twice, as in
``webapp.learning.rollups``):

* progress: modules completed over modules of the path, floored to a whole percent;
* status: ``completed`` when every module is, ``in_progress`` once any module was
  watched or completed, else ``not_started``;
* completion date: the latest module completion, once every module is completed;
* time watched: distinct seconds watched, each module capped at its duration;
* missed classes: ended live classes of the report's cohorts (the learner's ones) without
  a "present" mark; caught up: those whose recording the learner has since completed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import (
    CTE,
    ColumnElement,
    ColumnExpressionArgument,
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union,
    union_all,
)

from webapp.cohorts.windows import has_ended
from webapp.enrolment.membership import active_enrollment
from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortRole,
    CourseModule,
    Enrollment,
    LiveClass,
    Module,
    ProgramCourse,
    User,
    WatchProgress,
)
from webapp.models.base import utcnow
from webapp.reports.filters import ReportFilters, Status
from webapp.reports.scope import ReportScope

DAILY_MAX_DAYS = 62
WEEKLY_MAX_DAYS = 2 * 366


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line of a report."""

    user_id: int
    name: str
    email: str
    status: Status
    percent: int
    completed_modules: int
    total_modules: int
    completed_at: datetime | None
    watched_seconds: float
    missed_classes: int
    caught_up: int

    @property
    def display_name(self) -> str:
        """The name, falling back to the e-mail address."""
        return self.name or self.email

    @property
    def completion_date(self) -> date | None:
        """The UTC day the path was completed."""
        if self.completed_at is None:
            return None
        moment = self.completed_at
        return (
            (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC).date()
        )


Unit = Literal["day", "week", "month"]


@dataclass(frozen=True)
class SeriesPoint:
    """Completions in one period (a day, a week from Monday, or a month)."""

    start: date
    label: str
    unit: Unit
    modules: int  # module completions by the report's learners
    learners: int  # learners who completed the path
    cumulative: int  # learners who completed the path up to the end of the period


@dataclass(frozen=True)
class Report:
    """A report: its rows, the number of modules of the path, completions over time."""

    rows: list[LearnerRow]
    total_modules: int
    series: list[SeriesPoint]

    @property
    def completed(self) -> int:
        """Learners who completed the path."""
        return sum(1 for r in self.rows if r.status == Status.COMPLETED)


# ----------------------------------------------------------------------------- pieces


def utc_day(column: ColumnExpressionArgument[datetime | None]) -> ColumnElement[date]:
    """The UTC calendar day of a stored timestamp, in SQL."""
    if db.engine.dialect.name == "postgresql":
        # A literal, not a bound parameter: GROUP BY must repeat the same expression.
        return cast(func.timezone(literal_column("'UTC'"), column), Date)
    return func.date(column, type_=Date)


def _slots(program_id: int, name: str = "slots") -> CTE:
    """The path's modules, one row each (grouped first, so the planner joins the progress
    rows to a small table): the video, the clip (0 for a whole video), the duration, and
    how many places in the path's courses the module has (a module in two courses counts
    twice, as in the rollups)."""
    clip_key = func.coalesce(Module.clip_id, 0)
    duration = func.coalesce(Module.duration, 0.0)
    return (
        select(
            Module.video_id.label("video_id"),
            clip_key.label("clip_key"),
            duration.label("duration"),
            func.count().label("places"),
        )
        .join(CourseModule, CourseModule.module_id == Module.id)
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .where(ProgramCourse.program_id == program_id)
        .group_by(Module.video_id, clip_key, duration)
        .cte(name)
    )


def _on_slot(slots: CTE) -> ColumnElement[bool]:
    """Join condition: a progress row is on a module of the path."""
    return and_(
        slots.c.video_id == WatchProgress.video_id,
        slots.c.clip_key == func.coalesce(WatchProgress.clip_id, 0),
    )


def _learners(program_id: int, cohort_ids: list[int] | None) -> CTE:
    """User ids of the learners covered: of the given cohorts, or (None) everyone
    enrolled in the path or a learner of one of its cohorts."""
    members = select(CohortMember.user_id.label("user_id")).where(
        CohortMember.role == CohortRole.LEARNER
    )
    if cohort_ids is not None:
        return members.where(CohortMember.cohort_id.in_(cohort_ids)).distinct().cte("learners")
    members = members.join(Cohort, Cohort.id == CohortMember.cohort_id).where(
        Cohort.program_id == program_id
    )
    enrolled = select(Enrollment.user_id.label("user_id")).where(
        Enrollment.program_id == program_id, active_enrollment()
    )
    return union(members, enrolled).cte("learners")


def ended_class_ids(cohort_ids: Sequence[int], now: datetime) -> list[int]:
    """Ids of the live classes of these cohorts that are over (one query over classes)."""
    if not cohort_ids:
        return []
    classes = db.session.scalars(
        select(LiveClass).where(
            LiveClass.cohort_id.in_(list(cohort_ids)), LiveClass.starts_at < now
        )
    ).all()
    return [c.id for c in classes if has_ended(c, now)]


def _progress(slots: CTE, learners: CTE):
    watched = WatchProgress.watched_seconds
    capped = case((watched > slots.c.duration, slots.c.duration), else_=watched)
    places = slots.c.places
    return (
        select(
            WatchProgress.user_id.label("user_id"),
            func.sum(case((WatchProgress.completed_at.is_not(None), places), else_=0)).label(
                "completed"
            ),
            func.max(WatchProgress.completed_at).label("last_completed"),
            func.sum(capped * places).label("watched"),
            func.sum(case((watched > 0, places), else_=0)).label("started"),
        )
        .join(slots, _on_slot(slots))
        .where(WatchProgress.user_id.in_(select(learners.c.user_id)))
        .group_by(WatchProgress.user_id)
        .subquery("progress")
    )


def _missed(cohort_ids: list[int], class_ids: list[int]):
    recording = WatchProgress.__table__.alias("recording")
    present = and_(
        Attendance.class_id == LiveClass.id,
        Attendance.user_id == CohortMember.user_id,
        Attendance.present.is_(True),
    )
    return (
        select(
            CohortMember.user_id.label("user_id"),
            func.count(LiveClass.id).label("missed"),
            func.count(recording.c.completed_at).label("caught_up"),
        )
        .join(LiveClass, LiveClass.cohort_id == CohortMember.cohort_id)
        .outerjoin(Attendance, present)
        .outerjoin(
            recording,
            and_(
                recording.c.user_id == CohortMember.user_id,
                recording.c.video_id == LiveClass.recording_id,
                recording.c.clip_id.is_(None),
            ),
        )
        .where(
            CohortMember.role == CohortRole.LEARNER,
            CohortMember.cohort_id.in_(cohort_ids) if cohort_ids else false(),
            LiveClass.id.in_(class_ids) if class_ids else false(),
            Attendance.id.is_(None),
        )
        .group_by(CohortMember.user_id)
        .subquery("missed")
    )


def total_modules(program_id: int) -> int:
    """Modules of the path, counted per place in a course (one query)."""
    return db.session.scalars(
        select(func.count(CourseModule.id))
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .where(ProgramCourse.program_id == program_id)
    ).one()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# ----------------------------------------------------------------------------- the report


def report_query(scope: ReportScope, filters: ReportFilters, total: int, now: datetime) -> Select:
    """The learners' rows of the report as one SELECT (filtered; ``sort_name`` orders)."""
    program_id = scope.program.id
    slots = _slots(program_id)
    learners = _learners(program_id, scope.cohort_ids(filters.cohort_id))
    class_cohorts = scope.class_cohort_ids(filters.cohort_id)
    progress = _progress(slots, learners)
    missed = _missed(class_cohorts, ended_class_ids(class_cohorts, now))

    completed = func.coalesce(progress.c.completed, 0)
    done = and_(literal(total) > 0, completed >= total)
    status = case(
        (done, Status.COMPLETED.value),
        (or_(func.coalesce(progress.c.started, 0) > 0, completed > 0), Status.IN_PROGRESS.value),
        else_=Status.NOT_STARTED.value,
    )
    completion = case((done, progress.c.last_completed), else_=None)
    percent = (completed * 100 // total) if total else literal(0)
    query = (
        select(
            User.id,
            User.name,
            User.email,
            status.label("status"),
            percent.label("percent"),
            completed.label("completed"),
            completion.label("completed_at"),
            func.coalesce(progress.c.watched, 0.0).label("watched"),
            func.coalesce(missed.c.missed, 0).label("missed"),
            func.coalesce(missed.c.caught_up, 0).label("caught_up"),
            func.lower(func.coalesce(func.nullif(User.name, ""), User.email), type_=String).label(
                "sort_name"
            ),
        )
        .join(learners, learners.c.user_id == User.id)
        .outerjoin(progress, progress.c.user_id == User.id)
        .outerjoin(missed, missed.c.user_id == User.id)
    )
    if filters.status is not None:
        query = query.where(status == filters.status.value)
    if filters.search:
        pattern = contains(filters.search)
        query = query.where(
            or_(
                User.name.ilike(pattern, escape=LIKE_ESCAPE),
                User.email.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if filters.completed_from is not None:
        query = query.where(completion >= _day_start(filters.completed_from))
    if filters.completed_to is not None:
        query = query.where(completion < _day_start(filters.completed_to + timedelta(days=1)))
    return query


ROWS, MODULE_DAYS, PATH_DAYS = 0, 1, 2


def build_report(
    scope: ReportScope,
    filters: ReportFilters,
    now: datetime | None = None,
    *,
    with_series: bool = True,
) -> Report:
    """The report's rows and, ``with_series``, its completions over time: three queries
    (ended classes, module count, then one statement for rows and series together, so
    that the per-learner aggregate is computed once)."""
    now = now or utcnow()
    total = total_modules(scope.program.id)
    report = report_query(scope, filters, total, now).cte("report")
    no_day = (cast(null(), Date).label("day"), cast(null(), Integer).label("n"))
    parts = [select(literal(ROWS).label("part"), *report.c, *no_day)]
    if with_series:
        parts += _series_parts(scope, filters, report)
    statement = union_all(*parts).order_by(
        *(literal_column(name) for name in ("part", "sort_name", "email", "id", "day"))
    )
    rows: list[LearnerRow] = []
    counts: dict[int, dict[date, int]] = {MODULE_DAYS: {}, PATH_DAYS: {}}
    for r in db.session.execute(statement).all():
        if r.part == ROWS:
            rows.append(_row(r, total))
        else:
            counts[r.part][r.day] = int(r.n)
    series = periodize(counts[MODULE_DAYS], counts[PATH_DAYS]) if with_series else []
    return Report(rows, total, series)


def _blank(report: CTE) -> list:
    """The report's columns as typed NULLs, so that the parts of the UNION line up."""
    return [cast(null(), c.type).label(c.name) for c in report.c]


def _series_parts(scope: ReportScope, filters: ReportFilters, report: CTE) -> list[Select]:
    """Module completions of the report's learners per day (within the completion range
    if one is given) and path completions per day, as parts of the report's UNION."""
    slots = _slots(scope.program.id, "series_slots")
    day = utc_day(WatchProgress.completed_at)
    modules = (
        select(literal(MODULE_DAYS), *_blank(report), day.label("day"), func.count().label("n"))
        .join(slots, _on_slot(slots))
        .where(
            WatchProgress.user_id.in_(select(report.c.id)),
            WatchProgress.completed_at.is_not(None),
        )
        .group_by(day)
    )
    if filters.completed_from is not None:
        modules = modules.where(WatchProgress.completed_at >= _day_start(filters.completed_from))
    if filters.completed_to is not None:
        end = _day_start(filters.completed_to + timedelta(days=1))
        modules = modules.where(WatchProgress.completed_at < end)
    path_day = utc_day(report.c.completed_at)
    paths = (
        select(literal(PATH_DAYS), *_blank(report), path_day.label("day"), func.count().label("n"))
        .where(report.c.completed_at.is_not(None))
        .group_by(path_day)
    )
    return [modules, paths]


def _row(r, total: int) -> LearnerRow:
    return LearnerRow(
        user_id=r.id,
        name=r.name or "",
        email=r.email,
        status=Status(r.status),
        percent=int(r.percent or 0),
        completed_modules=int(r.completed),
        total_modules=total,
        completed_at=r.completed_at,
        watched_seconds=float(r.watched or 0.0),
        missed_classes=int(r.missed),
        caught_up=int(r.caught_up),
    )


# ----------------------------------------------------------------------------- over time


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _label(start: date, unit: str) -> str:
    if unit == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def periodize(modules: dict[date, int], paths: dict[date, int]) -> list[SeriesPoint]:
    """Counts per day, or per week (from Monday) when the days span more than
    ``DAILY_MAX_DAYS``, or per month beyond ``WEEKLY_MAX_DAYS``; every period between the
    first and the last is listed (zeros included), with the running total of path
    completions. Loops over periods, never over rows."""
    days = [*modules, *paths]
    if not days:
        return []
    first, last = min(days), max(days)
    span = (last - first).days + 1
    unit: Unit = "day" if span <= DAILY_MAX_DAYS else "week" if span <= WEEKLY_MAX_DAYS else "month"
    module_counts: dict[date, int] = defaultdict(int)
    path_counts: dict[date, int] = defaultdict(int)
    for day, count in modules.items():
        module_counts[_period_start(day, unit)] += count
    for day, count in paths.items():
        path_counts[_period_start(day, unit)] += count
    points: list[SeriesPoint] = []
    start, running = _period_start(first, unit), 0
    while start <= last:
        running += path_counts[start]
        points.append(
            SeriesPoint(
                start, _label(start, unit), unit, module_counts[start], path_counts[start], running
            )
        )
        start = _next_period(start, unit)
    return points
