"""The authoring form of a quiz question. It carries the input and turns it into the
service's draft; every rule of a question is the service's (``services.check``), so the
page and the API give the same messages, shown here beside their fields."""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from webapp.forms import strip
from webapp.grading import Kind
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import QuizQuestion
from webapp.quizzes import services

CHOICE_ROWS = 6
KIND_LABELS = {
    Kind.SINGLE: _l("Single choice"),
    Kind.MULTIPLE: _l("Multiple choice"),
    Kind.NUMERIC: _l("A number (with a tolerance)"),
    Kind.TEXT: _l("A short text (exact, case and spacing aside)"),
}
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")


def parse_moment(text: str) -> float | None:
    """Seconds from ``m:ss``, ``h:mm:ss`` or a plain number of seconds; None if neither."""
    text = (text or "").strip()
    found = _CLOCK.match(text)
    if found:
        hours, minutes, seconds = found.groups()
        if float(seconds) >= 60:
            return None
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _moment(form: object, field: StringField) -> None:
    if parse_moment(field.data or "") is None:
        raise ValidationError(_("Give the moment as m:ss (e.g. 1:05) or in seconds."))


def _optional_number(form: object, field: StringField) -> None:
    if (field.data or "").strip() and _number(field.data) is None:
        raise ValidationError(_("Give a number, e.g. 3.5."))


class QuestionForm(FlaskForm):
    """Moment, kind, prompt, choices (or number, or accepted texts), explanation, required."""

    at = StringField(
        _l("Moment"), filters=[strip], validators=[_moment], description=_l("m:ss, e.g. 0:10")
    )
    kind = SelectField(
        _l("Kind of answer"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    prompt = TextAreaField(
        _l("Question"),
        render_kw={"rows": 3, "maxlength": services.MAX_PROMPT},
        description=_l("Markdown: **bold**, *italic*, `code`, lists, links."),
    )
    number = StringField(
        _l("Right number"),
        filters=[strip],
        validators=[_optional_number],
        description=_l("Numeric only."),
    )
    tolerance = StringField(
        _l("Tolerance (±)"),
        filters=[strip],
        validators=[_optional_number],
        default="0",
        description=_l("Numeric only: how far from the right number still counts."),
    )
    texts = TextAreaField(
        _l("Accepted answers"),
        render_kw={"rows": 3},
        description=_l("Short text only: one accepted answer per line."),
    )
    explanation = TextAreaField(
        _l("Explanation"),
        render_kw={"rows": 3, "maxlength": services.MAX_EXPLANATION},
        description=_l("Shown after the learner answers (Markdown)."),
    )
    required = BooleanField(_l("Must be answered to go on"))

    def choice_rows(self) -> list[tuple[StringField, BooleanField]]:
        """The (text, right) field pairs of the choices, in order."""
        return [
            (getattr(self, f"choice_{i}"), getattr(self, f"right_{i}")) for i in range(CHOICE_ROWS)
        ]

    def draft(self) -> services.Draft:
        """The service's draft of what was typed (the fields already validated)."""
        return services.Draft(
            at=parse_moment(self.at.data or "") or 0.0,
            kind=Kind(self.kind.data),
            prompt=self.prompt.data or "",
            explanation=self.explanation.data or "",
            required=bool(self.required.data),
            choices=[(t.data or "", bool(r.data)) for t, r in self.choice_rows()],
            number=_number(self.number.data),
            tolerance=_number(self.tolerance.data) or 0.0,
            texts=(self.texts.data or "").splitlines(),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """The service's refusals beside their fields (``choices`` beside the first)."""
        for name, message in errors.items():
            field = getattr(self, "choice_0" if name == "choices" else name, None)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    def fill(self, question: QuizQuestion) -> None:
        """Show ``question`` as stored (the edit form's first look)."""
        from webapp.timefmt import clock

        self.at.data = clock(question.at) if question.at == int(question.at) else str(question.at)
        self.kind.data = question.kind.value
        self.prompt.data = question.prompt
        self.explanation.data = question.explanation
        self.required.data = question.required
        self.number.data = "" if question.number is None else f"{question.number:g}"
        self.tolerance.data = f"{question.tolerance:g}"
        self.texts.data = "\n".join(question.accepted_texts)
        for (text, right), choice in zip(self.choice_rows(), question.choices, strict=False):
            text.data, right.data = choice.text, choice.correct


for _i in range(CHOICE_ROWS):
    setattr(
        QuestionForm,
        f"choice_{_i}",
        StringField(
            _l("Choice %(number)s", number=_i + 1),
            filters=[strip],
            render_kw={"maxlength": services.MAX_CHOICE},
        ),
    )
    setattr(
        QuestionForm, f"right_{_i}", BooleanField(_l("Choice %(number)s is right", number=_i + 1))
    )
