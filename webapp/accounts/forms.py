"""The forms of the accounts pages (Flask-WTF). They check shape and length; the rules
(address, password, policy, who may invite) are the services', shared with the API."""

from __future__ import annotations

from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.auth.services import MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH
from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import SignupPolicy

EMAIL_MAX = 254
CSV_TEXT_MAX = 1_000_000
LEARNER = SelectChoice("learner", _l("Learner"))
ROLE_CHOICES = [
    LEARNER,
    SelectChoice("instructor", _l("Instructor")),
    SelectChoice("admin", _l("Admin")),
]
COHORT_ROLE_CHOICES = [LEARNER, SelectChoice("instructor", _l("Instructor"))]
NONE = SelectChoice("", _l("None"))
POLICY_CHOICES = [
    SelectChoice(SignupPolicy.CLOSED.value, _l("Closed: nobody joins, not even by invitation")),
    SelectChoice(SignupPolicy.INVITATION.value, _l("Invitation only")),
    SelectChoice(SignupPolicy.OPEN.value, _l("Open: anyone, after confirming their address")),
    SelectChoice(SignupPolicy.DOMAINS.value, _l("Open to addresses at the domains below")),
]


def _email(label: LazyString | None = None) -> EmailField:
    return EmailField(
        label if label is not None else _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Length(max=EMAIL_MAX),
            single_line,
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
    )


def _name() -> StringField:
    return StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=MAX_NAME_LENGTH),
            single_line,
        ],
        render_kw={"autocomplete": "name", "maxlength": MAX_NAME_LENGTH},
    )


def _new_password(label: LazyString) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(_l("Choose a password.")), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm() -> PasswordField:
    return PasswordField(
        _l("The same password again"),
        validators=[InputRequired(_l("Type the password again.")), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(FlaskForm):
    """Open sign-up."""

    name = _name()
    email = _email()
    password = _new_password(_l("Password"))
    confirm = _confirm()


class EmailForm(FlaskForm):
    """One address: forgot password, re-send the confirmation."""

    email = _email()


class NewPasswordForm(FlaskForm):
    """A new password, twice (reset link)."""

    password = _new_password(_l("New password"))
    confirm = _confirm()


class AcceptForm(FlaskForm):
    """The invitee's name and password."""

    name = _name()
    password = _new_password(_l("Password"))
    confirm = _confirm()


class PolicyForm(FlaskForm):
    """The sign-up policy."""

    policy = RadioField(_l("Who may create an account"), choices=POLICY_CHOICES)
    domains = TextAreaField(
        _l("Domains"),
        filters=[strip],
        validators=[Length(max=4000)],
        description=_l("One per line, e.g. example.com (only for the last choice)."),
    )


class _InviteTarget(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="learner")
    program = SelectField(_l("Enrol in program"), choices=[NONE], validate_choice=False)
    cohort = SelectField(_l("Join cohort"), choices=[NONE], validate_choice=False)
    cohort_role = SelectField(
        _l("Role in the cohort"), choices=COHORT_ROLE_CHOICES, default="learner"
    )
    organisation = SelectField(_l("Join organisation"), choices=[NONE], validate_choice=False)
    organisation_role = SelectField(
        _l("Role in the organisation"),
        choices=[SelectChoice("member", _l("Member")), SelectChoice("manager", _l("Manager"))],
        default="member",
    )


class InviteForm(_InviteTarget):
    """Invite one address."""

    email = _email(_l("E-mail address to invite"))


class BulkInviteForm(_InviteTarget):
    """Invite many addresses from a CSV (pasted or uploaded)."""

    csv_text = TextAreaField(
        _l("Paste CSV"),
        validators=[Optional(), Length(max=CSV_TEXT_MAX)],
        description=_l("First line: email,role (role is optional and defaults to the one below)."),
    )
    csv_file = FileField(_l("…or upload a CSV file"))
    resend = BooleanField(_l("Re-send to addresses already invited"))
