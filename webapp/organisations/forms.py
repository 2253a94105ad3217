"""The organisation forms (admin and manager). The rules live in ``services.py``; a
refusal there is put beside its field, and every rejected form keeps what was typed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp.forms import single_line, slug, strip, time_zone
from webapp.models import OrgRole


class OrganisationForm(FlaskForm):
    """A new organisation."""

    name = StringField("Name", filters=[strip], validators=[InputRequired(), single_line])
    slug = StringField(
        "Address",
        filters=[strip],
        validators=[InputRequired(), slug],
        description="Lower-case letters, digits and hyphens, e.g. acme-corp.",
    )
    time_zone = StringField(
        "Time zone",
        filters=[strip],
        default="UTC",
        validators=[InputRequired(), time_zone],
        description="The weekly digest goes out on Monday morning in this zone.",
    )


class MemberForm(FlaskForm):
    """Add a person (by e-mail) as a member or a manager."""

    email = EmailField("E-mail address", filters=[strip], validators=[InputRequired()])
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.value.capitalize()) for r in OrgRole],
        default=OrgRole.MEMBER.value,
    )


class SeatsForm(FlaskForm):
    """The seats held in one program."""

    program = SelectField("Program", choices=[])
    seats = IntegerField("Seats", validators=[InputRequired(), NumberRange(min=0, max=100000)])


class AssignForm(FlaskForm):
    """A manager assigns a program to one of their people, due by a date."""

    user_id = SelectField("Person", choices=[], coerce=str)
    program = SelectField("Program", choices=[], coerce=str)
    due_on = DateField("Due date", validators=[Optional()])


class PrivateProgramForm(FlaskForm):
    """Make a program (and its modules) private to the organisation, or public again."""

    program = SelectField("Program", choices=[])
    private = SelectField(
        "Visible to",
        choices=[
            SelectChoice("yes", "This organisation only"),
            SelectChoice("no", "Everyone (public again)"),
        ],
        default="yes",
    )
