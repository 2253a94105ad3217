"""The video edit form. It only carries the input: every rule (title, description, topic,
level, tags, listed) is the service's, so the page and ``PATCH /api/v1/videos/<id>`` give
the same message, shown here beside its field."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.audiences.services import VIDEO_CHOICES
from webapp.forms import strip
from webapp.i18n.lazy import lazy_gettext as _l
from webapp.models import Level
from webapp.videos.services import MAX_DESCRIPTION, MAX_TITLE

KEEP_POSTER = ""


class VideoForm(FlaskForm):
    """Title, description, topic, level, tags, listed, poster frame."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        render_kw={"maxlength": MAX_TITLE, "required": True},
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        render_kw={"rows": 5, "maxlength": MAX_DESCRIPTION},
    )
    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=[], validate_choice=False)
    tags = StringField(
        _l("Tags"),
        filters=[strip],
        description=_l("Comma-separated, e.g. seo, analytics (at most 20, 40 characters each)."),
    )
    listed = BooleanField(_l("Listed in the library"))
    audience = SelectField(
        _l("Who may watch it"),
        choices=[SelectChoice(value, label) for value, label in VIDEO_CHOICES.items()],
        validate_choice=False,
        description=_l("Its clips never reach further than the recording."),
    )
    organisation = SelectField(
        _l("Organisation (for “Members of one organisation”)"),
        choices=[],
        validate_choice=False,  # an unknown one is refused by the service, in its words
    )
    free_preview = BooleanField(
        _l("Free preview: anyone signed in may watch it, without enrolling or prerequisites")
    )
    poster = RadioField(_l("Poster frame"), choices=[], validate_choice=False, default=KEEP_POSTER)

    def set_choices(self, topics: list[tuple[str, str]], frames: list[tuple[str, str]]) -> None:
        """Topic options (slug, name) with "none" first, levels, poster frames."""
        self.topic.choices = [("", "(no topic)"), *topics]
        self.level.choices = [(level.value, level.value.capitalize()) for level in Level]
        self.poster.choices = [(KEEP_POSTER, _("Keep the current poster")), *frames]

    def set_organisations(self, organisations: list[tuple[str, str]]) -> None:
        """The organisations to pick from (slug, name), "none" first."""
        self.organisation.choices = [("", "(none)"), *organisations]
