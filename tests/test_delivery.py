"""Private HLS delivery: playlists for authorized viewers, media by short-lived signed links.

The app checks the viewer on every playlist fetch (401 without credentials, 403 without
the right) and rewrites the playlist so that each segment, thumbnail sheet or init
segment is a signed link that works without a session until it expires. The links are
checked by the pure functions of ``webapp.playback.signing``; expiry is tested by giving
them a past time, never by waiting.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Route

from tests.support import factories
from tests.support.auth import Auth
from tests.support.browser import START_MUTED, VIEWPORT, WAIT_MS, Tab
from tests.support.s3server import S3Server
from transcoder.hls import parse_master, parse_media_segments
from webapp.extensions import db
from webapp.models import Clip, Video, VideoState
from webapp.playback.playlists import ladder_path, sign_playlist, sign_vtt
from webapp.playback.signing import InvalidMediaLink, check, expires_at, signature
from webapp.storage import get_storage

SECRET = "test-secret-key"  # conftest's SECRET_KEY
MEDIA_LINK = re.compile(r"^/media/(\d+)/([A-Za-z0-9_./-]+)\?exp=(\d+)&sig=([A-Za-z0-9_-]+)$")


@dataclass(frozen=True)
class Ladder:
    """A READY video, who may watch it, and what its storage holds."""

    video_id: int
    prefix: str
    variant: str  # "360p"
    storyboard: str | None
    owner: factories.UserInfo
    learner: factories.UserInfo


@pytest.fixture
def ladder(app: Flask, make_user, make_ready_video) -> Ladder:
    """A published 4 s ladder and a signed-in-able learner."""
    owner, learner = make_user("instructor"), make_user("learner")
    video_id = make_ready_video(owner.id, "Private lesson")
    with app.app_context():
        video = db.session.get(Video, video_id)
        variant = video.renditions[0].playlist.rpartition("/")[0]
        return Ladder(video_id, video.hls_prefix, variant, video.storyboard_path, owner, learner)


def _get(client: FlaskClient, url: str, **kwargs):
    return client.get(url, buffered=True, **kwargs)


def _variant_url(ladder: Ladder) -> str:
    return f"/videos/{ladder.video_id}/hls/{ladder.variant}/index.m3u8"


def _segment_links(client: FlaskClient, ladder: Ladder) -> list[str]:
    response = _get(client, _variant_url(ladder))
    assert response.status_code == 200
    return [s.uri for s in parse_media_segments(response.get_data(as_text=True))]


def _stored(app: Flask, key: str) -> bytes:
    with app.app_context():
        return get_storage().get_bytes(key)


def _link(video_id: int, rel: str, expires: int, sig: str) -> str:
    return f"/media/{video_id}/{rel}?exp={expires}&sig={sig}"


# --------------------------------------------------------------------------- who may fetch


def test_media_routes_need_a_session_or_token(client: FlaskClient, ladder: Ladder) -> None:
    base = f"/videos/{ladder.video_id}"
    for url in (f"{base}/hls/master.m3u8", _variant_url(ladder), f"{base}/poster.jpg"):
        assert _get(client, url).status_code == 401, url  # not a redirect to sign-in
    bad = {"Authorization": "Bearer not-a-token"}
    assert _get(client, f"{base}/hls/master.m3u8", headers=bad).status_code == 401


def test_bearer_token_fetches_the_playlists(client: FlaskClient, ladder: Ladder) -> None:
    token = client.post(
        "/api/v1/tokens", json={"email": ladder.learner.email, "password": factories.PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    master = _get(client, f"/videos/{ladder.video_id}/hls/master.m3u8", headers=headers)
    assert master.status_code == 200
    assert _get(client, _variant_url(ladder), headers=headers).status_code == 200


def test_learner_without_rights_gets_403(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    """A cohort's private recording, asked for by a learner of no cohort; an unknown id
    answers the same, so ids do not leak."""
    with app.app_context():
        factories.add_cohort_recording(
            ladder.video_id, "data-delivery", datetime.now(UTC) - timedelta(days=1)
        )
        db.session.commit()
    auth.login(ladder.learner.email)
    base = f"/videos/{ladder.video_id}"
    for url in (f"{base}/hls/master.m3u8", _variant_url(ladder), f"{base}/poster.jpg"):
        assert _get(client, url).status_code == 403, url
    assert _get(client, "/videos/999999/hls/master.m3u8").status_code == 403
    auth.logout()
    auth.login(ladder.owner.email)
    assert _get(client, f"{base}/hls/master.m3u8").status_code == 200


# --------------------------------------------------------------------------- playlists


@pytest.mark.local_storage
def test_playlists_name_only_signed_links(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    auth.login(ladder.learner.email)
    master = _get(client, f"/videos/{ladder.video_id}/hls/master.m3u8")
    assert master.status_code == 200
    assert master.mimetype == "application/vnd.apple.mpegurl"
    assert master.headers["Cache-Control"] == "no-store"
    # Variant playlists stay relative: they come back through the app and its checks.
    assert all(v.uri.endswith("/index.m3u8") for v in parse_master(master.get_data(True)))

    variant = _get(client, _variant_url(ladder))
    assert variant.headers["Cache-Control"] == "no-store"
    assert variant.headers["X-Content-Type-Options"] == "nosniff"
    text = variant.get_data(as_text=True)
    segments = parse_media_segments(text)
    stored = _stored(app, f"{ladder.prefix}/{ladder.variant}/index.m3u8").decode()
    assert len(segments) == len(parse_media_segments(stored)) > 0
    for segment in segments:
        match = MEDIA_LINK.match(segment.uri)
        assert match, segment.uri
        assert match[1] == str(ladder.video_id)
        assert match[2].startswith(f"{ladder.variant}/seg_")
    # Nothing else in the playlist names a file (no unsigned URI="..." either).
    assert all(line.startswith(("#", "/media/")) for line in text.splitlines() if line)


@pytest.mark.local_storage
def test_link_lifetime_follows_the_setting(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MEDIA_URL_TTL_MINUTES", 5)
    auth.login(ladder.learner.email)
    before = time.time()
    expires = int(MEDIA_LINK.match(_segment_links(client, ladder)[0])[3])
    # At least the lifetime, at most a minute more (expiries are whole minutes).
    assert before + 300 <= expires <= time.time() + 360
    assert expires % 60 == 0


@pytest.mark.local_storage
def test_storyboard_track_names_signed_sheets(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    assert ladder.storyboard, "the sample ladder has a storyboard"
    auth.login(ladder.learner.email)
    track = _get(client, f"/videos/{ladder.video_id}/hls/{ladder.storyboard}")
    assert track.status_code == 200 and track.mimetype == "text/vtt"
    assert track.headers["Cache-Control"] == "no-store"
    cues = [line for line in track.get_data(as_text=True).splitlines() if "#xywh=" in line]
    assert cues
    url, _, fragment = cues[0].partition("#")
    assert MEDIA_LINK.match(url) and re.fullmatch(r"xywh=\d+,\d+,\d+,\d+", fragment)
    anonymous = app.test_client()
    sheet = _get(anonymous, url)
    assert sheet.status_code == 200 and sheet.mimetype == "image/jpeg"


@pytest.mark.local_storage
def test_clip_playlist_names_signed_parent_segments(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    with app.app_context():
        clip = Clip(
            video_id=ladder.video_id, title="Key", start=1.0, end=2.5, created_by=ladder.owner.id
        )
        db.session.add(clip)
        db.session.commit()
        clip_id = clip.id
    auth.login(ladder.learner.email)
    response = _get(client, f"/clips/{clip_id}/hls/{ladder.variant}/index.m3u8")
    assert response.headers["Cache-Control"] == "no-store"
    [segment] = parse_media_segments(response.get_data(as_text=True))
    match = MEDIA_LINK.match(segment.uri)
    assert match and match[1] == str(ladder.video_id)
    assert match[2] == f"{ladder.variant}/seg_00000.ts"
    assert _get(app.test_client(), segment.uri).status_code == 200


@pytest.mark.local_storage
def test_early_preview_is_signed_per_fetch_and_links_follow_the_prefix(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    """A processing video's growing preview is signed like the ladder; a link stops
    working once the video no longer plays from the prefix it was signed for."""
    with app.app_context():
        video = Video(
            title="Still encoding", owner_id=ladder.owner.id, state=VideoState.PROCESSING.value
        )
        db.session.add(video)
        db.session.flush()
        video_id = video.id
        preview = video.preview_prefix = f"videos/{video_id}/preview/j1a1"
        db.session.commit()
        storage = get_storage()
        rel = f"{ladder.variant}/index.m3u8"
        event = storage.get_bytes(f"{ladder.prefix}/{rel}").decode()
        storage.put_bytes(
            f"{preview}/{ladder.variant}/seg_00000.ts",
            storage.get_bytes(f"{ladder.prefix}/{ladder.variant}/seg_00000.ts"),
        )
        storage.put_bytes(f"{preview}/{rel}", event.replace("VOD", "EVENT").encode())
    auth.login(ladder.learner.email)
    playlist = _get(client, f"/videos/{video_id}/hls/{ladder.variant}/index.m3u8")
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in playlist.get_data(as_text=True)
    first = parse_media_segments(playlist.get_data(as_text=True))[0].uri
    assert MEDIA_LINK.match(first)[1] == str(video_id)
    anonymous = app.test_client()
    assert _get(anonymous, first).status_code == 200
    with app.app_context():
        db.session.get(Video, video_id).preview_prefix = f"{preview}-next"
        db.session.commit()
    assert _get(anonymous, first).status_code == 403


# --------------------------------------------------------------------------- signed links


@pytest.mark.local_storage
def test_signed_link_serves_the_segment_without_a_session(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    auth.login(ladder.learner.email)
    link = _segment_links(client, ladder)[0]
    rel = MEDIA_LINK.match(link)[2]
    anonymous = app.test_client()  # no cookies at all: a CDN or another tab
    response = _get(anonymous, link)
    assert response.status_code == 200
    assert response.mimetype == "video/mp2t"
    assert response.data == _stored(app, f"{ladder.prefix}/{rel}")
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Accept-Ranges"] == "bytes"


@pytest.mark.local_storage
def test_range_request_returns_206_with_exactly_those_bytes(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    auth.login(ladder.learner.email)
    link = _segment_links(client, ladder)[0]
    whole = _stored(app, f"{ladder.prefix}/{MEDIA_LINK.match(link)[2]}")
    anonymous = app.test_client()
    part = _get(anonymous, link, headers={"Range": "bytes=188-751"})
    assert part.status_code == 206
    assert part.data == whole[188:752]
    assert part.headers["Content-Range"] == f"bytes 188-751/{len(whole)}"
    tail = _get(anonymous, link, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.data == whole[-100:]
    beyond = _get(anonymous, link, headers={"Range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416


def test_expired_link_is_403(app: Flask, ladder: Ladder) -> None:
    rel = f"{ladder.variant}/seg_00000.ts"
    key = f"{ladder.prefix}/{rel}"
    past = expires_at(time.time() - 3600, 60)
    expired = _link(ladder.video_id, rel, past, signature(SECRET, ladder.video_id, key, past))
    response = _get(app.test_client(), expired)
    assert response.status_code == 403
    assert "expired" in response.get_data(as_text=True)
    future = expires_at(time.time(), 60)
    fresh = _link(ladder.video_id, rel, future, signature(SECRET, ladder.video_id, key, future))
    assert _get(app.test_client(), fresh).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda m: _link(m[1], m[2], m[3], m[4][:-2] + "AA"), id="signature"),
        pytest.param(lambda m: _link(m[1], m[2], int(m[3]) + 60, m[4]), id="later-expiry"),
        pytest.param(
            lambda m: _link(m[1], m[2].replace("seg_00000", "seg_00001"), m[3], m[4]),
            id="other-segment",
        ),
        pytest.param(lambda m: _link(m[1], "master.m3u8", m[3], m[4]), id="other-file"),
        pytest.param(lambda m: f"/media/{m[1]}/{m[2]}?exp={m[3]}", id="no-signature"),
        pytest.param(lambda m: f"/media/{m[1]}/{m[2]}?sig={m[4]}", id="no-expiry"),
        pytest.param(lambda m: _link(m[1], m[2], "soon", m[4]), id="expiry-not-a-number"),
        pytest.param(lambda m: _link(m[1], "../../secret_key", m[3], m[4]), id="path-escape"),
        pytest.param(lambda m: _link(m[1], m[2], m[3], "é" + m[4]), id="non-ascii-signature"),
    ],
)
@pytest.mark.local_storage
def test_tampered_link_is_403(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    ladder: Ladder,
    tamper: Callable[[re.Match], str],
) -> None:
    auth.login(ladder.learner.email)
    links = _segment_links(client, ladder)
    original = MEDIA_LINK.match(links[0])
    assert _get(app.test_client(), links[0]).status_code == 200
    assert _get(app.test_client(), tamper(original)).status_code == 403


@pytest.mark.local_storage
def test_another_videos_segment_with_this_videos_signature_is_403(
    app: Flask, client: FlaskClient, auth: Auth, ladder: Ladder, make_ready_video
) -> None:
    other = make_ready_video(ladder.owner.id, "Other lesson")
    auth.login(ladder.learner.email)
    mine = MEDIA_LINK.match(_segment_links(client, ladder)[0])
    anonymous = app.test_client()
    # Same file name, same expiry, this video's signature, the other video's path.
    assert _get(anonymous, _link(other, mine[2], mine[3], mine[4])).status_code == 403
    assert _get(anonymous, _link(ladder.video_id, mine[2], mine[3], mine[4])).status_code == 200


def test_session_route_still_serves_segments_to_authorized_viewers(
    client: FlaskClient, auth: Auth, ladder: Ladder
) -> None:
    """Scripts that already hold a session may fetch a file of the ladder directly."""
    url = f"/videos/{ladder.video_id}/hls/{ladder.variant}/seg_00000.ts"
    assert _get(client, url).status_code == 401
    auth.login(ladder.learner.email)
    response = _get(client, url)
    assert response.status_code == 200 and response.mimetype == "video/mp2t"


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """GET from the store itself, as a player would: no cookies, no app."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 (loopback)
            return reply.status, reply.headers["Content-Type"], reply.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, "", b""


