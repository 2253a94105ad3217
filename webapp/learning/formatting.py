"""How fees and program lengths read on the catalogue pages, in the request's language
(English outside a request); times and dates are :mod:`webapp.timefmt`'s."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.timefmt import current_locale

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
WEEKS_PER_MONTH = 52 / 12


def format_money(cents: int, currency: str, locale: str | None = None) -> str:
    """An amount, zero included. English: ``49900, "EUR"`` → ``"€499.00"``, unknown codes
    follow (``"499.00 CHF"``); other languages as Babel writes them (``"499,00 €"``)."""
    locale = locale or current_locale()
    if locale.split("_")[0] != "en":
        return format_currency(Decimal(cents) / 100, currency.upper(), locale=locale)
    amount = f"{cents // 100:,}.{cents % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def format_fee(cents: int, currency: str, locale: str | None = None) -> str:
    """``49900, "EUR"`` → ``"€499.00"`` (:func:`format_money`); 0 → Free."""
    if cents <= 0:
        return "Free" if (locale or current_locale()).startswith("en") else _("Free")
    return format_money(cents, currency, locale)


def format_length(weeks: int) -> str:
    """``6`` → ``"6 weeks"``; ``26`` → ``"26 weeks (about 6 months)"``; 0 → self-paced."""
    if weeks <= 0:
        return _("Self-paced")
    text = ngettext("%(num)d week", "%(num)d weeks", weeks)
    if weeks >= 8:
        months = round(weeks / WEEKS_PER_MONTH)
        text = _(
            "%(weeks)s (about %(months)s)",
            weeks=text,
            months=ngettext("%(num)d month", "%(num)d months", months),
        )
    return text
