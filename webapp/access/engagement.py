"""Engagement (issue 21): notifications, questions at the moment, in-video quizzes,
graded exams and projects."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, Select, or_, select

from webapp.access.cohorts import (
    _cohort_role,
    may_manage_cohorts,
    teaching_cohort_or_404,
    teaching_exam_or_404,
)
from webapp.access.media import managed_video_or_404
from webapp.audiences.decision import (
    HIDDEN,
    decide_clip,
    decide_video,
)
from webapp.extensions import db
from webapp.models import (
    Clip,
    Cohort,
    CohortMember,
    CohortRole,
    Course,
    Exam,
    LiveClass,
    Module,
    User,
    Video,
)

# --- issue 21: notifications
# A notification is its recipient's alone: anyone else (admins too) gets 404 for its id.
from webapp.models.notification import Notification  # noqa: E402  (this section's own import)


def may_read_notification(user: User, notification: Notification) -> bool:
    """Whether ``user`` may see, open or mark ``notification``: its recipient only."""
    return bool(getattr(user, "is_authenticated", True)) and notification.user_id == user.id


# --- issue 21: questions
# A question is seen by exactly the audience of its video (``video_or_404``; on a clip
# ``clip_decision_or_abort``). "Instructors of the content" answer and moderate: the
# video's owner, the creators of the courses holding it (whole or as a clip), the
# instructors of cohorts whose program holds such a course or whose class it records,
# and admins. Learners answer only where the video lets peers answer.


def _content_instructor_rules(video_id: ColumnElement[int] | int) -> list[Select]:
    """SELECTs of user ids teaching the content of ``video_id`` (see the comment above)."""
    from webapp.models import ProgramCourse
    from webapp.models.learning import CourseModule

    course_ids = (
        select(CourseModule.course_id)
        .join(Module, Module.id == CourseModule.module_id)
        .where(Module.video_id == video_id)
    )
    owner = select(Video.owner_id).where(Video.id == video_id)
    creators = select(Course.created_by).where(
        Course.id.in_(course_ids), Course.created_by.is_not(None)
    )
    teaches_program = select(CohortMember.user_id).where(
        CohortMember.role == CohortRole.INSTRUCTOR,
        CohortMember.cohort_id.in_(
            select(Cohort.id).where(
                Cohort.program_id.in_(
                    select(ProgramCourse.program_id).where(ProgramCourse.course_id.in_(course_ids))
                )
            )
        ),
    )
    teaches_class = select(CohortMember.user_id).where(
        CohortMember.role == CohortRole.INSTRUCTOR,
        CohortMember.cohort_id.in_(
            select(LiveClass.cohort_id).where(LiveClass.recording_id == video_id)
        ),
    )
    return [owner, creators, teaches_program, teaches_class]


def content_instructor_ids(video: Video) -> set[int]:
    """Who teaches ``video`` (admins aside): they are told of new questions."""
    ids: set[int] = set()
    for rule in _content_instructor_rules(video.id):
        ids.update(i for i in db.session.scalars(rule) if i is not None)
    return ids


def can_moderate_questions(user: User, video: Video) -> bool:
    """Instructors of the content and admins answer, accept, resolve, hide, lock, delete."""
    if not user.is_authenticated:
        return False
    return user.is_admin or user.id in content_instructor_ids(video)


def can_answer_question(user: User, video: Video, peers_may_answer: bool) -> bool:
    """Moderators always; anyone who sees the video when it lets peers answer."""
    return can_moderate_questions(user, video) or (user.is_authenticated and peers_may_answer)


def taught_video_rule(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Video``: videos whose content ``user`` teaches (all: admins)."""
    from webapp.models import ProgramCourse
    from webapp.models.learning import CourseModule

    if user.is_admin:
        return Video.id.is_not(None)
    in_course = select(Module.video_id).join(CourseModule, CourseModule.module_id == Module.id)
    teaching = select(CohortMember.cohort_id).where(
        CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR
    )
    created = in_course.join(Course, Course.id == CourseModule.course_id).where(
        Course.created_by == user.id
    )
    in_program = (
        in_course.join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .join(Cohort, Cohort.program_id == ProgramCourse.program_id)
        .where(Cohort.id.in_(teaching))
    )
    recorded = select(LiveClass.recording_id).where(LiveClass.cohort_id.in_(teaching))
    return or_(
        Video.owner_id == user.id,
        Video.id.in_(created),
        Video.id.in_(in_program),
        Video.id.in_(recorded),
    )


def can_use_question_inbox(user: User) -> bool:
    """Instructors, cohort instructors and admins open the questions inbox."""
    return user.is_authenticated and (user.can_upload or may_manage_cohorts(user))


def question_video_or_404(video_id: int, clip_id: int | None, user: User) -> Video:
    """The video of a question ``user`` may see: its video's audience, or (a question
    asked on a clip) the clip's. 404 otherwise; 403 with the reason when locked."""
    video = db.session.get(Video, video_id)
    decision = decide_video(user, video) if video is not None else HIDDEN
    if video is not None and not decision.visible and clip_id is not None:
        clip = db.session.get(Clip, clip_id)
        decision = decide_clip(user, clip) if clip is not None else HIDDEN
    if video is None or not decision.visible:
        abort(404, "No such question.")
    if decision.locked_reason:
        abort(403, decision.locked_reason)
    return video