def test_s3_playlists_name_presigned_urls_of_the_store(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    make_user,
    make_ready_video,
    s3_server: S3Server,
    monkeypatch,
) -> None:
    """On S3 the segments and thumbnail sheets are fetched from the store by presigned
    URLs that live ``MEDIA_URL_TTL_MINUTES``; the app only serves the playlists."""
    store = s3_server.storage()
    monkeypatch.setitem(app.extensions, "storage", store)
    monkeypatch.setitem(app.config, "MEDIA_URL_TTL_MINUTES", 7)
    learner = make_user("learner")
    video_id = make_ready_video(make_user("instructor").id, "Lesson on S3")
    with app.app_context():
        video = db.session.get(Video, video_id)
        prefix, storyboard = video.hls_prefix, video.storyboard_path
        variant = video.renditions[0].playlist.rpartition("/")[0]
    auth.login(learner.email)
    playlist = _get(client, f"/videos/{video_id}/hls/{variant}/index.m3u8")
    assert playlist.status_code == 200
    url = parse_media_segments(playlist.get_data(as_text=True))[0].uri
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_server.endpoint_url
    assert parts.path == f"/{store.bucket}/{prefix}/{variant}/seg_00000.ts"
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["420"]

    whole = store.get_bytes(f"{prefix}/{variant}/seg_00000.ts")
    status, mimetype, body = _fetch(url)
    assert (status, mimetype, body) == (200, "video/mp2t", whole)
    status, _, body = _fetch(url, {"Range": "bytes=188-751"})
    assert (status, body) == (206, whole[188:752])
    assert _fetch(url.replace("seg_00000", "seg_00001"))[0] == 403

    track = _get(client, f"/videos/{video_id}/hls/{storyboard}").get_data(as_text=True)
    sheet = next(line for line in track.splitlines() if "#xywh=" in line).partition("#")[0]
    status, mimetype, _ = _fetch(sheet)
    assert (status, mimetype) == (200, "image/jpeg")


