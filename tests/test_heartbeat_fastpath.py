"""The heartbeat's fast path (``webapp/progress/fastpath.py``): which beats it answers
without Flask, that its answers are the Flask view's, and that everything else still
goes through Flask's checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, request, request_started
from sqlalchemy import select

from tests.support.auth import Auth
from tests.support.factories import bearer_headers
from webapp.extensions import db
from webapp.models import Clip, Video, WatchProgress
from webapp.progress.fastpath import MAX_BODY

GRANT = "X-Heartbeat-Grant"


@pytest.fixture
def learner(app: Flask, make_user, make_ready_video):
    """A learner with an API token, and a ready video they may watch."""
    owner = make_user("instructor")
    user = make_user("learner")
    video_id = make_ready_video(owner.id)
    return user, video_id, bearer_headers(app, user)


@contextmanager
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests Flask dispatched (its ``request_started`` signal)."""
    seen: list[str] = []

    def record(sender: Flask, **_extra) -> None:
        seen.append(request.path)

    with request_started.connected_to(record, app):
        yield seen


def _grant(app: Flask, url: str, headers: dict[str, str]) -> str:
    first = app.test_client().put(url, json={"position": 1}, headers=headers)
    assert first.status_code == 200
    return first.headers[GRANT]


def _position(app: Flask, user_id: int) -> float:
    with app.app_context():
        return db.session.scalar(
            select(WatchProgress.position).where(WatchProgress.user_id == user_id)
        )


def test_a_granted_api_beat_is_stored_without_flask(app: Flask, learner) -> None:
    user, video_id, headers = learner
    url = f"/api/v1/videos/{video_id}/progress"
    with flask_requests(app) as seen:
        grant = _grant(app, url, headers)
        assert seen == [url]  # the first beat: Flask, the full checks, a grant
        second = app.test_client().put(
            url, json={"position": 2.5}, headers={**headers, GRANT: grant}
        )
        assert seen == [url]  # the second: the fast path
    assert second.status_code == 200
    assert second.get_json() == {
        "completed": False,
        "percent": 0.0,
        "position": 2.5,
        "watched_seconds": 0.0,
    }
    assert _position(app, user.id) == 2.5


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


SAME_ANSWER_CASES = {
    # good beats (replaying one changes nothing: the position rule and the union)
    "position only": (_json({"position": 0}), 200),
    "played, session": (_json({"position": 3, "played": [[1, 3]], "session": "s1", "seq": 1}), 200),
    "rate": (_json({"position": 2, "rate": 2}), 200),
    # bad bodies
    "not JSON": (b"{position: 1", 400),
    "blank": (b" ", 400),
    "null": (b"null", 400),
    "a list": (b"[1, 2]", 400),
    "no position": (_json({"played": []}), 400),
    "negative position": (_json({"position": -1}), 400),
    "boolean position": (_json({"position": True}), 400),
    "text position": (_json({"position": "3"}), 400),
    "NaN position": (b'{"position": NaN}', 400),
    "played not a list": (_json({"position": 1, "played": "x"}), 400),
    "reversed interval": (_json({"position": 1, "played": [[3, 1]]}), 400),
    "half an interval": (_json({"position": 1, "played": [[1]]}), 400),
    "too many intervals": (_json({"position": 1, "played": [[0, 0.1]] * 51}), 400),
    "session without seq": (_json({"position": 1, "session": "s"}), 400),
    "bad session": (_json({"position": 1, "session": "no spaces", "seq": 1}), 400),
    "negative seq": (_json({"position": 1, "session": "s", "seq": -1}), 400),
    "rate too high": (_json({"position": 1, "rate": 100}), 400),
    "rate not a number": (_json({"position": 1, "rate": "fast"}), 400),
}


@pytest.mark.parametrize("case", list(SAME_ANSWER_CASES))
def test_fast_answers_are_the_views_answers(app: Flask, learner, clock, case: str) -> None:
    """The same beat through the fast path and through the Flask view (a cookie sends it
    there): the same status, body and headers, for good and bad beats alike. (The clock
    stands still after the grant's 10 s, which cover what the beats report: the credit
    is the same for both.)"""
    body, status = SAME_ANSWER_CASES[case]
    _, video_id, headers = learner
    url = f"/api/v1/videos/{video_id}/progress"
    granted = {**headers, GRANT: _grant(app, url, headers), "Content-Type": "application/json"}
    granted["X-Request-ID"] = "same-beat-0001"  # echoed by both paths alike
    clock.shift(10)
    with flask_requests(app) as seen:
        fast = app.test_client().put(url, data=body, headers=granted)
        assert not seen
        with_cookie = app.test_client()
        with_cookie.set_cookie("theme", "dark")
        slow = with_cookie.put(url, data=body, headers=granted)
        assert seen == [url]
    assert fast.status_code == status
    assert (fast.status_code, fast.data) == (slow.status_code, slow.data)
    slow_headers = {k: v for k, v in slow.headers.items() if k != "Vary"}
    assert dict(fast.headers.items()) == slow_headers
    if status == 400:
        assert fast.mimetype == "application/problem+json"
        assert set(fast.get_json()) == {"type", "title", "status", "detail", "error"}


