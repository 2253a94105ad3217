"""The heartbeat API: validation, resume point, watched union, completion, isolation,
sequence numbers, the wall-time bound, the beacon, grants and daily watch time.

Watched time is credited at most 2 x the wall time since the watch session began (the
grant of a progress read or of a first beat): tests that report playing first open a
session (``_open``) and move the stopped clock on."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.support.auth import Auth
from tests.support.factories import bearer_headers
from tests.support.querycount import recorded_statements
from webapp.catalogue.services import sync_video
from webapp.extensions import db
from webapp.models import Clip, Module, Video, VideoState, WatchProgress
from webapp.models.progress import WatchDay


@pytest.fixture
def setup(app: Flask, auth: Auth, make_user, make_ready_video):
    """A signed-in learner and a ready 4 s video."""
    instructor = make_user("instructor")
    learner = make_user("learner")
    video_id = make_ready_video(instructor.id)
    auth.login(learner.email)
    return learner, video_id


@pytest.fixture
def lecture(app: Flask, setup) -> int:
    """A ready 10-minute recording (a row only: heartbeats never read its media)."""
    learner, _ = setup
    with app.app_context():
        owner = db.session.scalar(select(Video.owner_id))
        video = Video(
            title="Long lecture",
            owner_id=owner,
            state=VideoState.READY.value,
            duration=600.0,
            hls_prefix="videos/long/v1",
        )
        db.session.add(video)
        db.session.commit()
        return video.id


def _put(client: FlaskClient, auth: Auth, video_id: int, body, **kwargs):
    headers = {**auth.json_headers(), **kwargs.pop("headers", {})}
    return client.put(f"/api/v1/videos/{video_id}/progress", json=body, headers=headers, **kwargs)


def _open(client: FlaskClient, url: str, clock, seconds: float, **headers: str) -> dict:
    """Open a watch session as the player's page does (its progress read hands out a
    grant), let ``seconds`` pass on the stopped clock; the grant header to send back."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    clock.shift(seconds)
    return {"X-Heartbeat-Grant": response.headers["X-Heartbeat-Grant"]}


def _video(video_id: int) -> str:
    return f"/api/v1/videos/{video_id}/progress"


def _rows(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(WatchProgress.id)))


def _stored(app: Flask, video_id: int) -> WatchProgress:
    with app.app_context():
        row = db.session.scalar(select(WatchProgress).where(WatchProgress.video_id == video_id))
        assert row is not None
        db.session.expunge(row)
        return row


# --------------------------------------------------------------------------- the foundation


def test_position_only_beat_moves_resume_point(client, auth, setup) -> None:
    _, video_id = setup
    response = _put(client, auth, video_id, {"position": 2.5})
    assert response.status_code == 200
    assert response.get_json() == {
        "position": 2.5,
        "watched_seconds": 0.0,
        "percent": 0.0,
        "completed": False,
    }
    assert client.get(f"/api/v1/videos/{video_id}/progress").get_json()["position"] == 2.5
    watch = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert 'data-resume="2.5"' in watch


def test_played_intervals_accumulate_as_a_union(client, auth, setup, clock) -> None:
    _, video_id = setup
    grant = _open(client, _video(video_id), clock, 10)
    _put(client, auth, video_id, {"position": 1.5, "played": [[0, 1.5]]}, headers=grant)
    body = _put(
        client, auth, video_id, {"position": 2.0, "played": [[1.0, 2.0]]}, headers=grant
    ).get_json()
    assert body["watched_seconds"] == 2.0 and body["completed"] is False
    assert body["percent"] == pytest.approx(50.0, abs=1.5)
    progress = client.get(f"/api/v1/videos/{video_id}/progress").get_json()
    assert progress["intervals"] == [[0.0, 2.0]]


def test_scrubbing_to_the_end_does_not_complete(client, auth, setup, clock) -> None:
    _, video_id = setup
    grant = _open(client, _video(video_id), clock, 10)
    beat = {"position": 4.0, "played": [[3.5, 4.0]]}
    body = _put(client, auth, video_id, beat, headers=grant).get_json()
    assert body["completed"] is False and body["position"] == 4.0