# --------------------------------------------------------------------------- pure parts


def test_check_accepts_until_expiry_and_rejects_after() -> None:
    expires = expires_at(1_000_000.0, 600)
    assert expires >= 1_000_600 and expires % 60 == 0
    sig = signature(SECRET, 7, "videos/7/hls/a/360p/seg_00000.ts", expires)
    check(SECRET, 7, "videos/7/hls/a/360p/seg_00000.ts", expires, sig, now=expires - 1)
    with pytest.raises(InvalidMediaLink, match="expired"):
        check(SECRET, 7, "videos/7/hls/a/360p/seg_00000.ts", expires, sig, now=expires)
    for video_id, key, secret in (
        (8, "videos/7/hls/a/360p/seg_00000.ts", SECRET),
        (7, "videos/7/hls/a/360p/seg_00001.ts", SECRET),
        (7, "videos/7/hls/a/360p/seg_00000.ts", "another-secret"),
    ):
        with pytest.raises(InvalidMediaLink, match="not valid"):
            check(secret, video_id, key, expires, sig, now=expires - 1)


def test_sign_playlist_signs_segments_init_and_keys_but_not_playlists() -> None:
    text = (
        "#EXTM3U\n"
        '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.bin",IV=0x1\n'
        '#EXT-X-MAP:URI="init.mp4"\n'
        "#EXTINF:4.0,\n"
        "seg_00000.m4s\n"
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="iframes.m3u8"\n'
        "#EXT-X-ENDLIST\n"
    )
    signed = sign_playlist(text, "360p", lambda path: f"S({path})")
    assert 'URI="S(keys/k1.bin)"' in signed
    assert '#EXT-X-MAP:URI="S(360p/init.mp4)"' in signed
    assert "\nS(360p/seg_00000.m4s)\n" in signed
    assert 'URI="iframes.m3u8"' in signed
    master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n"
    assert sign_playlist(master, "", lambda path: f"S({path})") == master
    with pytest.raises(ValueError, match="outside its ladder"):
        sign_playlist("#EXTINF:4,\nhttp://elsewhere/a.ts\n", "360p", str)
    with pytest.raises(ValueError, match="outside its ladder"):
        sign_playlist("#EXTINF:4,\n../../../other/a.ts\n", "360p", str)


