"""Forms of the back office for courses and programs. The services check every value
(one validation path for pages and API); the forms only carry the input and its choices."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.learning.services import MAX_WEEKS
from webapp.models import Level

# The levels as people read them (the value stays the English enum value).
LEVEL_LABELS = {
    Level.FOUNDATION.value: _l("Foundation"),
    Level.INTERMEDIATE.value: _l("Intermediate"),
    Level.ADVANCED.value: _l("Advanced"),
}
LEVEL_CHOICES = [
    SelectChoice(level.value, LEVEL_LABELS.get(level.value, level.value.capitalize()))
    for level in Level
]


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Unknown choices are the service's to refuse (with its message)."""


class CourseForm(FlaskForm):
    """A course's details (its modules are ordered on the edit page)."""

    title = StringField(_l("Title"), filters=[strip], validators=[single_line])
    slug = StringField(
        _l("Slug"),
        filters=[strip],
        validators=[single_line],
        description=_l("The course's address; left empty, it is made from the title."),
    )
    description = TextAreaField(_l("Description"), filters=[strip])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validate_choice=False)
    topic = SelectField(
        _l("Topic"), choices=[SelectChoice("", _l("No topic"))], validate_choice=False
    )
    prerequisites = CheckboxList(_l("Prerequisites (courses to complete first)"), choices=[])


class ProgramForm(FlaskForm):
    """A program's details (its courses are ordered on the edit page)."""

    title = StringField(_l("Title"), filters=[strip], validators=[single_line])
    slug = StringField(
        _l("Slug"),
        filters=[strip],
        validators=[single_line],
        description=_l("The program's address; left empty, it is made from the title."),
    )
    description = TextAreaField(_l("Description"), filters=[strip])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validate_choice=False)
    weeks = IntegerField(
        _l("Length in weeks"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, MAX_WEEKS, _l("From 0 to %(max)d weeks.", max=MAX_WEEKS)),
        ],
    )
    fee = StringField(
        _l("Fee"),
        filters=[strip],
        default="0.00",
        description=_l("An amount such as 499.00 (0: free)."),
    )
    currency = SelectField(_l("Currency"), default="EUR", validate_choice=False)
    certificate = StringField(
        _l("Certificate title"), filters=[strip], validators=[single_line], default=""
    )
    self_enrol = BooleanField(_l("Learners enrol themselves (untick: enrolled by their company)"))


class AddItemForm(FlaskForm):
    """Add a module to a course or a course to a program."""

    item = SelectField(_l("Add"), choices=[], validate_choice=False)


class EnrolForm(FlaskForm):
    """Enrol an existing account in a program (admins)."""

    email = EmailField(
        _l("E-mail address of the person to enrol"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the person's e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            single_line,
        ],
    )
