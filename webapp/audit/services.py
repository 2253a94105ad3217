"""Writing the audit trail. ``record`` adds a row to the request's session (it flushes;
the request's one commit stores it with the change it describes). ``record_now`` stores
the row at once in its own short transaction, for events of a request that fails.

Every event is also written as one log line on the ``learnstream.audit`` logger, its
fields in ``extra`` (``kind``, ``outcome``, ``actor_id``, ``actor_email``,
``target_type``, ``target_id``, ``target_label``, ``address``, ``detail``), so any
formatter (plain text, JSON) can render them.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from webapp.audit.events import MAX_LABEL, Kind, Outcome, Target, target_of
from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.models.base import utcnow

log = logging.getLogger("learnstream.audit")

MAX_EMAIL = 254  # audit_events.actor_email
MAX_ADDRESS = 64  # audit_events.address


def request_actor() -> User | None:
    """Who is making the current request: the API caller (``g.user``) or the signed-in
    user of the session; None outside a request or for an anonymous one."""
    if not has_request_context():
        return None
    user = g.get("user")
    if isinstance(user, User):
        return user
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _values(
    kind: Kind,
    actor: User | None,
    actor_email: str | None,
    target: object,
    detail: dict[str, Any] | None,
    outcome: Outcome,
) -> dict[str, Any]:
    """The row's columns. ``actor`` defaults to the request's caller; ``actor_email``
    (what was typed on a failed sign-in) stands in when there is no account."""
    actor = actor if actor is not None else request_actor()
    found = target if target is None or isinstance(target, Target) else target_of(target)
    extra = dict(detail or {})
    address = None
    if has_request_context():
        address = (request.remote_addr or "")[:MAX_ADDRESS] or None
        extra.setdefault("request", f"{request.method} {request.path}"[:300])
    email = actor.email if actor is not None else actor_email
    return {
        "at": utcnow(),
        "kind": str(kind),
        "outcome": str(outcome),
        "actor_id": actor.id if actor is not None else None,
        "actor_email": email[:MAX_EMAIL] if email else None,
        "target_type": found.type if found else None,
        "target_id": found.id if found else None,
        "target_label": (found.label if found else "")[:MAX_LABEL],
        "address": address,
        "detail": extra,
    }


def _log(values: dict[str, Any]) -> None:
    fields = {k: v for k, v in values.items() if k != "at"}
    log.info(
        "audit %s %s actor=%s target=%s:%s",
        values["kind"],
        values["outcome"],
        values["actor_email"] or "-",
        values["target_type"] or "-",
        values["target_id"] or "-",
        extra={"event": "audit", **fields},
    )


def record(
    kind: Kind,
    actor: User | None = None,
    target: object = None,
    detail: dict[str, Any] | None = None,
    *,
    outcome: Outcome = Outcome.SUCCESS,
    actor_email: str | None = None,
) -> AuditEvent:
    """Add an event to the current transaction (flushed; the caller commits).

    ``target`` is a ``Target`` or a model instance (``target_of`` names it)."""
    values = _values(kind, actor, actor_email, target, detail, outcome)
    event = AuditEvent(**values)
    db.session.add(event)
    db.session.flush()
    _log(values)
    return event


def record_now(
    kind: Kind,
    actor: User | None = None,
    target: object = None,
    detail: dict[str, Any] | None = None,
    *,
    outcome: Outcome = Outcome.FAILURE,
    actor_email: str | None = None,
) -> None:
    """Store an event at once, in a transaction of its own, whatever becomes of the
    request's.

    A failed sign-in, a throttled one or a burst of 403s ends in an error answer: the
    request's session is rolled back or never committed, and an event added to it would
    vanish with it. So this one goes through a separate connection of the pool and
    commits on its own (a short INSERT; it takes no lock the request holds). A database
    error here is logged, never raised: the refusal the caller is answering with matters
    more than its record, and the log line is still written.

    On SQLite there is one writer at a time: call this while the request's session has
    written nothing (true of every caller), or the second connection waits for its lock."""
    values = _values(kind, actor, actor_email, target, detail, outcome)
    _log(values)
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(AuditEvent).values(**values))
    except Exception:  # noqa: BLE001  (any database failure: keep answering)
        log.exception("could not store the audit event %s", values["kind"])
