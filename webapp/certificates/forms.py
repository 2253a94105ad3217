"""Back-office forms for certificate rules and revocation (the services check values)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from webapp.certificates.services import MAX_REASON
from webapp.forms import strip


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Unknown choices are the service's to refuse (with its message)."""


class RuleForm(FlaskForm):
    """What earns the program's certificate."""

    min_watched_percent = IntegerField(
        "Share of each required module watched (%)",
        validators=[InputRequired(), NumberRange(1, 100)],
        default=90,
    )
    min_classes = IntegerField(
        "Live classes attended, at least",
        validators=[InputRequired(), NumberRange(0, 1000)],
        default=0,
    )
    modules = CheckboxList(
        "Required modules",
        coerce=int,
        description="None ticked: every module of the program's courses.",
    )
    exams = CheckboxList(
        "Exams to pass",
        coerce=int,
        description="Exam results are not recorded yet: a required exam keeps the "
        "certificate back until a graded-exam feature reports a pass.",
    )
    projects = CheckboxList(
        "Projects to pass",
        coerce=int,
        description="Passed: the instructor accepted the work at or above its pass mark.",
    )


class RevokeForm(FlaskForm):
    """Why a certificate is revoked (shown on its public verification page)."""

    reason = TextAreaField(
        "Reason",
        filters=[strip],
        validators=[DataRequired("Give the reason."), Length(max=MAX_REASON)],
        description="Shown on the public verification page, with the date.",
    )
