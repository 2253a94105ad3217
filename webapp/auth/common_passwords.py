"""Is a new password one that attackers try first? (ASVS 5.0 6.2.4)

The list is the 30,000 most common passwords of leaked-password corpora that ships,
offline, with ``zxcvbn`` (its ``passwords`` frequency list). It is loaded on first use:
only password changes and account creation need it.
"""

from __future__ import annotations

from functools import cache


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """True when ``password``, ignoring case, is on the common-password list."""
    return password.casefold() in _common()