def test_bad_bodies_on_the_fast_path_are_400_and_store_nothing(app: Flask, learner) -> None:
    user, video_id, headers = learner
    url = f"/api/v1/videos/{video_id}/progress"
    granted = {**headers, GRANT: _grant(app, url, headers), "Content-Type": "application/json"}
    client = app.test_client()
    with flask_requests(app) as seen:
        not_json = client.put(url, data=b"{position: 1", headers=granted)
        nan = client.put(url, data=b'{"position": NaN}', headers=granted)
        not_object = client.put(url, data=b"[1, 2]", headers=granted)
        assert not seen
    assert not_json.status_code == 400 and "must be JSON" in not_json.get_json()["error"]
    assert nan.status_code == 400 and "finite" in nan.get_json()["error"]
    assert not_object.status_code == 400 and "JSON object" in not_object.get_json()["error"]
    assert _position(app, user.id) == 1


@pytest.mark.parametrize(
    "change",
    ["no grant", "tampered grant", "form body", "large body", "trailing slash", "GET"],
)
def test_everything_else_goes_through_flask(app: Flask, learner, change: str) -> None:
    _, video_id, headers = learner
    url = f"/api/v1/videos/{video_id}/progress"
    grant = _grant(app, url, headers)
    granted = {**headers, GRANT: grant}
    client = app.test_client()
    with flask_requests(app) as seen:
        if change == "no grant":
            response = client.put(url, json={"position": 2}, headers=headers)
        elif change == "tampered grant":
            tampered = {**headers, GRANT: grant[:-1] + ("0" if grant[-1] != "0" else "1")}
            response = client.put(url, json={"position": 2}, headers=tampered)
        elif change == "form body":
            form = {"beat": json.dumps({"position": 2}), "grant": grant}
            response = client.post(url, data=form, headers=headers)
        elif change == "large body":
            body = json.dumps({"position": 2, "pad": "x" * MAX_BODY})
            response = client.put(
                url, data=body, headers={**granted, "Content-Type": "application/json"}
            )
        elif change == "trailing slash":
            response = client.put(url + "/", json={"position": 2}, headers=granted)
        else:
            response = client.get(url, headers=granted)
        assert len(seen) == 1
    if change != "trailing slash":  # no such route: Flask's answer, whatever it is
        assert response.status_code == 200
    if change in {"no grant", "tampered grant"}:
        assert GRANT in response.headers  # the full checks ran and issued a new one


def test_a_grant_is_no_credential_without_its_token(app: Flask, learner, make_user) -> None:
    """A grant presented with another token, or none, is checked in full by Flask."""
    user, video_id, headers = learner
    url = f"/api/v1/videos/{video_id}/progress"
    grant = _grant(app, url, headers)
    client = app.test_client()
    with flask_requests(app) as seen:
        anonymous = client.put(url, json={"position": 9}, headers={GRANT: grant})
        wrong = client.put(
            url, json={"position": 9}, headers={"Authorization": "Bearer nope", GRANT: grant}
        )
        assert len(seen) == 2
    assert anonymous.status_code == 401 and wrong.status_code == 401
    assert _position(app, user.id) == 1


def test_a_signed_in_beat_with_a_grant_still_needs_its_csrf_token(
    app: Flask, client, auth: Auth, learner
) -> None:
    user, video_id, _ = learner
    auth.login(user.email)
    url = f"/api/v1/videos/{video_id}/progress"
    first = client.put(url, json={"position": 1}, headers=auth.json_headers())
    assert first.status_code == 200
    forged = client.put(url, json={"position": 7}, headers={GRANT: first.headers[GRANT]})
    assert forged.status_code == 400 and "CSRF" in forged.get_json()["error"]
    assert _position(app, user.id) == 1


def test_clip_beats_take_the_fast_path_with_a_clip_grant(app: Flask, learner) -> None:
    user, video_id, headers = learner
    client = app.test_client()
    with app.app_context():
        video = db.session.get(Video, video_id)
        clip = Clip(video_id=video.id, title="Intro", start=1.0, end=3.0, created_by=video.owner_id)
        db.session.add(clip)
        db.session.commit()
        clip_id = clip.id
    url = f"/api/v1/clips/{clip_id}/progress"
    grant = _grant(app, url, headers)
    with flask_requests(app) as seen:
        fast = client.put(url, json={"position": 1.5}, headers={**headers, GRANT: grant})
        # A clip's grant is no grant for its video.
        video_url = f"/api/v1/videos/{video_id}/progress"
        other = client.put(video_url, json={"position": 1}, headers={**headers, GRANT: grant})
        assert seen == [video_url]
    assert fast.status_code == 200 and fast.get_json()["position"] == 1.5
    assert other.status_code == 200 and GRANT in other.headers
    with app.app_context():
        stored = db.session.scalar(
            select(WatchProgress.position).where(
                WatchProgress.user_id == user.id, WatchProgress.clip_id == clip_id
            )
        )
    assert stored == 1.5
