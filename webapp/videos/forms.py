"""The video edit form. Its checks are only the shape of the input (lengths, choices);
the rules (title, topic, level, tags) are the service's, shown beside their field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import single_line, strip
from webapp.models import Level
from webapp.videos.services import MAX_DESCRIPTION, MAX_TITLE

KEEP_POSTER = ""


class VideoForm(FlaskForm):
    """Title, description, topic, level, tags, listed, poster frame."""

    title = StringField(
        "Title",
        filters=[strip],
        validators=[DataRequired("Give the video a title."), Length(max=MAX_TITLE), single_line],
        render_kw={"maxlength": MAX_TITLE, "required": True},
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Optional(), Length(max=MAX_DESCRIPTION)],
        render_kw={"rows": 5},
    )
    topic = SelectField("Topic", choices=[], validate_choice=False)
    level = SelectField("Level", choices=[], validate_choice=False)
    tags = StringField(
        "Tags",
        filters=[strip],
        description="Comma-separated, e.g. seo, analytics (at most 20, 40 characters each).",
        validators=[Optional(), Length(max=1000)],
    )
    listed = BooleanField("Listed in the library")
    poster = RadioField("Poster frame", choices=[], validate_choice=False, default=KEEP_POSTER)

    def set_choices(self, topics: list[tuple[str, str]], frames: list[tuple[str, str]]) -> None:
        """Topic options (slug, name) with "none" first, levels, poster frames."""
        self.topic.choices = [("", "(no topic)"), *topics]
        self.level.choices = [(level.value, level.value.capitalize()) for level in Level]
        self.poster.choices = [(KEEP_POSTER, "Keep the current poster"), *frames]