# --- issue 21: quizzes
# A video's quiz questions are authored by whoever manages the video; learners see and
# answer them with exactly the video's audience, or the audience of a clip of it whose
# range holds the question's moment (a clip shows the questions inside it).


def quiz_question_or_404(question_id: int, user: User):
    """The quiz question if ``user`` may answer it: they may watch its video, or a clip of
    it that holds its moment; 404 when they may see neither (ids do not leak), 403 with the
    reason when what they see is locked."""
    from webapp.models import QuizQuestion

    question = db.session.get(QuizQuestion, question_id)
    if question is None:
        abort(404, "No such question.")
    video = db.session.get(Video, question.video_id)
    decision = decide_video(user, video) if video is not None else HIDDEN
    if decision.allowed:
        return question
    clips = db.session.scalars(
        select(Clip).where(
            Clip.video_id == question.video_id,
            Clip.start <= question.at,
            Clip.end > question.at,
        )
    )
    locked = decision.locked_reason
    for clip in clips:
        through_clip = decide_clip(user, clip)
        if through_clip.allowed:
            return question
        locked = locked or through_clip.locked_reason
    if locked:
        abort(403, locked)
    abort(404, "No such question.")


def managed_quiz_question_or_404(question_id: int, user: User):
    """The quiz question if ``user`` manages its video: 404 when they may not see the
    video (or the question does not exist), 403 when they see it but may not change it."""
    from webapp.models import QuizQuestion

    question = db.session.get(QuizQuestion, question_id)
    if question is None:
        abort(404, "No such question.")
    managed_video_or_404(question.video_id, user)
    return question


# --- issue 21: graded exams
# A cohort's learners sit its exams; its instructors and admins manage them (403 for
# sitting), anyone else gets 404. An attempt is seen only by its learner (404 for
# everyone else, admins too: an attempt id tells nothing).


def exam_to_sit_or_404(exam_id: int, user: User) -> Exam:
    """The exam, if ``user`` is a learner of its cohort."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404, "No such exam.")
    role = _cohort_role(exam.cohort_id, user)
    if role == "learner":
        return exam
    if role is None and not user.is_admin:
        abort(404, "No such exam.")
    abort(403, "Only the cohort's learners sit its exams.")


def own_attempt_or_404(attempt_id: int, user: User):
    """The exam attempt, if it is ``user``'s own."""
    from webapp.models import ExamAttempt

    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        abort(404, "No such attempt.")
    return attempt


def teaching_exam_question_or_404(question_id: int, user: User):
    """A question of an exam's bank, for the exam's cohort's instructors and admins."""
    from webapp.models import ExamQuestion

    question = db.session.get(ExamQuestion, question_id)
    if question is None:
        abort(404, "No such question.")
    teaching_exam_or_404(question.exam_id, user)
    return question


# --- issue 21: projects
# A project is its cohort's: instructors (and admins) edit and grade it; its learners
# see it and hand in; a submission and its files are seen by their author, the cohort's
# instructors and admins only (anyone else: 404, so ids tell nothing).

from webapp.models import Project, ProjectSubmission, SubmissionItem  # noqa: E402


def teaching_project_or_404(project_id: int, user: User) -> Project:
    """A project its cohort's instructors and admins may change and grade."""
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404, "No such project.")
    teaching_cohort_or_404(project.cohort_id, user)
    return project


def cohort_project_or_404(project_id: int, user: User) -> tuple[Project, str | None]:
    """A project and the caller's role in its cohort (None for admins outside it); 404
    for anyone who is neither a member nor an admin."""
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404, "No such project.")
    role = _cohort_role(project.cohort_id, user)
    if role is None and not user.is_admin:
        abort(404, "No such project.")
    return project, role


def may_hand_in(project: Project, user: User) -> bool:
    """Only the cohort's learners hand in work."""
    return _cohort_role(project.cohort_id, user) == "learner"


def submission_or_404(submission_id: int, user: User) -> ProjectSubmission:
    """A submission its author, its cohort's instructors and admins may see."""
    submission = db.session.get(ProjectSubmission, submission_id)
    if submission is None:
        abort(404, "No such submission.")
    if submission.user_id == user.id or user.is_admin:
        return submission
    project = db.session.get_one(Project, submission.project_id)
    if _cohort_role(project.cohort_id, user) != "instructor":
        abort(404, "No such submission.")
    return submission


def grading_submission_or_404(submission_id: int, user: User) -> ProjectSubmission:
    """A submission the caller may grade (its cohort's instructors, admins); its author
    and the cohort's other learners get 403, anyone else 404."""
    submission = db.session.get(ProjectSubmission, submission_id)
    if submission is None:
        abort(404, "No such submission.")
    teaching_project_or_404(submission.project_id, user)
    return submission


def submission_item_or_404(item_id: int, user: User) -> SubmissionItem:
    """A handed-in file or link, for whoever may see its submission."""
    item = db.session.get(SubmissionItem, item_id)
    if item is None:
        abort(404, "No such file.")
    submission_or_404(item.submission_id, user)
    return item
