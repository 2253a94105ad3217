"""Library, watch page and HLS delivery: what a learner sees, and what they cannot reach."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.querycount import count_queries
from tests.support.watching import watch
from webapp.clips.services import create_clip
from webapp.extensions import db
from webapp.library.queries import library_page
from webapp.models import User, Video, VideoState

CLIP_TILE = re.compile(r'<li class="tile clip-tile" data-clip-id="(\d+)">.*?</li>', re.S)


def test_library_lists_ready_videos_with_progress(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video, clock
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
    watch(client, f"/api/v1/videos/{watched}/progress", [[0, 2]], clock, auth.json_headers())
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
    assert "/vendor/hls.mjs" in page
    assert '<script type="module" src="/player/player.js">' in page
    assert "<script>" not in page  # no inline script


def test_hls_js_is_served_from_node_modules(client: FlaskClient) -> None:
    response = client.get("/vendor/hls.mjs", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"export{" in response.data  # the ES module build
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
    assert anonymous.get(f"/videos/{video_id}/hls/master.m3u8").status_code == 401
    assert anonymous.get(f"/videos/{video_id}/poster.jpg").status_code == 401
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


# --------------------------------------------------------------------------- clips


def _make_clip(app: Flask, video_id: int, author_id: int, title: str, start: float, end: float):
    """A clip cut through the app's own service; returns its id."""
    with app.app_context():
        video = db.session.get(Video, video_id)
        author = db.session.get(User, author_id)
        clip = create_clip(video, author, {"title": title, "start": start, "end": end})
        db.session.commit()
        return clip.id


def test_library_shows_clips_as_micro_lessons(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video, clock
) -> None:
    instructor = make_user("instructor")
    learner = make_user("learner")
    video_id = make_ready_video(instructor.id, "Gradient Descent, Live")
    clip_id = _make_clip(app, video_id, instructor.id, "Learning rate in 3 s", 1.0, 3.5)
    other_id = _make_clip(app, video_id, instructor.id, "The last second", 3.0, 4.0)

    auth.login(learner.email)
    assert (
        watch(
            client, f"/api/v1/clips/{clip_id}/progress", [[0, 1.25]], clock, auth.json_headers()
        ).status_code
        == 200
    )
    html = client.get("/").get_data(as_text=True)
    tiles = {int(m.group(1)): m.group(0) for m in CLIP_TILE.finditer(html)}
    assert set(tiles) == {clip_id, other_id}
    tile = tiles[clip_id]
    assert 'class="badge badge-clip">Clip<' in tile
    assert f'href="/clips/{clip_id}"' in tile
    assert "Learning rate in 3 s" in tile
    assert '<span class="duration">0:02</span>' in tile  # 2.5 s long
    assert (
        f'from <a class="from-link" href="/videos/{video_id}?t=1.0">Gradient Descent, Live</a>'
        " at 0:01" in tile
    )
    assert "50% watched" in tile and 'aria-valuenow="50"' in tile  # 1.25 of 2.5 s
    assert "Not started" in tiles[other_id] and "at 0:03" in tiles[other_id]
    # Newest first; the recording itself is still listed as a lesson.
    assert html.index(f'data-clip-id="{other_id}"') < html.index(f'data-clip-id="{clip_id}"')
    assert f'href="/videos/{video_id}"' in html
    assert "<script>" not in html and "style=" not in html

    # The "from … at" link opens the recording at the clip's start.
    page = client.get(f"/videos/{video_id}?t=1.0").get_data(as_text=True)
    assert 'data-start="1.0"' in page


def test_library_clip_progress_is_per_learner(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video, clock
) -> None:
    instructor = make_user("instructor")
    video_id = make_ready_video(instructor.id, "Recording")
    clip_id = _make_clip(app, video_id, instructor.id, "Only clip", 0.0, 2.0)
    first, second = make_user("learner"), make_user("learner")
    auth.login(first.email)
    watch(client, f"/api/v1/clips/{clip_id}/progress", [[0, 2.0]], clock, auth.json_headers())
    assert "Completed" in CLIP_TILE.search(client.get("/").get_data(as_text=True)).group(0)
    auth.logout()
    auth.login(second.email)
    assert "Not started" in CLIP_TILE.search(client.get("/").get_data(as_text=True)).group(0)


def test_library_hides_clips_of_unready_recordings(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    instructor = make_user("instructor")
    video_id = make_ready_video(instructor.id, "Recording")
    _make_clip(app, video_id, instructor.id, "Withdrawn clip", 0.0, 2.0)
    with app.app_context():
        db.session.get(Video, video_id).state = VideoState.FAILED.value
        db.session.commit()
    auth.login(make_user("learner").email)
    html = client.get("/").get_data(as_text=True)
    assert "Withdrawn clip" not in html and "Micro-lessons" not in html


def test_library_queries_do_not_grow_with_clips(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video, clock
) -> None:
    instructor = make_user("instructor")
    learner = make_user("learner")
    first = make_ready_video(instructor.id, "First")
    _make_clip(app, first, instructor.id, "Clip 1", 0.0, 1.0)
    auth.login(learner.email)
    client.get("/")  # warm up (session user load etc.)
    few = count_queries(app, lambda: client.get("/"))

    for n in range(6):
        video_id = make_ready_video(instructor.id, f"Recording {n}")
        clip_id = _make_clip(app, video_id, instructor.id, f"Clip of {n}", 0.5, 2.5)
        watch(client, f"/api/v1/clips/{clip_id}/progress", [[0, 1.0]], clock, auth.json_headers())
    many = count_queries(app, lambda: client.get("/"))
    assert len(CLIP_TILE.findall(client.get("/").get_data(as_text=True))) == 7
    assert many == few

    # On its own too (the page's video query may already have loaded the recordings):
    # topics, count, page (recordings and clips joined in), progress, the page's courses
    # (prerequisite locks).
    with app.app_context():
        user = db.session.get(User, learner.id)  # a fresh session: no recording loaded yet
        statements = count_queries(
            app,
            lambda: [
                (i.module.video.title, i.module.clip and i.module.clip.start, i.percent)
                for i in library_page(user, {}).items
            ],
        )
        assert statements == 5


def test_editor_and_chapter_marker_hooks_render_without_inline_code(
    app: Flask, client: FlaskClient, auth: Auth, make_user, make_ready_video
) -> None:
    instructor = make_user("instructor")
    video_id = make_ready_video(instructor.id, "Editable")
    _make_clip(app, video_id, instructor.id, "Saved clip", 0.5, 2.0)
    auth.login(instructor.email)
    client.post(
        f"/api/v1/videos/{video_id}/chapters",
        json={"title": "Intro", "start": 0},
        headers=auth.json_headers(),
    )
    editor = client.get(f"/videos/{video_id}/edit").get_data(as_text=True)
    assert f'data-api="/api/v1/videos/{video_id}"' in editor
    assert "/player/editor.js" in editor and "/vendor/hls.mjs" in editor
    assert "Saved clip" in editor and "Intro" in editor
    for label in ('for="clip-in"', 'for="clip-out"', 'for="clip-title"', 'for="chapter-title"'):
        assert label in editor
    assert "<script>" not in editor and "style=" not in editor

    watch = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert 'id="chapter-markers"' in watch and "/player/chapters.js" in watch
    assert "style=" not in watch

    auth.logout()
    auth.login(make_user("learner").email)
    assert client.get(f"/videos/{video_id}/edit").status_code == 403
