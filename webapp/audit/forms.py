"""The audit page's filters (a GET form: no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from webapp.audit.events import Kind
from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l


class AuditSearchForm(FlaskForm):
    """Kind, actor's address, target, client address and a range of days (UTC)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Event"),
        choices=[
            SelectChoice("", _l("Any event")),
            *(SelectChoice(k.value, k.value) for k in Kind),
        ],
        default="",
    )
    actor = StringField(
        _l("Actor's e-mail contains"), filters=[strip], validators=[Length(max=254), single_line]
    )
    target = StringField(
        _l("Target (type, id or label)"),
        filters=[strip],
        validators=[Length(max=200), single_line],
    )
    address = StringField(
        _l("Client address starts with"),
        filters=[strip],
        validators=[Length(max=64), single_line],
    )
    since = DateField(_l("From (UTC day)"), validators=[Optional()])
    until = DateField(_l("To (UTC day, included)"), validators=[Optional()])

    def validate_until(self, field: Any) -> None:
        """The range must not end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The end day comes before the start day."))
