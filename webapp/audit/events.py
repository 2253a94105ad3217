"""The kinds of security event, their outcomes, and what a row names as its target."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What happened (``audit_events.kind``)."""

    SIGNIN = "signin"
    SIGNIN_THROTTLED = "signin.throttled"
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_RESET = "password.reset"
    EMAIL_CHANGED = "email.changed"
    ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    DELETED = "deleted"
    EXPORTED = "exported"
    CERTIFICATE_REVOKED = "certificate.revoked"
    FORBIDDEN_BURST = "forbidden.burst"


class Outcome(StrEnum):
    """How it ended (``audit_events.outcome``)."""

    SUCCESS = "success"
    FAILURE = "failure"  # wrong credentials, a refused change
    REFUSED = "refused"  # throttled, forbidden


MAX_LABEL = 200  # audit_events.target_label


@dataclass(frozen=True)
class Target:
    """What an event was about: a type (``video``, ``user`` …), an id and a label as it
    read at the time (a title, a name, an address)."""

    type: str
    id: str | None
    label: str = ""


_LABEL_ATTRIBUTES = ("title", "name", "email", "code", "slug")


def target_of(thing: object, type_name: str | None = None) -> Target:
    """The target for a model instance: its class name in snake case, its id, and the
    first of its title, name, e-mail address, code or slug that is set."""
    name = type_name or _snake(type(thing).__name__)
    label = next(
        (str(v) for a in _LABEL_ATTRIBUTES if (v := getattr(thing, a, None))),
        "",
    )
    ident = getattr(thing, "id", None)
    return Target(name, None if ident is None else str(ident), label[:MAX_LABEL])


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