def test_watching_ninety_percent_completes(client, auth, setup, clock) -> None:
    _, video_id = setup
    grant = _open(client, _video(video_id), clock, 10)
    beat = {"position": 3.8, "played": [[0, 3.8]]}
    body = _put(client, auth, video_id, beat, headers=grant).get_json()
    assert body["completed"] is True and body["percent"] >= 90


def test_completion_share_is_configurable_and_sticky(
    app, client, auth, lecture, monkeypatch, clock
):
    monkeypatch.setitem(app.config, "COMPLETION_SHARE", 0.04)
    grant = _open(client, _video(lecture), clock, 30)
    session = {"session": "s1", "rate": 1}
    first = {**session, "seq": 1, "position": 20, "played": [[0, 20]]}
    assert _put(client, auth, lecture, first, headers=grant).get_json()["completed"] is False
    second = {**session, "seq": 2, "position": 25, "played": [[20, 25]]}
    assert _put(client, auth, lecture, second, headers=grant).get_json()["completed"] is True
    completed_at = _stored(app, lecture).completed_at
    monkeypatch.setitem(app.config, "COMPLETION_SHARE", 0.9)
    later = {**session, "seq": 3, "position": 30, "played": []}
    assert _put(client, auth, lecture, later, headers=grant).get_json()["completed"] is True
    assert _stored(app, lecture).completed_at == completed_at


def test_position_is_clamped_to_duration(client, auth, setup) -> None:
    _, video_id = setup
    body = _put(client, auth, video_id, {"position": 9999, "played": [[0, 9999]]}).get_json()
    assert body["position"] <= 4.1 and body["watched_seconds"] <= 4.1


# --------------------------------------------------------------------------- impossible input


@pytest.mark.parametrize(
    "body",
    [
        {"position": -1},
        {"position": "12"},
        {"position": "abc"},
        {"position": None},
        {"position": True},
        {"position": [1]},
        {},
        [1, 2],
        "12",
        {"position": 1, "played": [[2, 1]]},
        {"position": 1, "played": [[-1, 1]]},
        {"position": 1, "played": [[0, "x"]]},
        {"position": 1, "played": "0-1"},
        {"position": 1, "played": [[0, 1, 2]]},
        {"position": 1, "played": [[0, 1]] * 51},
        {"position": 1, "session": "abc"},
        {"position": 1, "seq": 1},
        {"position": 1, "session": "has space", "seq": 1},
        {"position": 1, "session": "x" * 65, "seq": 1},
        {"position": 1, "session": 7, "seq": 1},
        {"position": 1, "session": "abc", "seq": -1},
        {"position": 1, "session": "abc", "seq": 1.5},
        {"position": 1, "session": "abc", "seq": True},
        {"position": 1, "session": "abc", "seq": 2**60},
        {"position": 1, "rate": 0},
        {"position": 1, "rate": -1},
        {"position": 1, "rate": 100},
        {"position": 1, "rate": "2"},
    ],
)
def test_bad_heartbeats_are_400_and_change_nothing(app, client, auth, setup, body) -> None:
    _, video_id = setup
    response = _put(client, auth, video_id, body)
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)
    assert _rows(app) == 0


def test_nan_and_non_json_bodies_are_400(app, client, auth, setup) -> None:
    _, video_id = setup
    headers = auth.json_headers()
    url = f"/api/v1/videos/{video_id}/progress"
    assert client.put(url, data='{"position": NaN}', headers=headers).status_code == 400
    assert client.put(url, data='{"position": Infinity}', headers=headers).status_code == 400
    rate_nan = '{"position": 1, "rate": NaN}'
    assert client.put(url, data=rate_nan, headers=headers).status_code == 400
    text = {**headers, "Content-Type": "text/plain"}
    assert client.put(url, data="position=3", headers=text).status_code == 400
    assert _rows(app) == 0


