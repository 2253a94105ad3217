"""Forms of the exam back office: the settings and a question of the bank."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.cohorts.forms import LOCAL_FORMAT
from webapp.forms import strip
from webapp.grading import Kind
from webapp.i18n.lazy import lazy_gettext as _l

TEXT_MAX = 5000


class SettingsForm(FlaskForm):
    """How an exam is sat."""

    question_count = IntegerField(
        _l("Questions drawn per attempt"),
        validators=[Optional(), NumberRange(min=1, max=500)],
        description=_l("Empty: every question of the bank."),
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes)"), validators=[Optional(), NumberRange(min=1, max=1440)]
    )
    attempts_limit = IntegerField(
        _l("Attempts allowed"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    pass_percent = IntegerField(
        _l("Pass mark (%)"),
        validators=[InputRequired(_l("Enter the pass mark.")), NumberRange(min=0, max=100)],
    )
    opens_at = DateTimeLocalField(_l("Opens"), format=LOCAL_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes"), format=LOCAL_FORMAT, validators=[Optional()])


class QuestionForm(FlaskForm):
    """A question of the bank."""

    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(Kind.SINGLE.value, _l("Single choice")),
            SelectChoice(Kind.MULTIPLE.value, _l("Multiple choice")),
            SelectChoice(Kind.NUMERIC.value, _l("Number")),
            SelectChoice(Kind.TEXT.value, _l("Short text")),
        ],
    )
    prompt = TextAreaField(
        _l("Question (Markdown)"),
        filters=[strip],
        validators=[DataRequired(_l("Write the question.")), Length(max=TEXT_MAX)],
    )
    choices = TextAreaField(
        _l("Choices, one per line; start the right ones with *"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX)],
    )
    number = FloatField(_l("Right number"), validators=[Optional()])
    tolerance = FloatField(_l("Tolerance (±)"), default=0.0, validators=[Optional()])
    texts = TextAreaField(
        _l("Accepted answers, one per line"), filters=[strip], validators=[Length(max=TEXT_MAX)]
    )
    points = FloatField(
        _l("Points"), default=1.0, validators=[InputRequired(), NumberRange(min=0.01, max=1000)]
    )
    explanation = TextAreaField(
        _l("Explanation (Markdown, shown after the attempt)"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX)],
    )
    module_id = SelectField(_l("Module that explains it"), coerce=int, default=0)
    at_seconds = FloatField(
        _l("At (seconds into the module)"), validators=[Optional(), NumberRange(min=0, max=86400)]
    )
