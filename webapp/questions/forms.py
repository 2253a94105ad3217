"""The inbox's forms: an answer typed inline, and the moderation buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from webapp.i18n.lazy import lazy_gettext as _l
from webapp.questions.services import MAX_BODY

ACTIONS = ("resolve", "unresolve", "hide", "unhide", "lock", "unlock", "delete", "accept")


class AnswerForm(FlaskForm):
    """An answer in Markdown."""

    body = TextAreaField(
        _l("Your answer"),
        validators=[DataRequired(_l("Write an answer first.")), Length(max=MAX_BODY)],
        description=_l("Markdown: **bold**, *italic*, `code`, lists and links."),
    )


class ModerateForm(FlaskForm):
    """One moderation button: ``action`` (and ``answer_id`` to accept an answer)."""

    action = HiddenField(validators=[DataRequired(), AnyOf(ACTIONS)])
    answer_id = IntegerField(validators=[Optional()])
