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

TEXT_MAX = 5000


class SettingsForm(FlaskForm):
    """How an exam is sat."""

    question_count = IntegerField(
        "Questions drawn per attempt",
        validators=[Optional(), NumberRange(min=1, max=500)],
        description="Empty: every question of the bank.",
    )
    time_limit_minutes = IntegerField(
        "Time limit (minutes)", validators=[Optional(), NumberRange(min=1, max=1440)]
    )
    attempts_limit = IntegerField(
        "Attempts allowed", validators=[Optional(), NumberRange(min=1, max=100)]
    )
    pass_percent = IntegerField(
        "Pass mark (%)",
        validators=[InputRequired("Enter the pass mark."), NumberRange(min=0, max=100)],
    )
    opens_at = DateTimeLocalField("Opens", format=LOCAL_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField("Closes", format=LOCAL_FORMAT, validators=[Optional()])


class QuestionForm(FlaskForm):
    """A question of the bank."""

    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(Kind.SINGLE.value, "Single choice"),
            SelectChoice(Kind.MULTIPLE.value, "Multiple choice"),
            SelectChoice(Kind.NUMERIC.value, "Number"),
            SelectChoice(Kind.TEXT.value, "Short text"),
        ],
    )
    prompt = TextAreaField(
        "Question (Markdown)",
        filters=[strip],
        validators=[DataRequired("Write the question."), Length(max=TEXT_MAX)],
    )
    choices = TextAreaField(
        "Choices, one per line; start the right ones with *",
        filters=[strip],
        validators=[Length(max=TEXT_MAX)],
    )
    number = FloatField("Right number", validators=[Optional()])
    tolerance = FloatField("Tolerance (±)", default=0.0, validators=[Optional()])
    texts = TextAreaField(
        "Accepted answers, one per line", filters=[strip], validators=[Length(max=TEXT_MAX)]
    )
    points = FloatField(
        "Points", default=1.0, validators=[InputRequired(), NumberRange(min=0.01, max=1000)]
    )
    explanation = TextAreaField(
        "Explanation (Markdown, shown after the attempt)",
        filters=[strip],
        validators=[Length(max=TEXT_MAX)],
    )
    module_id = SelectField("Module that explains it", coerce=int, default=0)
    at_seconds = FloatField(
        "At (seconds into the module)", validators=[Optional(), NumberRange(min=0, max=86400)]
    )
