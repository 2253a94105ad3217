"""The data model: users, videos and their renditions, transcode jobs, watch progress."""

from webapp.models.account import (
    EmailToken,
    Invitation,
    SignupPolicy,
    SiteSetting,
    TokenPurpose,
)
from webapp.models.caption import Caption, CaptionCue, CaptionFormat, UserPreferences
from webapp.models.certificate import Certificate
from webapp.models.clip import Chapter, Clip, ClipExport, Suggestion, SuggestionStatus
from webapp.models.job import JobState, TranscodeJob
from webapp.models.learning import (
    Attendance,
    AttendanceSource,
    Cohort,
    CohortMember,
    CohortRole,
    Course,
    CourseModule,
    CoursePrerequisite,
    Enrollment,
    Exam,
    ExamScope,
    Level,
    LiveClass,
    Module,
    Program,
    ProgramCourse,
    Topic,
)
from webapp.models.note import Note, NoteKind
from webapp.models.progress import WatchProgress
from webapp.models.upload import UploadSession, UploadState
from webapp.models.user import ApiToken, Role, User
from webapp.models.video import InvalidTransition, Rendition, Video, VideoState

__all__ = [
    "EmailToken",
    "Invitation",
    "SignupPolicy",
    "SiteSetting",
    "TokenPurpose",
    "Caption",
    "CaptionCue",
    "CaptionFormat",
    "UserPreferences",
    "ApiToken",
    "Attendance",
    "AttendanceSource",
    "Certificate",
    "Cohort",
    "CohortMember",
    "CohortRole",
    "Course",
    "CourseModule",
    "CoursePrerequisite",
    "Enrollment",
    "Exam",
    "ExamScope",
    "Level",
    "LiveClass",
    "Module",
    "Note",
    "NoteKind",
    "Program",
    "ProgramCourse",
    "Topic",
    "Chapter",
    "Clip",
    "ClipExport",
    "Suggestion",
    "SuggestionStatus",
    "InvalidTransition",
    "JobState",
    "Rendition",
    "Role",
    "TranscodeJob",
    "UploadSession",
    "UploadState",
    "User",
    "Video",
    "VideoState",
    "WatchProgress",
]
