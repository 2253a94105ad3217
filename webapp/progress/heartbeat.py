"""One heartbeat from request to answer: authorise → parse → store, whoever received it.

Both receivers call ``answer_beat``: the WSGI fast path (``fastpath.py``, no Flask
context) and the Flask views of ``/api/v1/videos/<id>/progress`` and
``/api/v1/clips/<id>/progress`` (``endpoint.py``). So the grant check, the body's
validation, the error messages, the stored result and the answer's bytes cannot differ
between them. What differs is only how each reads the request (``BeatRequest``) and
what happens to a beat without a valid grant: the views run the full access checks
(``full_checks``), the fast path hands the request to Flask.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from webapp.problems import PROBLEM_TYPE, problem_body
from webapp.progress.beats import NOT_JSON, BadHeartbeat, parse_beat
from webapp.progress.grants import HEADER, Target, grant_key, read_grant
from webapp.progress.services import store_heartbeat
from webapp.progress.store import AccountInactive
from webapp.progress.writer import WriterOutage, WriterUnavailable

CONTENT_TYPE = "application/json"
RETRY_AFTER = ("Retry-After", "1")  # a beat the writer could not take: send it again
FullChecks = Callable[[], Target]  # the access checks a beat without a grant needs


@dataclass(frozen=True)
class BeatRequest:
    """What a heartbeat request says, however it arrived.

    ``caller`` is who a grant must be bound to (``grants.token_caller`` or ``u:<id>``);
    ``read_body`` returns the beat's JSON text (a JSON body, or a beacon's ``beat`` form
    field), None when the request carried neither; it is called only once the beat is
    authorised, so an unanswered request's body is still unread.
    """

    video_id: int | None
    clip_id: int | None
    caller: str
    grant: str | None
    read_body: Callable[[], bytes | str | None]


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to a heartbeat: status, JSON body, extra headers."""

    status: int
    body: dict[str, object]
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = CONTENT_TYPE

    def data(self) -> bytes:
        """The body's bytes, as Flask's ``jsonify`` writes them (compact, keys sorted)."""
        return (json.dumps(self.body, separators=(",", ":"), sort_keys=True) + "\n").encode()


def answer_beat(app: Flask, beat: BeatRequest, full_checks: FullChecks | None) -> Answer | None:
    """Authorise, parse and store one heartbeat; the answer to send.

    Authorised by a valid grant for the caller and module, else by ``full_checks``
    (which raise the API's 401/404/409 and return a target with a fresh grant, handed
    back in the ``X-Heartbeat-Grant`` header); with no grant and no ``full_checks`` this
    returns None: not this caller's to answer. A malformed or impossible beat is a 400,
    a beat of a deactivated account a 401, a beat the writer could not store now a 503
    with ``Retry-After`` (longer when the database is away or the queue is full); they
    store nothing (a beat kept through an outage is stored later, as if on time).
    """
    target = read_grant(grant_key(app), beat.caller, beat.grant, beat.video_id, beat.clip_id)
    if target is None:
        if full_checks is None:
            return None
        target = full_checks()
    try:
        progress = store_heartbeat(app, target, parse_beat(_decode(beat.read_body())))
    except BadHeartbeat as exc:
        return error(400, str(exc))
    except AccountInactive as exc:
        return error(401, str(exc))
    except WriterOutage as exc:
        retry_after = ("Retry-After", str(app.config["OUTAGE_RETRY_AFTER_SECONDS"]))
        return error(503, str(exc), (retry_after,))
    except WriterUnavailable as exc:
        return error(503, str(exc), (RETRY_AFTER,))
    return Answer(200, progress, ((HEADER, target.grant),) if target.grant else ())


def error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """A heartbeat's error answer, in the API's error shape (problem details)."""
    return Answer(status, problem_body(status, message), headers, PROBLEM_TYPE)


def _decode(body: bytes | str | None) -> object:
    if body is None:
        raise BadHeartbeat(NOT_JSON)
    try:
        return json.loads(body)
    except ValueError:
        raise BadHeartbeat(NOT_JSON) from None