def test_sign_vtt_signs_image_cues_and_keeps_text_cues() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\nsheet_000.jpg#xywh=0,0,160,90\n\n"
        "00:00:02.000 --> 00:00:04.000\nThe loss goes down.\n"
    )
    signed = sign_vtt(text, "storyboard", lambda path: f"S({path})")
    assert "S(storyboard/sheet_000.jpg)#xywh=0,0,160,90" in signed
    assert "The loss goes down." in signed and "00:00:02.000 --> 00:00:04.000" in signed
    assert ladder_path("storyboard", "/etc/passwd") is None
    assert ladder_path("", "../x.jpg") is None


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture
def tab(browser: Browser, live_server: str) -> Iterator[Tab]:
    """A page in a fresh context (own cookies), pointed at the live server."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    page = context.new_page()
    tab = Tab(page)
    page.on("pageerror", tab.record_page_error)
    yield tab
    context.route(re.compile(r"/progress$"), lambda route: route.abort())
    context.close()


@pytest.mark.local_storage
@pytest.mark.browser
def test_player_recovers_when_segment_links_expire(
    tab: Tab, app: Flask, make_user, make_lesson
) -> None:
    """Every variant playlist's first fetch names links that have already expired (the
    server's own signature, with a past expiry): the player fetches the playlist again
    for fresh links and plays on, no fatal error."""
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id, "Long lesson")
    with app.app_context():
        prefix = db.session.get(Video, video_id).hls_prefix
    past = expires_at(time.time() - 3600, 60)
    served: set[str] = set()

    def expire(match: re.Match) -> str:
        key = f"{prefix}/{match[2]}"
        return _link(int(match[1]), match[2], past, signature(SECRET, video_id, key, past))

    def first_fetch_expired(route: Route) -> None:
        response = route.fetch()
        body = response.text()
        if route.request.url not in served:
            served.add(route.request.url)
            body = "\n".join(
                MEDIA_LINK.sub(expire, line) if line.startswith("/media/") else line
                for line in body.splitlines()
            )
        route.fulfill(response=response, body=body)

    tab.page.route(re.compile(rf"/videos/{video_id}/hls/\w+/index\.m3u8$"), first_fetch_expired)
    tab.login(learner)
    tab.page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    tab.page.evaluate(START_MUTED)
    tab.page.wait_for_function(
        "() => document.getElementById('video').currentTime > 5", timeout=WAIT_MS
    )
    tab.assert_no_fatal()
    assert served, "the player fetched no variant playlist"
    assert int(tab.page.get_attribute("#player", "data-link-refreshes") or "0") >= 1
    assert tab.errors == []
