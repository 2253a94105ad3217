"""Sign-in throttling: failed attempts counted per account and per client address.

Every credential check (the sign-in form, ``POST /api/v1/tokens``, the current password
on the password-change page) goes through ``webapp.auth.services``, which asks
``ensure_allowed`` first and reports the outcome with ``record_failure`` or
``record_success``. Only failures count (an account's attempt is taken as it starts,
atomically, and given back when it succeeds), in two buckets with the limits
``SIGNIN_LIMIT_PER_ACCOUNT`` and ``SIGNIN_LIMIT_PER_ADDRESS`` (``limits`` notation,
e.g. ``"5 per minute"``): one per e-mail address as typed (normalised and hashed, so an
unknown address is throttled exactly like a real one), one per client address (IPv6 by
its /64). When either is used up, the attempt is refused with ``SignInThrottled`` (429
and ``Retry-After``) before the password is looked at. A successful sign-in clears its
account's bucket.

The counts live in a ``limits`` storage shared by every web process
(``RATELIMIT_STORAGE_URI``: Redis, or else SQL through ``webapp.auth.sql_limits``; a
per-process ``memory://`` only when asked for), used directly: no route has a per-request limit, so
Flask-Limiter's three hooks on every request (heartbeats included) would buy nothing
(``bench/framework.py`` measures what they cost). If that storage fails, a per-process
memory store stands in for ``FALLBACK_SECONDS``, so a storage outage neither locks everyone
out nor switches throttling off.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app, has_request_context, make_response, request
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import RateLimitItem, WindowStats, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import STRATEGIES, RateLimiter
from werkzeug.exceptions import TooManyRequests

from webapp.auth import sql_limits  # noqa: F401 (registers the sqla+ schemes)
from webapp.errors import error_response

EXTENSION = "signin_throttle"
ACCOUNT = "signin-account"
ADDRESS = "signin-address"
FALLBACK_SECONDS = 30.0

log = logging.getLogger(__name__)
T = TypeVar("T")
Key = tuple[str, str, str]  # the identifiers of one bucket: prefix, scope, key


class SignInThrottled(TooManyRequests):
    """Too many failed attempts for this account or from this address (HTTP 429)."""

    retry_after: int

    def __init__(self, retry_after: int) -> None:
        wait = max(1, retry_after)
        message = _(
            "Too many failed sign-in attempts. Try again in %(wait)s.", wait=_wait_text(wait)
        )
        super().__init__(message, retry_after=wait)


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d minutes", "%(num)d minutes", minutes)


@dataclass
class Throttle:
    """The limits and the storage of one app (kept per app, not on the shared Limiter)."""

    prefix: str
    per_account: list[RateLimitItem]
    per_address: list[RateLimitItem]
    strategy: RateLimiter
    errors: tuple[type[Exception], ...]
    fallback: RateLimiter
    fallback_until: float = 0.0

    def active(self) -> RateLimiter:
        """The shared storage's strategy, or the memory stand-in after a failure."""
        return self.fallback if time.monotonic() < self.fallback_until else self.strategy

    def run(self, operation: Callable[[RateLimiter], T]) -> T:
        """``operation(strategy)`` on the active storage; on a storage error, again on
        the memory stand-in, which then stays in charge for ``FALLBACK_SECONDS``."""
        strategy = self.active()
        try:
            return operation(strategy)
        except self.errors as exc:
            if strategy is self.fallback:
                raise
            log.warning("sign-in throttle storage failed (%s); using memory for now", exc)
            self.fallback_until = time.monotonic() + FALLBACK_SECONDS
            return operation(self.fallback)


def init_app(app: Flask) -> None:
    """Attach this app's throttle and its storage; answer ``SignInThrottled`` with 429."""
    app.register_error_handler(SignInThrottled, throttled_response)
    if not app.config.get("RATELIMIT_ENABLED", True):
        app.config["RATELIMIT_ENABLED"] = False
        return
    strategy = STRATEGIES[app.config["RATELIMIT_STRATEGY"]]
    storage = storage_from_string(
        app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
        **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
    )
    app.extensions[EXTENSION] = Throttle(
        prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "learnstream",
        per_account=parse_many(app.config["SIGNIN_LIMIT_PER_ACCOUNT"]),
        per_address=parse_many(app.config["SIGNIN_LIMIT_PER_ADDRESS"]),
        strategy=strategy(storage),
        errors=_storage_errors(storage),
        fallback=strategy(MemoryStorage()),
    )


