"""Forms of projects: the instructor's project (with its rubric as text), the learner's
hand-in, and the grading form built from the project's rubric. They check shape; the
rules (rubric, pass mark, files, links) are the services' and come back as a
``ProjectError`` on their field."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
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
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import LatePolicy, Project
from webapp.projects.rules import TITLE_MAX
from webapp.projects.services import BRIEF_MAX, COMMENT_MAX

RUBRIC_HINT = _l(
    "One criterion per line, then its levels after bars, each with its points, e.g. "
    "“Layout | Missing = 0 | Adequate = 3 | Polished = 5”."
)


def _text(label: str | LazyString, limit: int, markdown: bool = True, **kw: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=limit, message=_l("Use at most %(limit)s characters.", limit=limit)),
            no_raw_html if markdown else no_tags,
        ],
        **kw,
    )


class ProjectForm(FlaskForm):
    """A project of a cohort."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=TITLE_MAX, message=_l("Use at most %(limit)s characters.", limit=TITLE_MAX)),
            single_line,
            no_tags,
        ],
    )
    brief = _text(_l("Brief"), BRIEF_MAX, description=_l("Markdown: what to build and hand in."))
    due_at = DateTimeLocalField(
        _l("Due"),
        format=LOCAL_FORMAT,
        validators=[InputRequired(_l("Enter the due date and time."))],
    )
    rubric = TextAreaField(
        _l("Rubric"),
        filters=[strip],
        description=RUBRIC_HINT,
        validators=[
            DataRequired(_l("Give the rubric at least one criterion.")),
            Length(max=BRIEF_MAX, message=_l("Use at most %(limit)s characters.", limit=BRIEF_MAX)),
            no_tags,
        ],
    )
    pass_mark = IntegerField(
        _l("Pass mark (points)"),
        validators=[InputRequired(_l("Enter the pass mark.")), NumberRange(0, 100_000)],
    )
    late_policy = SelectField(
        _l("Late work"),
        choices=[
            SelectChoice(LatePolicy.ACCEPT.value, _l("Accept it")),
            SelectChoice(LatePolicy.PENALTY.value, _l("Accept it with a penalty per day late")),
            SelectChoice(LatePolicy.REFUSE.value, _l("Refuse it after the due date")),
        ],
        default=LatePolicy.ACCEPT.value,
    )
    penalty_percent = IntegerField(
        _l("Penalty per day late (%)"),
        description=_l(
            "Only with “Accept it with a penalty”: the share of the points lost "
            "per started day after the due date."
        ),
        validators=[Optional(), NumberRange(0, 100, _l("Enter 0 to 100."))],
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
        comment = _text(_l("Overall comment"), COMMENT_MAX, description=_l("Markdown."))
        return_ = SubmitField(_l("Return for revision"))
        accept = SubmitField(_l("Accept"))

    for criterion in project.criteria:
        choices = [
            SelectChoice(
                str(lv.id), _("%(level)s (%(points)s points)", level=lv.title, points=lv.points)
            )
            for lv in criterion.levels
        ]
        setattr(
            GradeForm,
            f"level_{criterion.id}",
            RadioField(
                criterion.title,
                choices=choices,
                coerce=int,
                validators=[
                    InputRequired(_("Choose a level of “%(title)s”.", title=criterion.title))
                ],
            ),
        )
        setattr(
            GradeForm,
            f"comment_{criterion.id}",
            _text(_("Comment on “%(title)s”", title=criterion.title), COMMENT_MAX),
        )
    return GradeForm()
