"""Library, watch page and HLS delivery: what a learner sees, and what they cannot reach."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Auth
from webapp.extensions import db
from webapp.models import Video, VideoState


def test_library_lists_ready_videos_with_progress(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    instructor = make_user("instructor")
    learner = make_user("learner")
    watched = make_ready_video(instructor.id, "Reading a Confusion Matrix")
    make_ready_video(instructor.id, "SEO Fundamentals")
    with app.app_context():
        db.session.add(
            Video(
                title="Still processing", owner_id=instructor.id, state=VideoState.PROCESSING.value
            )
        )
        db.session.commit()
    auth.login(learner.email)
    client.put(
        f"/api/v1/videos/{watched}/progress",
        json={"position": 2, "played": [[0, 2]]},
        headers=auth.json_headers(),
    )
    page = client.get("/").get_data(as_text=True)
    assert "Reading a Confusion Matrix" in page and "SEO Fundamentals" in page
    assert "Still processing" not in page
    assert "50% watched" in page and "Not started" in page
    assert f"/videos/{watched}/poster.jpg" in page
    assert "0:04" in page


def test_watch_page_has_player_wiring(
    client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    video_id = make_ready_video(make_user("instructor").id, "Lesson")
    auth.login(make_user("learner").email)
    page = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert f'data-src="/videos/{video_id}/hls/master.m3u8"' in page
    assert "/vendor/hls.js" in page and "/player/player.js" in page
    assert "<script>" not in page  # no inline script


def test_hls_js_is_served_from_node_modules(client: FlaskClient) -> None:
    response = client.get("/vendor/hls.js", buffered=True)
    assert response.status_code == 200 and b"Hls" in response.data[:200_000]
    assert client.get("/vendor/other.js").status_code == 404


@pytest.mark.parametrize("rel", ["../../../etc/passwd", "..%2F..%2Fsecret", "a/b/c.ts", "%2e%2e/x"])
def test_hls_paths_cannot_escape_the_ladder(
    client: FlaskClient, auth: Auth, make_user, make_ready_video, rel: str
) -> None:
    video_id = make_ready_video(make_user("instructor").id)
    auth.login(make_user("learner").email)
    assert client.get(f"/videos/{video_id}/hls/{rel}").status_code == 404


def test_media_requires_sign_in(app: Flask, make_user, make_ready_video) -> None:
    video_id = make_ready_video(make_user("instructor").id)
    anonymous = app.test_client()
    assert anonymous.get(f"/videos/{video_id}/hls/master.m3u8").status_code == 302
    assert anonymous.get(f"/videos/{video_id}/poster.jpg").status_code == 302
    assert anonymous.get(f"/api/v1/videos/{video_id}").status_code == 401


def test_owner_sees_job_details_learner_does_not(
    client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    instructor = make_user("instructor")
    video_id = make_ready_video(instructor.id)
    auth.login(make_user("learner").email)
    assert "job" not in client.get(f"/api/v1/videos/{video_id}").get_json()
    auth.logout()
    auth.login(instructor.email)
    assert client.get(f"/api/v1/videos/{video_id}").get_json()["job"]["state"] == "ready"
