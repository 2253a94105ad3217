"""Record watched time over HTTP as the player does: open a watch session (a progress read
hands out the heartbeat grant), let the stopped clock move on, then send the beat.

Watched time is credited at most ``PLAYER_MAX_RATE`` x the server's wall time since the
session began (docs/api.md, Heartbeats): a beat reporting played time without that
time having passed is credited nothing, whatever it claims.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from time_machine import TimeMachineFixture
from werkzeug.test import TestResponse

from webapp.progress.beats import PLAYER_MAX_RATE
from webapp.progress.grants import HEADER


def watch(
    client: FlaskClient,
    url: str,
    played: list[list[float]],
    clock: TimeMachineFixture,
    headers: dict[str, str] | None = None,
    position: float | None = None,
) -> TestResponse:
    """PUT a heartbeat reporting ``played`` to ``url`` (a video's or a clip's progress)
    in a session opened just long enough before (``clock``: the ``clock`` fixture);
    ``headers`` authenticate it (a bearer token, or a signed-in client's CSRF header)."""
    headers = dict(headers or {})
    bearer = {k: v for k, v in headers.items() if k.lower() == "authorization"}
    opened = client.get(url, headers=bearer)
    assert opened.status_code == 200, opened.get_data(as_text=True)
    clock.shift(sum(end - start for start, end in played) / PLAYER_MAX_RATE + 1)
    body = {"position": played[-1][1] if position is None else position, "played": played}
    return client.put(url, json=body, headers={**headers, HEADER: opened.headers[HEADER]})
