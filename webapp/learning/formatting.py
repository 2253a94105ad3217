"""How fees and program lengths read on the catalogue pages (pure functions); times and
dates are :mod:`webapp.timefmt`'s."""

from __future__ import annotations

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
