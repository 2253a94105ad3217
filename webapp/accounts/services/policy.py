"""The sign-up policy: who may create an account (open, some domains, invitation only,
closed), stored as site settings."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from webapp.accounts.services.common import AccountsError
from webapp.extensions import db
from webapp.models import SignupPolicy, SiteSetting

POLICY_KEY = "signup_policy"


DOMAINS_KEY = "signup_domains"


DEFAULT_POLICY = SignupPolicy.INVITATION


MAX_DOMAINS = 50


DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _setting(key: str) -> str | None:
    row = db.session.get(SiteSetting, key)
    return row.value if row is not None else None


def _store(key: str, value: str) -> None:
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value


def signup_policy() -> SignupPolicy:
    """The stored policy; invitation only when none is stored (or it is unreadable)."""
    try:
        return SignupPolicy(_setting(POLICY_KEY) or DEFAULT_POLICY)
    except ValueError:
        return DEFAULT_POLICY


def signup_domains() -> list[str]:
    """The domains of the DOMAINS policy, as stored."""
    return [d for d in (_setting(DOMAINS_KEY) or "").split() if d]


def parse_domains(text: str) -> list[str]:
    """The domains typed by an admin (one per line, commas or spaces also separate; an
    ``@`` in front is dropped), lower-cased, without duplicates; AccountsError naming the
    first one that is not a domain name."""
    found: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lstrip("@").lower().rstrip(".")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise AccountsError(
                f"“{raw[:80]}” is not a domain name; write domains such as example.com.",
                "domains",
            )
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        raise AccountsError(_("At most %(num)d domains.", num=MAX_DOMAINS), "domains")
    return found


def set_signup_policy(policy: str, domains_text: str = "") -> tuple[SignupPolicy, list[str]]:
    """Store the policy (and for DOMAINS the domains, at least one)."""
    try:
        chosen = SignupPolicy(policy)
    except ValueError:
        raise AccountsError(_("Choose one of the policies."), "policy") from None
    domains = parse_domains(domains_text)
    if chosen == SignupPolicy.DOMAINS and not domains:
        raise AccountsError(_("Name at least one domain, e.g. example.com."), "domains")
    _store(POLICY_KEY, chosen.value)
    _store(DOMAINS_KEY, " ".join(domains) if chosen == SignupPolicy.DOMAINS else "")
    db.session.flush()
    return chosen, domains


def signup_open() -> bool:
    """Whether the sign-up form is offered at all."""
    return signup_policy() in (SignupPolicy.OPEN, SignupPolicy.DOMAINS)