@pytest.mark.parametrize(
    ("opened", "played", "rate", "watched"),
    [
        (15, [[0, 30]], 1, 30),  # 15 s since the page opened: up to 30 s at 2x
        (15, [[0, 60]], 2, 30),  # more is not credited: the earliest 30 s are
        (15, [[0, 60]], 16, 30),  # whatever rate the beat claims
        (15, [[0, 20], [100, 130]], 1, 30),  # the new seconds count, wherever they are
        (0, [[0, 60]], 1, 0),  # a page opened this very moment: nothing yet
    ],
)
def test_first_beat_is_bounded_by_wall_time_since_the_page_opened(
    app, client, auth, lecture, clock, opened, played, rate, watched
):
    grant = _open(client, _video(lecture), clock, opened)
    body = {"session": "s1", "seq": 1, "position": played[-1][1], "rate": rate, "played": played}
    response = _put(client, auth, lecture, body, headers=grant)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["watched_seconds"] == watched
    assert _stored(app, lecture).position == played[-1][1]


def test_later_beats_are_bounded_by_the_time_since_the_last(app, client, auth, lecture, clock):
    grant = _open(client, _video(lecture), clock, 15)
    s = {"session": "s1", "rate": 1}
    first = _put(
        client, auth, lecture, {**s, "seq": 1, "position": 25, "played": [[0, 25]]}, headers=grant
    )
    assert first.get_json()["watched_seconds"] == 25
    # 25 of the 30 s the first 15 s allowed are spent; 5 s later 15 s more may come.
    clock.shift(5)
    beat = {**s, "seq": 2, "position": 65, "played": [[25, 65]]}
    response = _put(client, auth, lecture, beat, headers=grant)
    assert response.status_code == 200 and response.get_json()["watched_seconds"] == 40
    stored = _stored(app, lecture)
    assert stored.intervals == [[0.0, 40.0]] and stored.position == 65 and stored.beat_seq == 2
    # Re-reporting what is already watched costs nothing: retries never fail.
    again = _put(
        client, auth, lecture, {**s, "seq": 1, "position": 25, "played": [[0, 25]]}, headers=grant
    )
    assert again.status_code == 200 and again.get_json()["watched_seconds"] == 40


def test_one_request_cannot_buy_a_video(app, setup, make_ready_video) -> None:
    """Issue 19: one beat ``{"played": [[0, 150]], "rate": 16}`` on a never-played
    150 s video returned ``completed: true``; now it earns nothing but the position."""
    learner, _ = setup
    with app.app_context():
        owner = db.session.scalar(select(Video.owner_id))
        video = Video(
            title="Short",
            owner_id=owner,
            state=VideoState.READY.value,
            duration=150.0,
            hls_prefix="videos/short/v1",
        )
        db.session.add(video)
        db.session.commit()
        video_id = video.id
    client, headers = app.test_client(), bearer_headers(app, learner)
    beat = {"position": 150, "played": [[0, 150]], "rate": 16}
    response = client.put(_video(video_id), json=beat, headers=headers)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["watched_seconds"] <= 3 and answer["completed"] is False
    # Sent again at once with the grant it got: still no more than a few seconds.
    granted = {**headers, "X-Heartbeat-Grant": response.headers["X-Heartbeat-Grant"]}
    again = client.put(_video(video_id), json=beat, headers=granted).get_json()
    assert again["watched_seconds"] <= 3 and again["completed"] is False


