"""Forms of projects: the instructor's project (with its rubric as text), the learner's
hand-in, and the grading form built from the project's rubric. They check shape; the
rules (rubric, pass mark, files, links) are the services' and come back as a
``ProjectError`` on their field."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.cohorts.forms import LOCAL_FORMAT
from webapp.forms import no_raw_html, no_tags, single_line, strip
from webapp.models import LatePolicy, Project
from webapp.projects.rules import TITLE_MAX
from webapp.projects.services import BRIEF_MAX, COMMENT_MAX

RUBRIC_HINT = (
    "One criterion per line, then its levels after bars, each with its points, e.g. "
    "“Layout | Missing = 0 | Adequate = 3 | Polished = 5”."
)


def _text(label: str | LazyString, limit: int, markdown: bool = True, **kw: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=limit, message=f"Use at most {limit} characters."),
            no_raw_html if markdown else no_tags,
        ],
        **kw,
    )


class ProjectForm(FlaskForm):
    """A project of a cohort."""

    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            DataRequired("Enter a title."),
            Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
            single_line,
            no_tags,
        ],
    )
    brief = _text("Brief", BRIEF_MAX, description="Markdown: what to build and hand in.")
    due_at = DateTimeLocalField(
        "Due", format=LOCAL_FORMAT, validators=[InputRequired("Enter the due date and time.")]
    )
    rubric = TextAreaField(
        "Rubric",
        filters=[strip],
        description=RUBRIC_HINT,
        validators=[
            DataRequired("Give the rubric at least one criterion."),
            Length(max=BRIEF_MAX, message=f"Use at most {BRIEF_MAX} characters."),
            no_tags,
        ],
    )
    pass_mark = IntegerField(
        "Pass mark (points)",
        validators=[InputRequired("Enter the pass mark."), NumberRange(0, 100_000)],
    )
    late_policy = SelectField(
        "Late work",
        choices=[
            SelectChoice(LatePolicy.ACCEPT.value, "Accept it"),
            SelectChoice(LatePolicy.PENALTY.value, "Accept it with a penalty per day late"),
            SelectChoice(LatePolicy.REFUSE.value, "Refuse it after the due date"),
        ],
        default=LatePolicy.ACCEPT.value,
    )
    penalty_percent = IntegerField(
        "Penalty per day late (%)",
        description="Only with “Accept it with a penalty”: the share of the points lost "
        "per started day after the due date.",
        validators=[Optional(), NumberRange(0, 100, "Enter 0 to 100.")],
    )


class SubmitForm(FlaskForm):
    """A learner's hand-in: files and/or links."""

    files = MultipleFileField(_l("Files"))
    links = _text(
        _l("Links"),
        3000,
        markdown=False,
        description=_l("http:// or https:// addresses, one per line."),
    )


def grade_form(project: Project) -> FlaskForm:
    """The grading form of ``project``: a level and a comment per criterion, an overall
    comment, and the two decisions."""

    class GradeForm(FlaskForm):
        comment = _text("Overall comment", COMMENT_MAX, description="Markdown.")
        return_ = SubmitField("Return for revision")
        accept = SubmitField("Accept")

    for criterion in project.criteria:
        choices = [
            SelectChoice(str(lv.id), f"{lv.title} ({lv.points} points)") for lv in criterion.levels
        ]
        setattr(
            GradeForm,
            f"level_{criterion.id}",
            RadioField(
                criterion.title,
                choices=choices,
                coerce=int,
                validators=[InputRequired(f"Choose a level of “{criterion.title}”.")],
            ),
        )
        setattr(
            GradeForm,
            f"comment_{criterion.id}",
            _text(f"Comment on “{criterion.title}”", COMMENT_MAX),
        )
    return GradeForm()
