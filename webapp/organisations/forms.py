"""The organisation forms (admin and manager). The rules live in ``services.py``; a
refusal there is put beside its field, and every rejected form keeps what was typed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from webapp.forms import single_line, slug, strip, time_zone
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import OrgRole

# The organisation roles as people read them (the value stays the English enum value).
ORG_ROLE_LABELS = {OrgRole.MEMBER.value: _l("Member"), OrgRole.MANAGER.value: _l("Manager")}


class OrganisationForm(FlaskForm):
    """A new organisation."""

    name = StringField(_l("Name"), filters=[strip], validators=[InputRequired(), single_line])
    slug = StringField(
        _l("Address"),
        filters=[strip],
        validators=[InputRequired(), slug],
        description=_l("Lower-case letters, digits and hyphens, e.g. acme-corp."),
    )
    time_zone = StringField(
        _l("Time zone"),
        filters=[strip],
        default="UTC",
        validators=[InputRequired(), time_zone],
        description=_l("The weekly digest goes out on Monday morning in this zone."),
    )


class MemberForm(FlaskForm):
    """Add a person (by e-mail) as a member or a manager."""

    email = EmailField(_l("E-mail address"), filters=[strip], validators=[InputRequired()])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(r.value, ORG_ROLE_LABELS.get(r.value, r.value.capitalize()))
            for r in OrgRole
        ],
        default=OrgRole.MEMBER.value,
    )


class SeatsForm(FlaskForm):
    """The seats held in one program."""

    program = SelectField(_l("Program"), choices=[])
    seats = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(min=0, max=100000)])


class AssignForm(FlaskForm):
    """A manager assigns a program to one of their people, due by a date."""

    user_id = SelectField(_l("Person"), choices=[], coerce=str)
    program = SelectField(_l("Program"), choices=[], coerce=str)
    due_on = DateField(_l("Due date"), validators=[Optional()])


class PrivateProgramForm(FlaskForm):
    """Make a program (and its modules) private to the organisation, or public again."""

    program = SelectField(_l("Program"), choices=[])
    private = SelectField(
        _l("Visible to"),
        choices=[
            SelectChoice("yes", _l("This organisation only")),
            SelectChoice("no", _l("Everyone (public again)")),
        ],
        default="yes",
    )
