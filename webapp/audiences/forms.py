"""The form that sets one module's audience and free preview."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from webapp.audiences.services import MODULE_CHOICES
from webapp.i18n.lazy import lazy_gettext as _l


class ModuleAudienceForm(FlaskForm):
    """Who may watch a module (a clip's or a whole recording's)."""

    audience = SelectField(
        _l("Who may watch it"),
        choices=[SelectChoice(value, label) for value, label in MODULE_CHOICES.items()],
        validate_choice=False,  # the service refuses an unknown value with its own words
        description=_l("A clip never reaches further than its recording's audience."),
    )
    organisation = SelectField(
        _l("Organisation (for “Members of one organisation”)"),
        choices=[],
        validate_choice=False,  # an unknown one is refused by the service, in its words
    )
    free_preview = BooleanField(
        _l("Free preview: anyone signed in may watch it, without enrolling or prerequisites")
    )

    def set_organisations(self, organisations: list[tuple[str, str]]) -> None:
        """The organisations to pick from (slug, name), "none" first."""
        self.organisation.choices = [("", _l("(none)")), *organisations]
