"""The video lifecycle is an explicit state machine; status, role and kind columns are
typed by their enums."""

from __future__ import annotations

from enum import StrEnum

import pytest
from flask import Flask
from sqlalchemy import Enum, text
from sqlalchemy.exc import StatementError

from webapp.extensions import db
from webapp.models import (
    Attendance,
    AttendanceSource,
    Caption,
    CaptionFormat,
    CohortMember,
    CohortRole,
    Course,
    InvalidTransition,
    Level,
    Module,
    Note,
    NoteKind,
    Program,
    Role,
    User,
    Video,
    VideoState,
)

ALLOWED = [
    (VideoState.UPLOADING, VideoState.UPLOADED),
    (VideoState.UPLOADED, VideoState.PROCESSING),
    (VideoState.PROCESSING, VideoState.READY),
    (VideoState.PROCESSING, VideoState.FAILED),
    (VideoState.PROCESSING, VideoState.UPLOADED),
    (VideoState.READY, VideoState.PROCESSING),
    (VideoState.FAILED, VideoState.PROCESSING),
]
REFUSED = [
    (VideoState.UPLOADING, VideoState.READY),
    (VideoState.UPLOADING, VideoState.PROCESSING),
    (VideoState.UPLOADED, VideoState.READY),
    (VideoState.READY, VideoState.FAILED),
    (VideoState.READY, VideoState.UPLOADING),
    (VideoState.FAILED, VideoState.READY),
]


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_allowed_transitions(start: VideoState, end: VideoState) -> None:
    video = Video(id=1, title="t", owner_id=1, state=start.value)
    video.transition(end)
    assert video.state == end.value


@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_refused_transitions_leave_state_unchanged(start: VideoState, end: VideoState) -> None:
    video = Video(id=1, title="t", owner_id=1, state=start.value)
    with pytest.raises(InvalidTransition):
        video.transition(end)
    assert video.state == start.value


# --------------------------------------------------------------------------- enum columns

ENUM_COLUMNS = [
    (User.role, Role, 20),
    (Video.state, VideoState, 20),
    (Note.kind, NoteKind, 10),
    (Module.level, Level, 20),
    (Course.level, Level, 20),
    (Program.level, Level, 20),
    (CohortMember.role, CohortRole, 20),
    (Attendance.source, AttendanceSource, 20),
    (Caption.source_format, CaptionFormat, 10),
]


@pytest.mark.parametrize(("column", "enum", "length"), ENUM_COLUMNS)
def test_enum_columns_store_the_same_strings(column, enum: type[StrEnum], length: int) -> None:
    """Each column is typed by its enum, holds its values in a VARCHAR of the old length,
    and has no CHECK constraint of its own (the DDL is what the migrations built)."""
    kind = column.type
    assert isinstance(kind, Enum) and kind.enum_class is enum
    assert kind.enums == [member.value for member in enum]
    assert kind.length == length and not kind.native_enum and not kind.create_constraint


def test_enum_columns_read_back_members_and_refuse_unknown_values(app: Flask, make_user) -> None:
    user = make_user("instructor")
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.role is Role.INSTRUCTOR
        assert db.session.scalar(
            text("SELECT role FROM users WHERE id = :id"), {"id": user.id}
        ) == ("instructor")
        stored.role = "teacher"
        with pytest.raises(StatementError, match="teacher"):
            db.session.flush()
        db.session.rollback()