def test_beats_as_fast_as_possible_cannot_finish_a_10_minute_video_in_5_minutes(
    app, setup, lecture, clock, monkeypatch
) -> None:
    """A script beating as fast as it can (one beat per server second here, each
    claiming the whole video at 16x) is credited 2 s of video per second of server
    time: with completion at 100 %, the 10-minute lecture completes only after 5
    minutes; at no moment is more credited than 2 x the time since the session began."""
    monkeypatch.setitem(app.config, "COMPLETION_SHARE", 1.0)
    learner, _ = setup
    client, headers = app.test_client(), bearer_headers(app, learner)
    url = _video(lecture)
    headers = {**headers, **_open(client, url, clock, 0, **headers)}
    beat = {"session": "bot", "position": 600, "played": [[0, 600]], "rate": 16}
    completed_after = None
    for second in range(1, 321):
        clock.shift(1)
        for seq in range(2):  # more beats within the same second change nothing
            body = {**beat, "seq": 2 * second + seq}
            answer = client.put(url, json=body, headers=headers).get_json()
            assert answer["watched_seconds"] <= 2 * second
        if answer["completed"] and completed_after is None:
            completed_after = second
    assert completed_after == 300


# --------------------------------------------------------------------------- order, sessions


def test_out_of_order_and_duplicate_beats_change_nothing(app, client, auth, lecture, clock):
    grant = _open(client, _video(lecture), clock, 20)
    s = {"session": "tab-1", "rate": 1}
    beats = [
        {**s, "seq": 1, "position": 10, "played": [[0, 10]]},
        {**s, "seq": 2, "position": 18, "played": [[10, 18]]},
        {**s, "seq": 3, "position": 5, "played": []},  # the learner seeked back
    ]
    for beat in (beats[0], beats[2], beats[1], beats[1], beats[0]):
        assert _put(client, auth, lecture, beat, headers=grant).status_code == 200
    stored = _stored(app, lecture)
    assert stored.position == 5 and stored.beat_seq == 3
    assert stored.intervals == [[0.0, 18.0]] and stored.watched_seconds == 18


def test_a_new_session_and_the_foundation_beat_move_the_position(app, client, auth, lecture):
    _put(client, auth, lecture, {"session": "tab-1", "seq": 7, "position": 20, "played": []})
    _put(client, auth, lecture, {"session": "tab-2", "seq": 1, "position": 3, "played": []})
    assert _stored(app, lecture).position == 3
    _put(client, auth, lecture, {"session": "tab-1", "seq": 8, "position": 9})
    _put(client, auth, lecture, {"position": 12})  # no session: always moves it
    stored = _stored(app, lecture)
    assert stored.position == 12 and stored.watched_seconds == 0
    assert (stored.beat_session, stored.beat_seq) == ("tab-1", 8)


def test_each_player_session_is_stored_as_one_view(app, client, auth, lecture) -> None:
    for session, seq in [("load-1", 1), ("load-1", 2), ("load-2", 1), ("load-2", 2)]:
        body = {"session": session, "seq": seq, "position": seq, "played": []}
        assert _put(client, auth, lecture, body).status_code == 200
    _put(client, auth, lecture, {"position": 5})  # the foundation beat: no new view
    assert _stored(app, lecture).view_count == 2


# --------------------------------------------------------------------------- daily watch time


def test_watch_days_grow_by_new_seconds_only(app, client, auth, setup, lecture, clock) -> None:
    grant = _open(client, _video(lecture), clock, 10)
    s = {"session": "s1", "rate": 1}
    for seq, played in enumerate([[0, 10], [5, 12], [0, 12]], 1):  # the last: a rewatch
        beat = {**s, "seq": seq, "position": 12, "played": [played]}
        _put(client, auth, lecture, beat, headers=grant)
    with app.app_context():
        days = db.session.execute(
            select(WatchDay.user_id, WatchDay.seconds, WatchDay.clip_id)
        ).all()
    learner, _ = setup
    assert [tuple(d) for d in days] == [(learner.id, pytest.approx(12), None)]
    assert _stored(app, lecture).watched_seconds == pytest.approx(12)


# --------------------------------------------------------------------------- auth, CSRF, beacon


def test_heartbeat_without_csrf_is_refused(app, client, setup) -> None:
    _, video_id = setup
    response = client.put(f"/api/v1/videos/{video_id}/progress", json={"position": 3})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]
    assert _rows(app) == 0


