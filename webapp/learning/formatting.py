"""How fees and program lengths read on the catalogue pages (pure functions); times and
dates are :mod:`webapp.timefmt`'s."""

from __future__ import annotations

from decimal import Decimal

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
WEEKS_PER_MONTH = 52 / 12


def format_fee(cents: int, currency: str) -> str:
    """``49900, "EUR"`` → ``"€499.00"``; unknown codes follow: ``"499.00 CHF"``; 0 → Free."""
    if cents <= 0:
        return "Free"
    amount = f"{cents // 100:,}.{cents % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


def format_length(weeks: int) -> str:
    """``6`` → ``"6 weeks"``; ``26`` → ``"26 weeks (about 6 months)"``; 0 → self-paced."""
    if weeks <= 0:
        return "Self-paced"
    text = "1 week" if weeks == 1 else f"{weeks} weeks"
    if weeks >= 8:
        months = round(weeks / WEEKS_PER_MONTH)
        text += f" (about {months} month{'s' if months != 1 else ''})"
    return text


def _page_locale() -> str:
    """The request's language ("en" outside a request)."""
    from flask_babel import get_locale  # noqa: PLC0415 - the pure helpers above need no Flask

    current = get_locale()
    return "en" if current is None else str(current)


def page_fee(cents: int, currency: str) -> str:
    """A fee as a page shows it, in the request's language: English as
    :func:`format_fee` (the API's), other languages with their own number format
    (``"499,00 €"``)."""
    from babel.numbers import format_currency  # noqa: PLC0415
    from flask_babel import gettext  # noqa: PLC0415

    if cents <= 0:
        return gettext("Free")
    locale = _page_locale()
    if locale.startswith("en"):
        return format_fee(cents, currency)
    return format_currency(Decimal(cents) / 100, currency.upper(), locale=locale)


def page_length(weeks: int) -> str:
    """A program's length as a page shows it, in the request's language (English as
    :func:`format_length`)."""
    from flask_babel import gettext, ngettext  # noqa: PLC0415

    if weeks <= 0:
        return gettext("Self-paced")
    text = ngettext("%(num)d week", "%(num)d weeks", weeks)
    if weeks >= 8:
        months = round(weeks / WEEKS_PER_MONTH)
        text += " " + ngettext("(about %(num)d month)", "(about %(num)d months)", months)
    return text
