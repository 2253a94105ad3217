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
from webapp.learning.services import MAX_WEEKS
from webapp.models import Level

LEVEL_CHOICES = [SelectChoice(level.value, level.value.capitalize()) for level in Level]


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Unknown choices are the service's to refuse (with its message)."""


class CourseForm(FlaskForm):
    """A course's details (its modules are ordered on the edit page)."""

    title = StringField("Title", filters=[strip], validators=[single_line])
    slug = StringField(
        "Slug",
        filters=[strip],
        validators=[single_line],
        description="The course's address; left empty, it is made from the title.",
    )
    description = TextAreaField("Description", filters=[strip])
    level = SelectField("Level", choices=LEVEL_CHOICES, validate_choice=False)
    topic = SelectField("Topic", choices=[SelectChoice("", "No topic")], validate_choice=False)
    prerequisites = CheckboxList("Prerequisites (courses to complete first)", choices=[])


class ProgramForm(FlaskForm):
    """A program's details (its courses are ordered on the edit page)."""

    title = StringField("Title", filters=[strip], validators=[single_line])
    slug = StringField(
        "Slug",
        filters=[strip],
        validators=[single_line],
        description="The program's address; left empty, it is made from the title.",
    )
    description = TextAreaField("Description", filters=[strip])
    level = SelectField("Level", choices=LEVEL_CHOICES, validate_choice=False)
    weeks = IntegerField(
        "Length in weeks",
        default=0,
        validators=[Optional(), NumberRange(0, MAX_WEEKS, f"From 0 to {MAX_WEEKS} weeks.")],
    )
    fee = StringField(
        "Fee", filters=[strip], default="0.00", description="An amount such as 499.00 (0: free)."
    )
    currency = SelectField("Currency", default="EUR", validate_choice=False)
    certificate = StringField(
        "Certificate title", filters=[strip], validators=[single_line], default=""
    )
    self_enrol = BooleanField("Learners enrol themselves (untick: enrolled by their company)")


class AddItemForm(FlaskForm):
    """Add a module to a course or a course to a program."""

    item = SelectField("Add", choices=[], validate_choice=False)


class EnrolForm(FlaskForm):
    """Enrol an existing account in a program (admins)."""

    email = EmailField(
        "E-mail address of the person to enrol",
        filters=[strip],
        validators=[
            DataRequired("Enter the person's e-mail address."),
            Length(max=254, message="An e-mail address has at most 254 characters."),
            single_line,
        ],
    )