def test_beacon_form_carries_its_csrfbearer_headers(app, client, auth, setup, clock) -> None:
    _, video_id = setup
    url = f"/api/v1/videos/{video_id}/progress"
    grant = _open(client, url, clock, 5)["X-Heartbeat-Grant"]
    beat = json.dumps({"session": "s1", "seq": 1, "position": 2, "played": [[0, 2]]})
    forged = client.post(url, data={"beat": beat, "grant": grant})
    assert forged.status_code == 400 and "CSRF" in forged.get_json()["error"]
    assert _rows(app) == 0
    form = {"beat": beat, "grant": grant, "csrf_token": auth.csrf("/")}
    response = client.post(url, data=form)
    assert response.status_code == 200 and response.get_json()["watched_seconds"] == 2
    not_json = client.post(url, data={"beat": "{nope", "csrf_token": auth.csrf("/")})
    assert not_json.status_code == 400


def test_heartbeat_with_bearer_token_needs_no_csrf(app, setup) -> None:
    learner, video_id = setup
    client = app.test_client()
    headers = bearer_headers(app, learner)
    response = client.put(
        f"/api/v1/videos/{video_id}/progress", json={"position": 3}, headers=headers
    )
    assert response.status_code == 200
    got = client.get(f"/api/v1/videos/{video_id}/progress", headers=headers).get_json()
    assert got["position"] == 3


def test_each_learner_sees_only_their_own_progress(app, client, auth, setup, make_user) -> None:
    _, video_id = setup
    _put(client, auth, video_id, {"position": 3, "played": [[0, 3]]})
    other = make_user("learner")
    body = (
        app.test_client()
        .get(f"/api/v1/videos/{video_id}/progress", headers=bearer_headers(app, other))
        .get_json()
    )
    assert body == {
        "position": 0.0,
        "watched_seconds": 0.0,
        "percent": 0.0,
        "completed": False,
        "intervals": [],
    }


def test_unknown_video_is_404_json(client, auth, setup) -> None:
    response = _put(client, auth, 987654, {"position": 1})
    assert response.status_code == 404 and response.get_json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such video.",
        "error": "No such video.",
    }


def test_anonymous_heartbeat_is_401(app, setup) -> None:
    _, video_id = setup
    url = f"/api/v1/videos/{video_id}/progress"
    assert app.test_client().put(url, json={"position": 1}).status_code == 401
    bad_scheme = {"Authorization": "Basic abc"}
    assert app.test_client().put(url, json={"position": 1}, headers=bad_scheme).status_code == 401
    bad_token = {"Authorization": "Bearer nope"}
    assert app.test_client().put(url, json={"position": 1}, headers=bad_token).status_code == 401
    assert _rows(app) == 0


def test_video_not_ready_is_hidden_from_learners(app, client, auth, setup, make_user) -> None:
    owner = make_user("instructor")
    with app.app_context():
        video = Video(title="Draft", owner_id=owner.id, state=VideoState.UPLOADED.value)
        db.session.add(video)
        db.session.commit()
        draft_id = video.id
    assert client.get(f"/api/v1/videos/{draft_id}").status_code == 404
    assert client.get(f"/videos/{draft_id}").status_code == 404
    assert _put(client, auth, draft_id, {"position": 1}).status_code == 404
    owner_put = app.test_client().put(
        f"/api/v1/videos/{draft_id}/progress",
        json={"position": 1},
        headers=bearer_headers(app, owner),
    )
    assert owner_put.status_code == 409


def test_first_heartbeat_counts_one_viewer_for_popularity(app, client, auth, setup) -> None:
    _, video_id = setup
    with app.app_context():
        sync_video(video_id)
        db.session.commit()
    _put(client, auth, video_id, {"position": 1})
    _put(client, auth, video_id, {"position": 2})
    with app.app_context():
        views = db.session.scalar(select(Module.views).where(Module.video_id == video_id))
    assert views == 1


# --------------------------------------------------------------------------- grants


