"""Forms of enrolment and fees. The services check every value (one validation path for
pages and API); the forms carry the input and its choices."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from webapp.forms import single_line, strip
from webapp.i18n.lazy import lazy_gettext as _l


class EnrolForm(FlaskForm):
    """A learner's enrolment: a cohort (when the program has upcoming ones) and a
    voucher code (when it costs a fee)."""

    cohort = RadioField(_l("Cohort"), coerce=str, validate_choice=False)
    voucher = StringField(
        _l("Voucher code"),
        filters=[strip],
        validators=[Optional(), single_line],
        description=_l("Optional: a code you were given for a discount."),
    )


class PaymentForm(FlaskForm):
    """An admin records a payment seen on the bank account."""

    reference = StringField(_l("Payment reference"), filters=[strip], validators=[single_line])
    note = StringField(_l("Note"), filters=[strip], validators=[single_line])


class VoucherForm(FlaskForm):
    """A new voucher."""

    code = StringField(_l("Code"), filters=[strip], validators=[single_line])
    percent = IntegerField(
        _l("Percent off"),
        validators=[NumberRange(1, 100, _l("Enter a whole number from 1 to 100."))],
        description=_l("100 covers the whole fee."),
    )
    program = SelectField(_l("Program"), choices=[], validate_choice=False)
    max_uses = IntegerField(
        _l("Maximum uses"),
        validators=[Optional(), NumberRange(1, 1_000_000, _l("At least 1, or empty."))],
        description=_l("Empty: unlimited."),
    )
    expires_at = DateTimeLocalField(
        _l("Expires (UTC)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
