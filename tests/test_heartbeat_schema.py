"""The heartbeat body the OpenAPI document shows (``HeartbeatBody``) accepts exactly what
the parser every heartbeat goes through (``parse_beat``) accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from webapp.progress.beats import BadHeartbeat, parse_beat
from webapp.progress.schemas import HeartbeatBody

BODIES: list[object] = [
    {"position": 0},
    {"position": 12.5},
    {"position": 12.5, "played": [[0, 12.5]]},
    {"position": 3, "played": [[1, 2], [2, 3]], "session": "a-b_C9", "seq": 0, "rate": 2},
    {"position": 3, "rate": 0.0625},
    {"position": 3, "rate": 16},
    {},
    {"position": -1},
    {"position": "12"},
    {"position": True},
    {"position": 1, "played": [[2, 1]]},
    {"position": 1, "played": [[1]]},
    {"position": 1, "played": [[-1, 1]]},
    {"position": 1, "played": [[0, 1]] * 51},
    {"position": 1, "played": "0-1"},
    {"position": 1, "session": "bad session", "seq": 1},
    {"position": 1, "session": "s", "seq": -1},
    {"position": 1, "session": "s", "seq": 2**53 + 1},
    {"position": 1, "session": "s", "seq": 1.5},
    {"position": 1, "rate": 17},
    {"position": 1, "rate": 0.01},
    {"position": 1, "rate": "fast"},
    {"position": 1, "session": "s"},
    {"position": 1, "seq": 3},
]


def _parser_accepts(body: object) -> bool:
    try:
        parse_beat(body)
    except BadHeartbeat:
        return False
    return True


def _schema_accepts(body: object) -> bool:
    try:
        HeartbeatBody.model_validate(body)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("body", BODIES, ids=[str(b)[:60] for b in BODIES])
def test_the_documented_schema_and_the_parser_agree(body: object) -> None:
    assert _schema_accepts(body) == _parser_accepts(body)


def test_the_heartbeat_routes_document_their_body(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/videos/{video_id}/progress", "/api/v1/clips/{clip_id}/progress"):
        for method in ("put", "post"):
            body = paths[path][method]["requestBody"]["content"]["application/json"]
            assert body["schema"]["$ref"].endswith("/HeartbeatBody")
