"""Who may see a video or a module, as SQL conditions (the one definition).

Every surface asks the same questions through these conditions: ``decision.py`` runs them
for one object, list queries (library, search, API) put them in their WHERE clause. The
rules, for a signed-in user who is not an admin:

* **Instructors of the content** always see it: the video's owner, the creator of a
  course containing the module, the instructors of the cohort whose class recorded it
  and of the cohorts of a program containing it.
* Everyone else sees a **video** when its audience lets them (OPEN: everyone; PROGRAM:
  members of a program containing one of its modules, or its own module is a free
  preview; COHORT: members of the cohort whose class recorded it; ORGANISATION: the
  members and managers of its owning organisation; INSTRUCTORS: nobody else), a
  cohort's recording only if they are in that cohort, and its whole-recording module's
  own audience lets them too.
* A **module** needs its recording's rule *and* its own audience (unset: program members
  while it is in a program's course, else everyone; PROGRAM: program members; a free
  preview opens a PROGRAM or unset module to everyone). So a clip never reaches further
  than its recording.

"Member of a program": enrolled in it, or a member (learner or instructor) of one of its
cohorts. Prerequisites do not hide anything: they lock (``decision.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    CompoundSelect,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from webapp.enrolment.membership import active_enrollment
from webapp.models import (
    Audience,
    Cohort,
    CohortMember,
    CohortRole,
    Course,
    CourseModule,
    Enrollment,
    LiveClass,
    Module,
    OrganisationMember,
    ProgramCourse,
    User,
    Video,
)


def member_programs(user: User) -> CompoundSelect:
    """Ids of the programs ``user`` is a member of: actively enrolled (not waitlisted,
    unpaid or cancelled), or in one of its cohorts."""
    enrolled = select(Enrollment.program_id).where(
        Enrollment.user_id == user.id, active_enrollment()
    )
    in_cohort = (
        select(Cohort.program_id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
    )
    return enrolled.union(in_cohort)


def _recording_cohort_member(
    video_id: ColumnExpressionArgument[int], user: User, role: str | None = None
):
    """``video_id`` is the recording of a class of a cohort ``user`` belongs to."""
    conditions = [
        LiveClass.recording_id == video_id,
        LiveClass.cohort_id.is_not(None),
        CohortMember.cohort_id == LiveClass.cohort_id,
        CohortMember.user_id == user.id,
    ]
    if role is not None:
        conditions.append(CohortMember.role == role)
    return exists().where(*conditions)


def _in_organisation(organisation_id: ColumnExpressionArgument[int | None], user: User):
    """``user`` is a member or a manager of the organisation ``organisation_id`` (NULL:
    nobody's)."""
    return exists().where(
        OrganisationMember.organisation_id == organisation_id,
        OrganisationMember.user_id == user.id,
    )


def _is_cohort_recording(video_id: ColumnExpressionArgument[int]):
    return exists().where(LiveClass.recording_id == video_id, LiveClass.cohort_id.is_not(None))


def _module_in_a_program(module_id: ColumnExpressionArgument[int]):
    return exists().where(
        CourseModule.module_id == module_id, ProgramCourse.course_id == CourseModule.course_id
    )


def _module_in_member_program(module_id: ColumnExpressionArgument[int], user: User):
    return exists().where(
        CourseModule.module_id == module_id,
        ProgramCourse.course_id == CourseModule.course_id,
        ProgramCourse.program_id.in_(member_programs(user)),
    )


def module_audience_rule(module: type[Module], user: User) -> ColumnElement[bool]:
    """SQL on ``module`` (the class or an alias): its own audience lets ``user`` in.
    Never NULL (each comparison is guarded), as it is also used negated."""
    open_to_members = or_(module.free_preview.is_(True), _module_in_member_program(module.id, user))
    unset = module.audience.is_(None)

    def audience_is(value: Audience) -> ColumnElement[bool]:
        return and_(~unset, module.audience == value)

    return or_(
        audience_is(Audience.OPEN),
        and_(unset, or_(~_module_in_a_program(module.id), open_to_members)),
        and_(audience_is(Audience.PROGRAM), open_to_members),
        and_(audience_is(Audience.COHORT), _recording_cohort_member(module.video_id, user)),
        and_(audience_is(Audience.ORGANISATION), _in_organisation(module.organisation_id, user)),
    )


def video_audience_rule(video: type[Video], user: User) -> ColumnElement[bool]:
    """SQL on ``video`` (the class or an alias): ``user`` is in the recording's audience
    (its cohort if it is a cohort's recording, its audience, its whole module's)."""
    any_module = aliased(Module)
    whole = aliased(Module)
    in_member_program = exists().where(
        any_module.video_id == video.id,
        CourseModule.module_id == any_module.id,
        ProgramCourse.course_id == CourseModule.course_id,
        ProgramCourse.program_id.in_(member_programs(user)),
    )
    whole_preview = exists().where(
        whole.video_id == video.id, whole.clip_id.is_(None), whole.free_preview.is_(True)
    )
    own = or_(
        video.audience == Audience.OPEN,
        and_(video.audience == Audience.PROGRAM, or_(in_member_program, whole_preview)),
        and_(video.audience == Audience.COHORT, _recording_cohort_member(video.id, user)),
        and_(
            video.audience == Audience.ORGANISATION,
            _in_organisation(video.organisation_id, user),
        ),
    )
    whole_refuses = exists().where(
        whole.video_id == video.id,
        whole.clip_id.is_(None),
        ~module_audience_rule(whole, user),
    )
    cohort_private = and_(_is_cohort_recording(video.id), ~_recording_cohort_member(video.id, user))
    return and_(own, ~cohort_private, ~whole_refuses)


def _teaches_module_id(module_id: ColumnExpressionArgument[int], user: User):
    """``user`` created a course containing the module, or teaches a cohort of a program
    containing it."""
    created = exists().where(
        CourseModule.module_id == module_id,
        Course.id == CourseModule.course_id,
        Course.created_by == user.id,
    )
    teaches_program = exists().where(
        CourseModule.module_id == module_id,
        ProgramCourse.course_id == CourseModule.course_id,
        Cohort.program_id == ProgramCourse.program_id,
        CohortMember.cohort_id == Cohort.id,
        CohortMember.user_id == user.id,
        CohortMember.role == CohortRole.INSTRUCTOR,
    )
    return or_(created, teaches_program)


def teaches_video_rule(video: type[Video], user: User) -> ColumnElement[bool]:
    """SQL on ``video``: ``user`` is one of its instructors (owner, its cohort's
    instructors, the instructors of content made of it)."""
    any_module = aliased(Module)
    return or_(
        video.owner_id == user.id,
        _recording_cohort_member(video.id, user, CohortRole.INSTRUCTOR),
        exists().where(
            any_module.video_id == video.id,
            any_module.clip_id.is_(None),
            _teaches_module_id(any_module.id, user),
        ),
    )


def teaches_module_rule(module: type[Module], user: User) -> ColumnElement[bool]:
    """SQL on ``module``: ``user`` is one of its instructors (or its recording's)."""
    recording = aliased(Video)
    return or_(
        exists().where(recording.id == module.video_id, recording.owner_id == user.id),
        _recording_cohort_member(module.video_id, user, CohortRole.INSTRUCTOR),
        _teaches_module_id(module.id, user),
    )


def visible_video_rule(user: User, video: type[Video] = Video) -> ColumnElement[bool]:
    """SQL on ``video``: ``user`` may see it (state aside: that is the caller's filter)."""
    if not user.is_authenticated:
        return false()
    if user.is_admin:
        return true()
    return or_(teaches_video_rule(video, user), video_audience_rule(video, user))


def visible_module_rule(user: User, module: type[Module] = Module) -> ColumnElement[bool]:
    """SQL on ``module``: ``user`` may see it (its recording's rule and its own)."""
    if not user.is_authenticated:
        return false()
    if user.is_admin:
        return true()
    recording = aliased(Video)
    recording_ok = exists().where(
        recording.id == module.video_id,
        video_audience_rule(recording, user),
    )
    return or_(
        teaches_module_rule(module, user),
        and_(recording_ok, module_audience_rule(module, user)),
    )
