"""How fees, lengths and durations read on the catalogue pages (pure functions)."""

from __future__ import annotations

from datetime import date

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


def format_duration(seconds: float) -> str:
    """Total video time: ``"45 s"``, ``"12 min"``, ``"2 h 05 min"``."""
    seconds = max(0, round(seconds or 0))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_clock(seconds: float) -> str:
    """A module's length as ``m:ss``."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_date(day: date) -> str:
    """A cohort start date: ``"Mon 5 Jan 2026"``."""
    return f"{day:%a} {day.day} {day:%b %Y}"
