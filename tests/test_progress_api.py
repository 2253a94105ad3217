"""The heartbeat: validation, resume point, watched union, completion, isolation."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import Auth
from webapp.catalogue.services import sync_video
from webapp.extensions import db
from webapp.models import Module, Video, VideoState, WatchProgress


@pytest.fixture
def setup(app: Flask, auth: Auth, make_user, make_ready_video):
    instructor = make_user("instructor")
    learner = make_user("learner")
    video_id = make_ready_video(instructor.id)
    auth.login(learner.email)
    return learner, video_id


def _put(client: FlaskClient, auth: Auth, video_id: int, body, **kwargs):
    return client.put(
        f"/api/v1/videos/{video_id}/progress", json=body, headers=auth.json_headers(), **kwargs
    )


def _rows(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(WatchProgress.id)))


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


def test_played_intervals_accumulate_as_a_union(client, auth, setup) -> None:
    _, video_id = setup
    _put(client, auth, video_id, {"position": 1.5, "played": [[0, 1.5]]})
    body = _put(client, auth, video_id, {"position": 2.0, "played": [[1.0, 2.0]]}).get_json()
    assert body["watched_seconds"] == 2.0 and body["completed"] is False
    assert body["percent"] == pytest.approx(50.0, abs=1.5)


def test_scrubbing_to_the_end_does_not_complete(client, auth, setup) -> None:
    _, video_id = setup
    body = _put(client, auth, video_id, {"position": 4.0, "played": [[3.5, 4.0]]}).get_json()
    assert body["completed"] is False


def test_watching_ninety_percent_completes(client, auth, setup) -> None:
    _, video_id = setup
    body = _put(client, auth, video_id, {"position": 3.8, "played": [[0, 3.8]]}).get_json()
    assert body["completed"] is True and body["percent"] >= 90


def test_position_is_clamped_to_duration(client, auth, setup) -> None:
    _, video_id = setup
    body = _put(client, auth, video_id, {"position": 9999, "played": [[0, 9999]]}).get_json()
    assert body["position"] <= 4.1 and body["watched_seconds"] <= 4.1


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
    assert (
        client.put(
            url, data="position=3", headers={**headers, "Content-Type": "text/plain"}
        ).status_code
        == 400
    )
    assert _rows(app) == 0


def test_heartbeat_without_csrf_is_refused(app, client, setup) -> None:
    _, video_id = setup
    response = client.put(f"/api/v1/videos/{video_id}/progress", json={"position": 3})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]
    assert _rows(app) == 0


def test_heartbeat_with_bearer_token_needs_no_csrf(app, setup) -> None:
    learner, video_id = setup
    client = app.test_client()
    token = client.post(
        "/api/v1/tokens", json={"email": learner.email, "password": learner.password}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.put(
        f"/api/v1/videos/{video_id}/progress", json={"position": 3}, headers=headers
    )
    assert response.status_code == 200
    assert (
        client.get(f"/api/v1/videos/{video_id}/progress", headers=headers).get_json()["position"]
        == 3
    )


def test_each_learner_sees_only_their_own_progress(app, client, auth, setup, make_user) -> None:
    _, video_id = setup
    _put(client, auth, video_id, {"position": 3, "played": [[0, 3]]})
    other = make_user("learner")
    other_client = app.test_client()
    token = other_client.post(
        "/api/v1/tokens", json={"email": other.email, "password": other.password}
    ).get_json()["token"]
    body = other_client.get(
        f"/api/v1/videos/{video_id}/progress", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body == {"position": 0.0, "watched_seconds": 0.0, "percent": 0.0, "completed": False}


def test_unknown_video_is_404_json(client, auth, setup) -> None:
    response = _put(client, auth, 987654, {"position": 1})
    assert response.status_code == 404 and response.get_json() == {"error": "No such video."}


def test_anonymous_heartbeat_is_401(app, setup) -> None:
    _, video_id = setup
    response = app.test_client().put(f"/api/v1/videos/{video_id}/progress", json={"position": 1})
    assert response.status_code == 401
    assert _rows(app) == 0


def test_video_not_ready_is_hidden_from_learners(app, client, auth, setup, make_user) -> None:
    learner, _ = setup
    owner = make_user("instructor")
    with app.app_context():
        video = Video(title="Draft", owner_id=owner.id, state=VideoState.UPLOADED.value)
        db.session.add(video)
        db.session.commit()
        draft_id = video.id
    assert client.get(f"/api/v1/videos/{draft_id}").status_code == 404
    assert client.get(f"/videos/{draft_id}").status_code == 404
    assert _put(client, auth, draft_id, {"position": 1}).status_code == 404


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
