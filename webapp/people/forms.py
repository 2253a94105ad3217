"""The profile's and the admin user list's forms. The rules themselves live in
``services.py`` (shared with the API); a refusal there is put beside its field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp.forms import single_line, strip
from webapp.i18n import LANGUAGES
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import Role

# The roles as people read them (the value stays the English enum value).
ROLE_LABELS = {
    Role.LEARNER.value: _l("Learner"),
    Role.INSTRUCTOR.value: _l("Instructor"),
    Role.ADMIN.value: _l("Admin"),
}
ROLE_CHOICES = [
    SelectChoice(role.value, ROLE_LABELS.get(role.value, role.value.capitalize())) for role in Role
]
# "": the browser's language; each language named as it names itself (not translated).
LANGUAGE_CHOICES = [
    SelectChoice("", _l("Browser's language")),
    *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
]


class ProfileForm(FlaskForm):
    """Display name, time zone, language and e-mail address."""

    name = StringField(_l("Display name"), filters=[strip], validators=[single_line])
    time_zone = StringField(
        _l("Time zone"),
        filters=[strip],
        validators=[Optional(), single_line],
        description=_l("A name such as Europe/Berlin; leave empty to use your browser's zone."),
    )
    # Checked by ``services.language_or_none`` (shared with the API), beside the field.
    locale = SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        validate_choice=False,
        description=_l("Pages and e-mails are written in it."),
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[single_line],
        description=_l("A new address gets a confirmation link; it changes once you open it."),
    )
    password = PasswordField(
        _l("Current password"),
        validators=[Optional()],
        description=_l("Needed only to change the e-mail address."),
    )


class TokenForm(FlaskForm):
    """A new API token's name."""

    name = StringField(
        _l("Token name"),
        filters=[strip],
        validators=[single_line],
        description=_l("Where it is used, e.g. “reporting script”."),
    )


class UserSearchForm(FlaskForm):
    """The admin user list's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or e-mail contains"), filters=[strip])
    role = SelectField(
        _l("Role"), choices=[SelectChoice("", _l("Any role")), *ROLE_CHOICES], default=""
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Active and deactivated")),
            SelectChoice("active", _l("Active")),
            SelectChoice("inactive", _l("Deactivated")),
        ],
        default="",
    )


class RoleForm(FlaskForm):
    """One user's new role."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (deactivate, reactivate)."""
