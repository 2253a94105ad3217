"""The topic form of the back office (the service checks the name)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l


class TopicForm(FlaskForm):
    """Create or rename a topic."""

    name = StringField(_l("Name"), filters=[strip], validators=[single_line])
