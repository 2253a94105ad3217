"""The branding form: shape and length here; colour contrast and image types are
checked by the services (shared rules, one message each)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from webapp.branding.colour import normalise
from webapp.branding.images import ACCEPTED
from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l


def hex_colour(form: object, field: Field) -> None:
    """``#rrggbb`` (``#rgb`` accepted), or empty for the default colour."""
    if field.data and normalise(field.data) is None:
        raise ValidationError(_("Write the colour as #rrggbb, e.g. #1f5fbf."))


class BrandingForm(FlaskForm):
    """Name, primary colour, logo and favicon of the platform."""

    name = StringField(
        _l("Platform name"),
        filters=[strip],
        validators=[InputRequired(), Length(max=60), single_line],
        description=_l("Shown in the header and in every page title."),
    )
    colour = StringField(
        _l("Primary colour"),
        filters=[strip],
        validators=[Optional(), Length(max=7), hex_colour],
        description=_l("#rrggbb; buttons and links. Empty for the default blue."),
    )
    logo = FileField(
        _l("Logo"), description=_l("%(types)s, up to 512 KB; shown 32 px tall.", types=ACCEPTED)
    )
    remove_logo = BooleanField(_l("Use the default logo"))
    favicon = FileField(
        _l("Favicon"), description=_l("%(types)s, up to 512 KB; square.", types=ACCEPTED)
    )
    remove_favicon = BooleanField(_l("Use the default favicon"))
