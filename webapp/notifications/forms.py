"""The notification pages' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import EmailChoice

EMAIL_CHOICES = [
    SelectChoice(
        EmailChoice.ALL.value,
        _l("Each as it happens (some, such as new questions, in an hourly digest)"),
    ),
    SelectChoice(EmailChoice.DIGEST.value, _l("At most one digest an hour")),
    SelectChoice(EmailChoice.OFF.value, _l("No e-mail: only the bell on the site")),
]


class EmailChoiceForm(FlaskForm):
    """What a user wants of notification e-mails."""

    notification_email = RadioField(_l("E-mail me my notifications"), choices=EMAIL_CHOICES)


class MarkAllForm(FlaskForm):
    """ "Mark all read": only the CSRF token."""