def test_a_grant_spares_the_access_checks(app, setup) -> None:
    learner, video_id = setup
    client, headers = app.test_client(), bearer_headers(app, learner)
    url = f"/api/v1/videos/{video_id}/progress"
    first = client.put(url, json={"position": 1}, headers=headers)
    grant = first.headers["X-Heartbeat-Grant"]
    with recorded_statements(app) as statements:
        second = client.put(
            url, json={"position": 2}, headers={**headers, "X-Heartbeat-Grant": grant}
        )
    assert second.status_code == 200 and "X-Heartbeat-Grant" not in second.headers
    assert not [s for s in statements if "api_tokens" in s or "FROM videos" in s]
    assert _stored(app, video_id).position == 2


def test_a_grant_is_bound_to_its_caller_and_module(app, client, auth, setup, make_user) -> None:
    learner, video_id = setup
    url = f"/api/v1/videos/{video_id}/progress"
    grant = (
        app.test_client()
        .put(url, json={"position": 1}, headers=bearer_headers(app, learner))
        .headers["X-Heartbeat-Grant"]
    )
    # Someone else presenting it is checked in full and writes only their own progress.
    other = make_user("learner")
    headers = {**bearer_headers(app, other), "X-Heartbeat-Grant": grant}
    assert app.test_client().put(url, json={"position": 3}, headers=headers).status_code == 200
    with app.app_context():
        rows = db.session.execute(select(WatchProgress.user_id, WatchProgress.position))
        positions = {user_id: position for user_id, position in rows}
    assert positions == {learner.id: 1, other.id: 3}
    # Nor does it open another module: a draft stays hidden.
    with app.app_context():
        draft = Video(title="Draft", owner_id=other.id, state=VideoState.UPLOADED.value)
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    hidden = _put(client, auth, draft_id, {"position": 1}, headers={"X-Heartbeat-Grant": grant})
    assert hidden.status_code == 404
    tampered = grant.replace(f":{video_id}:", f":{draft_id}:", 1)
    forged = _put(client, auth, draft_id, {"position": 1}, headers={"X-Heartbeat-Grant": tampered})
    assert forged.status_code == 404
    with app.app_context():
        stored = select(func.count()).where(WatchProgress.video_id == draft_id)
        assert db.session.scalar(stored) == 0  # a refused beat earns nothing


def test_reading_progress_hands_out_a_grant_for_a_playable_module(
    app, client, setup, make_user
) -> None:
    learner, video_id = setup
    by_cookie = client.get(_video(video_id))
    bearer = bearer_headers(app, learner)
    by_token = app.test_client().get(_video(video_id), headers=bearer)
    assert by_cookie.headers["X-Heartbeat-Grant"] != by_token.headers["X-Heartbeat-Grant"]
    # Each is bound to its caller: the token's grant spares the token's beat the checks.
    granted = {**bearer, "X-Heartbeat-Grant": by_token.headers["X-Heartbeat-Grant"]}
    beat = app.test_client().put(_video(video_id), json={"position": 1}, headers=granted)
    assert beat.status_code == 200 and "X-Heartbeat-Grant" not in beat.headers
    owner = make_user("instructor")
    with app.app_context():
        draft = Video(title="Draft", owner_id=owner.id, state=VideoState.UPLOADED.value)
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    not_ready = app.test_client().get(_video(draft_id), headers=bearer_headers(app, owner))
    assert not_ready.status_code == 200 and "X-Heartbeat-Grant" not in not_ready.headers


