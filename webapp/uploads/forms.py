"""The upload page's plain form: one file with its details (the API takes the same)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.extensions import db
from webapp.forms import strip
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import Level, Topic


class UploadForm(FlaskForm):
    """A recording and its details; ``check_details`` decides what is acceptable."""

    file = FileField(_l("Video file (MP4, MOV, M4V, MKV or WebM)"))
    title = StringField(_l("Title"), filters=[strip])
    description = TextAreaField(_l("Description"), filters=[strip])
    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=[], validate_choice=False)
    tags = StringField(_l("Tags"), description=_l("Comma-separated, e.g. python, statistics."))
    # A select, not a checkbox: a post without the field (older clients) keeps the default.
    listed = SelectField(
        _l("Visibility"),
        choices=[
            SelectChoice("yes", _l("Listed in the library")),
            SelectChoice("no", _l("Unlisted")),
        ],
        default="yes",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.topic.choices = topic_choices()
        self.level.choices = level_choices()


def topic_choices() -> list[SelectChoice]:
    """Every topic (slug, name), after a "no topic" choice."""
    topics = db.session.scalars(select(Topic).order_by(Topic.name))
    return [SelectChoice("", _("No topic"))] + [SelectChoice(t.slug, t.name) for t in topics]


def level_choices() -> list[SelectChoice]:
    """Every catalogue level, after a "default" choice."""
    levels = [SelectChoice(str(level), level.title()) for level in Level]
    return [SelectChoice("", _("Default (foundation)")), *levels]
