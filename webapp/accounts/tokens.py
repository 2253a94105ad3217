"""Single-use link tokens: 32 random bytes for the link, only their SHA-256 in the database
(a copy of the database lets nobody open an invitation or reset a password)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128  # far longer than ours (43 characters): refused before hashing


def digest(token: str) -> str:
    """The stored form of ``token``: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for a link and its digest for the database: ``(token, digest)``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def plausible(token: str) -> bool:
    """Whether ``token`` could be one of ours (bounded, URL-safe characters)."""
    return 0 < len(token) <= MAX_TOKEN_LENGTH and all(
        ch.isascii() and (ch.isalnum() or ch in "-_") for ch in token
    )
