"""Verification codes: random, unguessable, easy to read aloud and type back (pure)."""

from __future__ import annotations

import hashlib
import re
import secrets

# RFC 4648 base32: no 0/1/8/9, so O/0 and I/1 cannot be confused.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LENGTH = 20  # 100 bits from the OS's CSPRNG
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-]+")
_VALID = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    """A fresh code of ``LENGTH`` base32 characters, e.g. ``K7QX2M4RBD5TZP6WNC3H``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``K7QX2M4RBD5TZP6WNC3H`` → ``K7QX-2M4R-BD5T-ZP6W-NC3H``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize(text: object) -> str | None:
    """The canonical code in what someone typed or pasted (any case, hyphens, spaces),
    or None when it cannot be a code, so malformed input never reaches the database."""
    if not isinstance(text, str) or len(text) > 4 * LENGTH:
        return None
    code = _SEPARATORS.sub("", text).upper()
    return code if _VALID.match(code) else None


def digest(code: str) -> str:
    """SHA-256 (hex) of a canonical code: what the public lookup compares."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()
