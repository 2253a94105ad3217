"""Clips and chapters through the JSON API: validation, authorization, playback, export."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import Auth
from tests.support.factories import bearer_headers
from tests.support.problems import problem_fields
from tests.support.waiting import wait_until
from tests.support.watching import watch
from transcoder.hls import CLIP_TAG, parse_media_segments
from webapp.clips.services import replace_suggestions
from webapp.extensions import db
from webapp.models import ClipExport


@pytest.fixture
def owner(auth: Auth, make_user, make_ready_video):
    """A signed-in instructor with a READY 4 s recording; returns (user, video_id)."""
    user = make_user("instructor")
    video_id = make_ready_video(user.id, "Class recording")
    auth.login(user.email)
    return user, video_id


def _post(client: FlaskClient, auth: Auth, url: str, body) -> object:
    return client.post(url, data=json.dumps(body), headers=auth.json_headers())


def test_clip_lifecycle(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    created = _post(
        client,
        auth,
        f"/api/v1/videos/{video_id}/clips",
        {"title": "  The key idea ", "start": 1.2, "end": 3.5, "topic": "SEO"},
    )
    assert created.status_code == 201, created.get_json()
    clip = created.get_json()
    assert (clip["title"], clip["start"], clip["end"], clip["duration"]) == (
        "The key idea",
        1.2,
        3.5,
        2.3,
    )
    assert clip["full_recording_url"] == f"/videos/{video_id}?t=1.2"
    listed = client.get(f"/api/v1/videos/{video_id}/clips").get_json()["clips"]
    assert [c["id"] for c in listed] == [clip["id"]]
    url = f"/api/v1/videos/{video_id}/clips/{clip['id']}"
    patched = client.patch(url, data=json.dumps({"end": 4.0}), headers=auth.json_headers())
    assert patched.status_code == 200 and patched.get_json()["end"] == 4.0
    assert client.delete(url, headers=auth.json_headers()).status_code == 204
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "x", "start": 3, "end": 2}, "start must be before end"),
        ({"title": "x", "start": 2, "end": 2}, "start must be before end"),
        ({"title": "x", "start": 1, "end": 99}, "past the end"),
        (
            {"title": "x", "start": -1, "end": 2},
            "start: Input should be greater than or equal to 0",
        ),
        ({"title": "x", "start": "1", "end": 2}, "start: Input should be a valid number"),
        ({"title": "x", "start": None, "end": 2}, "start: Input should be a valid number"),
        ({"title": "x", "start": True, "end": 2}, "start: Input should be a valid number"),
        ({"title": "", "start": 1, "end": 2}, "title is required"),
        ({"title": "x" * 201, "start": 1, "end": 2}, "title: String should have at most 200"),
        ({"title": "x", "start": 1, "end": 1.1}, "at least"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_clips_are_400(client, auth, owner, body, message) -> None:
    _, video_id = owner
    response = _post(client, auth, f"/api/v1/videos/{video_id}/clips", body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert client.get(f"/api/v1/videos/{video_id}/clips").get_json()["clips"] == []


@pytest.mark.parametrize(
    ("what", "body", "field"),
    [
        ("clip", {"title": 5}, "title"),
        ("clip", {"title": None}, "title"),
        ("clip", {"start": "0"}, "start"),
        ("clip", {"end": -2}, "end"),
        ("clip", {"end": None}, "end"),
        ("clip", {"topic": "t" * 81}, "topic"),
        ("clip", {"description": "d" * 5001}, "description"),
        ("clip", {"video_id": 1}, "video_id"),
        ("new chapter", {"title": "Intro"}, "start"),
        ("new chapter", {"start": 1}, "title"),
        ("new chapter", {"title": "Intro", "start": True}, "start"),
        ("new chapter", {"title": "x" * 201, "start": 1}, "title"),
        ("new chapter", {"title": "Intro", "start": 1, "video_id": 2}, "video_id"),
        ("chapter", {"start": -0.5}, "start"),
        ("chapter", {"title": []}, "title"),
        ("chapter", {"id": 9}, "id"),
    ],
)
def test_bad_clip_and_chapter_fields_are_named(client, auth, owner, what, body, field) -> None:
    _, video_id = owner
    base = f"/api/v1/videos/{video_id}"
    clip = _post(client, auth, f"{base}/clips", {"title": "A", "start": 0, "end": 2}).get_json()
    chapter = _post(client, auth, f"{base}/chapters", {"title": "B", "start": 1}).get_json()
    if what == "new chapter":
        response = _post(client, auth, f"{base}/chapters", body)
    else:
        url = f"{base}/clips/{clip['id']}" if what == "clip" else f"{base}/chapters/{chapter['id']}"
        response = client.patch(url, data=json.dumps(body), headers=auth.json_headers())
    assert field in problem_fields(response)


def test_nan_range_is_400(client, auth, owner) -> None:
    _, video_id = owner
    response = client.post(
        f"/api/v1/videos/{video_id}/clips",
        data='{"title": "x", "start": NaN, "end": 2}',
        headers=auth.json_headers(),
    )
    assert response.status_code == 400


def test_learners_and_other_instructors_cannot_change_clips(
    app: Flask, client, auth, owner, make_user
) -> None:
    _, video_id = owner
    clip = _post(
        client, auth, f"/api/v1/videos/{video_id}/clips", {"title": "a", "start": 0, "end": 2}
    ).get_json()
    for role in ("learner", "instructor"):
        other = app.test_client()
        other_auth = Auth(other)
        other_auth.login(make_user(role).email)
        headers = other_auth.json_headers()
        base = f"/api/v1/videos/{video_id}"
        body = json.dumps({"title": "mine", "start": 0, "end": 1})
        assert other.post(f"{base}/clips", data=body, headers=headers).status_code == 403
        assert (
            other.patch(f"{base}/clips/{clip['id']}", data=body, headers=headers).status_code == 403
        )
        assert other.delete(f"{base}/clips/{clip['id']}", headers=headers).status_code == 403
        chapter = json.dumps({"title": "c", "start": 1})
        assert other.post(f"{base}/chapters", data=chapter, headers=headers).status_code == 403
        # ...but they may watch it.
        assert other.get(f"{base}/clips").status_code == 200
        assert other.get(f"/clips/{clip['id']}").status_code == 200


def test_clip_of_another_video_is_404(client, auth, owner, make_ready_video) -> None:
    user, video_id = owner
    other_video = make_ready_video(user.id, "Other")
    clip = _post(
        client, auth, f"/api/v1/videos/{video_id}/clips", {"title": "a", "start": 0, "end": 2}
    ).get_json()
    assert client.get(f"/api/v1/videos/{other_video}/clips/{clip['id']}").status_code == 404


@pytest.mark.local_storage
def test_virtual_clip_playlists_reference_parent_segments(client, auth, owner) -> None:
    """The clip plays at once: its playlists list only overlapping parent segments."""
    _, video_id = owner
    clip = _post(
        client,
        auth,
        f"/api/v1/videos/{video_id}/clips",
        {"title": "a", "start": 1.0, "end": 2.5},
    ).get_json()
    master = client.get(clip["hls_url"], buffered=True)
    assert master.status_code == 200 and b"360p/index.m3u8" in master.data
    variant = client.get(f"/clips/{clip['id']}/hls/360p/index.m3u8", buffered=True)
    text = variant.get_data(as_text=True)
    segments = parse_media_segments(text)
    assert [s.uri.partition("?")[0] for s in segments] == [f"/media/{video_id}/360p/seg_00000.ts"]
    assert f"{CLIP_TAG}:START=1.000,END=2.500,OFFSET=0.000" in text
    assert "#EXT-X-START:TIME-OFFSET=1.000,PRECISE=YES" in text
    segment = client.get(segments[0].uri, buffered=True)
    assert segment.status_code == 200 and segment.mimetype == "video/mp2t"
    # The shared audio rendition is cut the same way, through the same route.
    assert b'URI="audio/index.m3u8"' in master.data
    audio = client.get(f"/clips/{clip['id']}/hls/audio/index.m3u8", buffered=True)
    audio_segments = parse_media_segments(audio.get_data(as_text=True))
    assert [s.uri.partition("?")[0] for s in audio_segments] == [
        f"/media/{video_id}/audio/seg_00000.ts"
    ]
    assert client.get(audio_segments[0].uri, buffered=True).status_code == 200
    page = client.get(clip["watch_url"]).get_data(as_text=True)
    assert 'data-in="1.0"' in page and 'data-out="2.5"' in page


def test_clip_playlists_answer_players_like_video_playlists(
    app, client, auth, owner, make_user
) -> None:
    """Bearer tokens work; no credentials is 401, an unknown clip 403 (no sign-in page)."""
    _, video_id = owner
    clip = _post(
        client, auth, f"/api/v1/videos/{video_id}/clips", {"title": "a", "start": 1.0, "end": 2.5}
    ).get_json()
    viewer = make_user("learner")
    bearer = bearer_headers(app, viewer)
    other = app.test_client()
    for path in (clip["hls_url"], f"/clips/{clip['id']}/hls/360p/index.m3u8"):
        assert other.get(path, headers=bearer, buffered=True).status_code == 200
        assert other.get(path, buffered=True).status_code == 401
        bad = {"Authorization": "Bearer nope"}
        assert other.get(path, headers=bad, buffered=True).status_code == 401
    unknown = other.get("/clips/999999/hls/master.m3u8", headers=bearer)
    assert unknown.status_code == 403
    assert "You may not watch this clip." in unknown.get_data(as_text=True)


def test_clip_progress_is_separate_from_the_recording(client, auth, owner, clock) -> None:
    _, video_id = owner
    clip = _post(
        client, auth, f"/api/v1/videos/{video_id}/clips", {"title": "a", "start": 1.0, "end": 3.0}
    ).get_json()
    url = f"/api/v1/clips/{clip['id']}/progress"
    response = watch(client, url, [[0, 1.9]], clock, auth.json_headers())
    assert response.get_json() == {
        "position": 1.9,
        "watched_seconds": 1.9,
        "percent": 95.0,
        "completed": True,
    }
    whole = client.get(f"/api/v1/videos/{video_id}/progress").get_json()
    assert whole["watched_seconds"] == 0.0
    bad = client.put(url, data=json.dumps({"position": -1}), headers=auth.json_headers())
    assert bad.status_code == 400


def test_chapters_and_chapter_to_clip(client, auth, owner) -> None:
    _, video_id = owner
    base = f"/api/v1/videos/{video_id}/chapters"
    intro = _post(client, auth, base, {"title": "Intro", "start": 0}).get_json()
    _post(client, auth, base, {"title": "Main point", "start": 2.5})
    assert _post(client, auth, base, {"title": "Late", "start": 99}).status_code == 400
    assert _post(client, auth, base, {"title": "", "start": 1}).status_code == 400
    chapters = client.get(base).get_json()["chapters"]
    assert [(c["title"], c["start"]) for c in chapters] == [("Intro", 0.0), ("Main point", 2.5)]
    renamed = client.patch(
        f"{base}/{intro['id']}", data=json.dumps({"title": "Welcome"}), headers=auth.json_headers()
    )
    assert renamed.get_json()["title"] == "Welcome"
    clip = _post(client, auth, f"{base}/{intro['id']}/clip", {}).get_json()
    assert (clip["title"], clip["start"], clip["end"]) == ("Welcome", 0.0, 2.5)
    page = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert "Welcome" in page and 'data-seek="2.5"' in page
    assert client.delete(f"{base}/{intro['id']}", headers=auth.json_headers()).status_code == 204


@dataclass(frozen=True)
class Found:
    """The shape the transcode pass hands over."""

    kind: str
    start: float
    end: float | None
    score: float
    label: str


def test_suggestions_are_accepted_or_discarded(app: Flask, client, auth, owner) -> None:
    _, video_id = owner
    with app.app_context():
        replace_suggestions(
            video_id,
            [
                Found("slide", 2.0, None, 0.8, "Slide change"),
                Found("clip", 0.5, 3.5, 0.5, "Suggested clip"),
            ],
        )
        db.session.commit()
    base = f"/api/v1/videos/{video_id}/suggestions"
    found = client.get(base).get_json()["suggestions"]
    assert [s["kind"] for s in found] == ["clip", "slide"]
    slide = next(s for s in found if s["kind"] == "slide")
    clip = next(s for s in found if s["kind"] == "clip")
    accepted = _post(client, auth, f"{base}/{slide['id']}/accept", {}).get_json()
    assert accepted["chapter"]["start"] == 2.0
    made = _post(client, auth, f"{base}/{clip['id']}/accept", {}).get_json()
    assert (made["clip"]["start"], made["clip"]["end"]) == (0.5, 3.5)
    again = _post(client, auth, f"{base}/{clip['id']}/discard", {})
    assert again.status_code == 400 and "already accepted" in again.get_json()["error"]
    assert client.get(base).get_json()["suggestions"] == []


@pytest.mark.worker
def test_export_renders_a_downloadable_frame_accurate_mp4(
    app: Flask, client, auth, owner, celery_worker, tmp_path: Path
) -> None:
    _, video_id = owner
    clip = _post(
        client,
        auth,
        f"/api/v1/videos/{video_id}/clips",
        {"title": "Export me: Экспорт", "start": 0.52, "end": 3.2},
    ).get_json()
    url = f"/api/v1/videos/{video_id}/clips/{clip['id']}/export"
    started = client.post(url, headers=auth.json_headers())
    assert started.status_code == 202

    def finished() -> dict | None:
        state = client.get(url).get_json()["export"]
        return state if state["state"] in ("ready", "failed") else None

    state = wait_until(finished, 120, "the export never finished", interval=0.3)
    assert state["state"] == "ready", state
    download = client.get(state["download_url"], buffered=True)
    assert download.status_code == 200 and download.mimetype == "video/mp4"
    disposition = download.headers["Content-Disposition"]
    # A non-Latin title must not put raw characters in the header (servers drop those).
    assert disposition.startswith("attachment;") and disposition.isascii()
    assert "filename*=UTF-8''Export%20me%3A%20%D0%AD" in disposition
    path = tmp_path / "clip.mp4"
    path.write_bytes(download.data)
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=duration",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    duration = float(json.loads(probe.stdout)["streams"][0]["duration"])
    assert abs(duration - 2.68) <= 1 / 25 + 1e-3
    with app.app_context():
        assert db.session.get(ClipExport, state["id"]).attempts == 1