def test_a_renewed_grant_keeps_its_watch_session(app, setup, lecture, clock) -> None:
    """A grant that expired during a long lecture is renewed by the full checks and keeps
    the session's start, so the renewing beat still counts; one that expired more than
    a lifetime ago starts a new session, whose first beat earns nothing yet."""
    learner, _ = setup
    lifetime = app.config["HEARTBEAT_GRANT_SECONDS"]
    client, headers = app.test_client(), bearer_headers(app, learner)
    url = _video(lecture)
    old = _open(client, url, clock, lifetime + 10, **headers)
    beat = {"session": "s", "seq": 1, "position": 20, "played": [[0, 20]]}
    renewed = client.put(url, json=beat, headers={**headers, **old})
    assert renewed.status_code == 200 and renewed.get_json()["watched_seconds"] == 20
    grant = renewed.headers["X-Heartbeat-Grant"]
    clock.shift(10)
    beat = {"session": "s", "seq": 2, "position": 40, "played": [[20, 40]]}
    later = client.put(url, json=beat, headers={**headers, "X-Heartbeat-Grant": grant})
    assert later.get_json()["watched_seconds"] == 40 and "X-Heartbeat-Grant" not in later.headers
    # Expired long ago: no session to continue.
    clock.shift(3 * lifetime)
    beat = {"session": "s", "seq": 3, "position": 60, "played": [[40, 60]]}
    stale = client.put(url, json=beat, headers={**headers, "X-Heartbeat-Grant": grant})
    assert stale.status_code == 200 and stale.get_json()["watched_seconds"] == 40


def test_an_expired_grant_means_the_full_checks_again(app, setup, monkeypatch) -> None:
    learner, video_id = setup
    monkeypatch.setitem(app.config, "HEARTBEAT_GRANT_SECONDS", -1)
    client, headers = app.test_client(), bearer_headers(app, learner)
    url = f"/api/v1/videos/{video_id}/progress"
    grant = client.put(url, json={"position": 1}, headers=headers).headers["X-Heartbeat-Grant"]
    with recorded_statements(app) as statements:
        again = client.put(
            url, json={"position": 2}, headers={**headers, "X-Heartbeat-Grant": grant}
        )
    assert again.status_code == 200 and "X-Heartbeat-Grant" in again.headers
    assert [s for s in statements if "api_tokens" in s]


def test_a_beat_that_cannot_be_stored_is_503(app, setup, lecture) -> None:
    learner, _ = setup
    video_id = lecture
    client, headers = app.test_client(), bearer_headers(app, learner)
    url = f"/api/v1/videos/{video_id}/progress"
    grant = client.put(url, json={"position": 1}, headers=headers).headers["X-Heartbeat-Grant"]
    with app.app_context():
        db.session.delete(db.session.get(Video, video_id))  # its progress goes with it
        db.session.commit()
    response = client.put(
        url, json={"position": 2}, headers={**headers, "X-Heartbeat-Grant": grant}
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert _rows(app) == 0


def test_clip_heartbeats_use_clip_time_and_their_own_grant(app, client, auth, lecture, clock):
    with app.app_context():
        owner = db.session.get(Video, lecture).owner_id
        clips = [
            Clip(video_id=lecture, title=t, start=s, end=e, created_by=owner)
            for t, s, e in (("Intro", 60.0, 90.0), ("Outro", 500.0, 520.0))
        ]
        db.session.add_all(clips)
        db.session.commit()
        first, second = (c.id for c in clips)
    opened = _open(client, f"/api/v1/clips/{first}/progress", clock, 20)
    beat = {"session": "c", "seq": 1, "position": 31, "played": [[0, 31]]}
    response = client.put(
        f"/api/v1/clips/{first}/progress", json=beat, headers={**auth.json_headers(), **opened}
    )
    assert response.get_json() == {
        "position": 30.0,
        "watched_seconds": 30.0,
        "percent": 100.0,
        "completed": True,
    }
    grant = opened["X-Heartbeat-Grant"]
    got = client.get(f"/api/v1/clips/{first}/progress").get_json()
    assert got["intervals"] == [[0.0, 30.0]]
    assert client.get(f"/api/v1/videos/{lecture}/progress").get_json()["watched_seconds"] == 0
    # The first clip's grant does not stand for the second: the full checks run again.
    with recorded_statements(app) as statements:
        other = client.put(
            f"/api/v1/clips/{second}/progress",
            json={"position": 1},
            headers={**auth.json_headers(), "X-Heartbeat-Grant": grant},
        )
    assert other.status_code == 200 and "X-Heartbeat-Grant" in other.headers
    assert [s for s in statements if "FROM clips" in s]