def _window_stats(item: RateLimitItem, key: Key) -> Callable[[RateLimiter], WindowStats]:
    return lambda strategy: strategy.get_window_stats(item, *key)


def _hit(item: RateLimitItem, key: Key) -> Callable[[RateLimiter], bool]:
    return lambda strategy: strategy.hit(item, *key)


def _clear(item: RateLimitItem, key: Key) -> Callable[[RateLimiter], None]:
    return lambda strategy: strategy.clear(item, *key)


def _storage_errors(storage: object) -> tuple[type[Exception], ...]:
    errors = getattr(storage, "base_exceptions", ())
    return errors if isinstance(errors, tuple) else (errors,)


def throttled_response(exc: SignInThrottled):
    """The 429 page or JSON error, with ``Retry-After`` in seconds."""
    response = make_response(error_response(429, exc.description))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _throttle() -> Throttle | None:
    return current_app.extensions.get(EXTENSION)


def account_key(email: str) -> str:
    """The account bucket's key: a digest of the normalised address (no PII stored)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]


def address_key(address: str | None) -> str:
    """The address bucket's key: the IPv4 address, or the /64 an IPv6 address is in."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _account(throttle: Throttle, email: str) -> Key:
    return (throttle.prefix, ACCOUNT, account_key(email))


def _address(throttle: Throttle) -> Key | None:
    if not has_request_context():
        return None
    return (throttle.prefix, ADDRESS, address_key(request.remote_addr))


def _wait(throttle: Throttle, items: list[RateLimitItem], key: Key, now: float) -> float:
    """Seconds until ``key`` has room again in every one of ``items`` (0: it has now)."""
    wait = 0.0
    for item in items:
        reset_at, remaining = throttle.run(_window_stats(item, key))
        if remaining <= 0:
            wait = max(wait, reset_at - now)
    return wait


def ensure_allowed(email: str) -> None:
    """Count this attempt against the account, or raise ``SignInThrottled`` if this
    account or this client has no attempts left.

    The account's attempt is taken before the password is looked at, in one atomic
    step of the shared storage: processes checking the same account at the same moment
    cannot each see a free attempt (a success gives it back, ``record_success``). The
    address is only checked here; its failures count in ``record_failure``.
    """
    throttle = _throttle()
    if throttle is None:
        return
    now = time.time()
    address = _address(throttle)
    wait = _wait(throttle, throttle.per_address, address, now) if address else 0.0
    account = _account(throttle, email)
    if wait <= 0:
        for item in throttle.per_account:
            if not throttle.run(_hit(item, account)):
                wait = max(wait, _wait(throttle, [item], account, now))
    else:
        wait = max(wait, _wait(throttle, throttle.per_account, account, now))
    if wait > 0:
        raise SignInThrottled(math.ceil(wait))


def record_failure(email: str) -> None:
    """Count one failed attempt against the client address (``ensure_allowed`` counted
    it against the account already)."""
    throttle = _throttle()
    if throttle is None:
        return
    address = _address(throttle)
    if address is None:
        return
    for item in throttle.per_address:
        throttle.run(_hit(item, address))


def record_success(email: str) -> None:
    """Forget the account's attempts (the address bucket keeps counting down by time)."""
    throttle = _throttle()
    if throttle is None:
        return
    for item in throttle.per_account:
        throttle.run(_clear(item, _account(throttle, email)))


def reset_counts() -> None:
    """Forget every count of this app's throttle (`flask users unthrottle`, after an attack)."""
    throttle = _throttle()
    if throttle is None:
        return
    for strategy in (throttle.strategy, throttle.fallback):
        strategy.storage.reset()
    throttle.fallback_until = 0.0


def spend(scope: str, key: str, limit: str) -> int:
    """Count one use of ``scope`` by ``key`` against ``limit`` (``limits`` notation); the
    seconds to wait when it is used up (nothing counted then), else 0. For requests that
    cost us something whatever their outcome (password-reset and verification e-mails)."""
    throttle = _throttle()
    if throttle is None:
        return 0
    bucket: Key = (throttle.prefix, scope, account_key(key))
    now = time.time()
    for item in parse_many(limit):
        if not throttle.run(_hit(item, bucket)):
            reset_at, _ = throttle.run(_window_stats(item, bucket))
            return max(1, math.ceil(reset_at - now))
    return 0


def client_key() -> str:
    """The requesting client's bucket key (see ``address_key``)."""
    return address_key(request.remote_addr) if has_request_context() else "none"
