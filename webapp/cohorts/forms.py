"""Back-office forms of cohorts, members, live classes and exams. They check the shape of
what was typed; the rules (a class in the past, an https join link, the modules an exam
may cover) are the services' and reach the form as a ``CohortError`` on its field."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.cohorts.services import CLASS_MINUTES, JOIN_URL_MAX, TITLE_MAX
from webapp.cohorts.timezones import pick_zone
from webapp.forms import single_line, strip, time_zone
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import CohortRole

ROLE_CHOICES = [
    SelectChoice(CohortRole.LEARNER.value, _l("Learner")),
    SelectChoice(CohortRole.INSTRUCTOR.value, _l("Instructor")),
]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _optional_id(value: object) -> int | None:
    """A select's value as an id; "" means none."""
    if value in (None, "", "None"):
        return None
    try:
        return int(str(value))
    except ValueError:
        return -1  # not among the choices: WTForms refuses it


def wall_clock(moment: datetime, zone: str) -> datetime:
    """An instant as the naive wall-clock time a ``datetime-local`` field shows in ``zone``."""
    return moment.astimezone(ZoneInfo(pick_zone(zone))).replace(tzinfo=None)


def instant(wall: datetime, zone: str) -> datetime:
    """Wall-clock time typed in ``zone`` → aware UTC."""
    return wall.replace(tzinfo=ZoneInfo(pick_zone(zone))).astimezone(UTC)


def _one_line(label: str, missing: str) -> StringField:
    """A required one-line text field of at most ``TITLE_MAX`` characters (a name, a title)."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(missing),
            Length(max=TITLE_MAX, message=_l("Use at most %(max)d characters.", max=TITLE_MAX)),
            single_line,
        ],
    )


def _local_moment(label: str, missing: str) -> DateTimeLocalField:
    """A required ``datetime-local`` field (wall-clock time, read with ``LOCAL_FORMAT``)."""
    return DateTimeLocalField(label, format=LOCAL_FORMAT, validators=[InputRequired(missing)])


class CohortForm(FlaskForm):
    """Create or edit a cohort."""

    program = SelectField(_l("Program"), validators=[DataRequired(_l("Pick a program."))])
    name = _one_line(_l("Name"), _l("Enter a name."))
    starts_on = DateField(
        _l("Start date"), validators=[InputRequired(_l("Enter a date such as 2027-01-15."))]
    )
    time_zone = StringField(
        _l("Time zone"),
        filters=[strip],
        default="UTC",
        description=_l("An IANA name such as Europe/Berlin; class times are typed in this zone."),
        validators=[DataRequired(_l("Enter a time zone.")), time_zone],
    )
    seats = IntegerField(
        _l("Seats"),
        description=_l("Learner seats; empty: unlimited. A full cohort offers its waitlist."),
        validators=[
            Optional(),
            NumberRange(1, 100_000, _l("Enter a whole number from 1, or leave empty.")),
        ],
    )


class MemberForm(FlaskForm):
    """Add one existing account to a cohort."""

    email = StringField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the e-mail address of an existing account.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        ],
    )
    role = SelectField(_l("Cohort role"), choices=ROLE_CHOICES, default=CohortRole.LEARNER.value)


class RoleForm(FlaskForm):
    """Change a member's role."""

    role = SelectField(_l("Cohort role"), choices=ROLE_CHOICES)


class ImportForm(FlaskForm):
    """Members from a CSV (columns email, role): a file or pasted text."""

    file = FileField(
        _l("CSV file"), description=_l("Columns: email, role (learner or instructor).")
    )
    text = TextAreaField(_l("…or paste the CSV"), filters=[strip])


class ClassForm(FlaskForm):
    """A live class of a cohort, or a masterclass (which also picks a zone)."""

    title = _one_line(_l("Title"), _l("Enter a title."))
    zone = StringField(
        _l("Time zone of the start"),
        filters=[strip],
        default="UTC",
        validators=[DataRequired(_l("Enter a time zone.")), time_zone],
    )
    starts_at = _local_moment(_l("Start"), _l("Enter the start date and time."))
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[
            InputRequired(_l("Enter the duration in minutes.")),
            NumberRange(*CLASS_MINUTES, message=_l("A class lasts 1 to 600 minutes.")),
        ],
    )
    join_url = StringField(
        _l("Join link"),
        filters=[strip],
        description=_l("The video-call address (https://…); shown 15 minutes before the start."),
        validators=[
            Optional(),
            Length(
                max=JOIN_URL_MAX, message=_l("Use at most %(max)d characters.", max=JOIN_URL_MAX)
            ),
        ],
    )
    recording_id = SelectField(_l("Recording"), coerce=_optional_id, validate_choice=True)
    topic_id = SelectField(_l("Topic"), coerce=_optional_id, validate_choice=True)


class ExamForm(FlaskForm):
    """An exam of a cohort."""

    title = _one_line(_l("Title"), _l("Enter a title."))
    starts_at = _local_moment(_l("Date and time"), _l("Enter the exam's date and time."))
    module_ids = SelectMultipleField(_l("Modules in scope"), coerce=int)
