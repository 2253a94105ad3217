"""Captions: parsing and conversion (pure), the upload API and its refusals, who may read
and change tracks, the caption manager pages, player preferences, and caption search."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from tests.support import factories
from tests.support.auth import Auth
from tests.support.problems import problem_fields
from webapp.captions import cuetext
from webapp.captions.errors import CaptionError, CaptionTooLarge
from webapp.captions.languages import clean_label, normalize_tag
from webapp.captions.parsing import MAX_BYTES, MAX_CUES, format_timestamp, parse_caption_file
from webapp.catalogue.search import search_condition
from webapp.clips.services import create_clip
from webapp.extensions import db
from webapp.models import (
    Caption,
    CaptionCue,
    Module,
    User,
    UserPreferences,
    Video,
    VideoState,
)
from webapp.storage import get_storage

SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\nGradient descent takes a step\n\n"
    "2\n00:00:02,500 --> 00:00:04,000\ndownhill, <i>every</i> time.\n"
)
VTT = "WEBVTT\n\n00:01.000 --> 00:02.500\nGradient descent takes a step\n"


# --------------------------------------------------------------------------- parsing (pure)


def _vtt(source: str | bytes, duration: float | None = 60.0, filename: str | None = None):
    data = source.encode() if isinstance(source, str) else source
    return parse_caption_file(data, duration, filename)


def test_srt_with_bom_crlf_and_commas_becomes_webvtt() -> None:
    source = "\ufeff" + SRT.replace("\n", "\r\n")
    track = _vtt(source)
    assert track.source_format == "srt"
    assert track.to_vtt() == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\nGradient descent takes a step\n\n"
        "00:00:02.500 --> 00:00:04.000\ndownhill, <i>every</i> time.\n"
    )
    assert [c.plain for c in track.cues] == [
        "Gradient descent takes a step",
        "downhill, every time.",
    ]


def test_srt_without_blank_lines_between_cues_still_splits_them() -> None:
    source = (
        "1\n00:00:01,000 --> 00:00:02,000\nFirst line\nsecond line\n"
        "2\n00:00:02,000 --> 00:00:03,000\nNext cue\n"
        "00:00:03,000 --> 00:00:04,000\nNo number at all\n"
    )
    track = _vtt(source)
    assert [(c.start, c.end, c.text) for c in track.cues] == [
        (1.0, 2.0, "First line\nsecond line"),
        (2.0, 3.0, "Next cue"),
        (3.0, 4.0, "No number at all"),
    ]


def test_overlapping_cues_are_kept() -> None:
    source = (
        "1\n00:00:01,000 --> 00:00:05,000\nAlice: so the loss\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nBob: wait\n"
    )
    assert [(c.start, c.end) for c in _vtt(source).cues] == [(1.0, 5.0), (2.0, 3.0)]


def test_vtt_header_notes_styles_identifiers_and_settings() -> None:
    source = (
        "WEBVTT - lecture 3\nKind: captions\n\n"
        "STYLE\n::cue { background-image: url(https://evil.example/x.png) }\n\n"
        "NOTE written by the TA\n\n"
        "intro\n00:00:00.500 --> 00:00:01.500 align:start line:10% region:r1 bogus\n"
        "<v Ada Lovelace>Hello</v>\n\n"
        "01:00:00.000 --> 01:00:01.000\nAn hour in\n"
    )
    track = _vtt(source, duration=3601.0)
    assert track.source_format == "vtt"
    assert track.to_vtt() == (
        "WEBVTT\n\n"
        "00:00:00.500 --> 00:00:01.500 align:start line:10%\n<v Ada Lovelace>Hello</v>\n\n"
        "01:00:00.000 --> 01:00:01.000\nAn hour in\n"
    )


def test_utf16_with_bom_and_srt_fractions() -> None:
    source = "1\n0:00:01.5 --> 0:00:02,25\nÉté\n".encode("utf-16")
    [cue] = _vtt(source).cues
    assert (cue.start_ms, cue.end_ms, cue.text) == (1500, 2250, "Été")


def test_empty_cues_are_dropped() -> None:
    source = "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n\n2\n00:00:02,000 --> 00:00:03,000\nx\n"
    assert [c.text for c in _vtt(source).cues] == ["x"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (it contains binary data)"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nbell\x07", "control characters"),
        ("é".encode("latin-1") + b"\n00:00:01,000", "not valid UTF-8 text (byte 0)"),
        (b"Hello, this is a transcript", "neither WebVTT"),
        (b"WEBVTT\n\n00:01,000 --> 00:02.000\nx", "line 3: bad timestamp “00:01,000”"),
        (b"WEBVTT\n\n00:01,000 --> 00:02.000\nx", "full stop, not a comma"),
        (b"WEBVTT\n\n1:02.000 --> 1:03.000\nx", "expected [HH:]MM:SS.mmm"),
        (b"WEBVTT\n\n00:61.000 --> 00:62.000\nx", "bad timestamp “00:61.000”"),
        (b"1\n00:00:01,000 --> 00:00:0x,000\nx", "line 2: bad timestamp “00:00:0x,000”"),
        (b"1\n00:00:01,000 -->\nx", "line 2: a timing line needs a start and an end"),
        (b"1\nHello\n", "line 2: expected a timing line such as “00:00:01,000 --> 00:00:04,000”"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n", "line 5: “2” has no timing line"),
        (
            b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx",
            "line 1: a WebVTT file must start with “WEBVTT”",
        ),
        (b"WEBVTX\n\n00:01.000 --> 00:02.000\nx", "neither WebVTT"),
        (b"WEBVTT\n\n00:03.000 --> 00:02.000\nx", "line 3: the cue ends (00:00:02.000) before"),
        (b"WEBVTT\n\n00:02.000 --> 00:02.000\nx", "before or when it starts"),
        (
            b"WEBVTT\n\n00:05.000 --> 00:06.000\na\n\n00:04.000 --> 00:07.000\nb",
            "line 6: the cue starts at 00:00:04.000, before the cue on line 3",
        ),
        (b"WEBVTT\n\n00:59.000 --> 01:02.001\nx", "after the end of the video (00:01:00.000)"),
        (b"WEBVTT\n\nNOTE only a note\n", "the file has no cues with text"),
        (
            b"WEBVTT\n\n00:01.000 --> 00:02.000\n" + b"x" * 1001,
            "line 3: the cue text is over 1000 characters",
        ),
    ],
)
def test_bad_files_say_what_is_wrong(source: bytes, message: str) -> None:
    with pytest.raises(CaptionError) as caught:
        _vtt(source, duration=60.0)
    assert message in str(caught.value)


def test_cues_may_run_two_seconds_past_the_end() -> None:
    assert _vtt(b"WEBVTT\n\n00:59.000 --> 01:02.000\nx", duration=60.0).cues
    assert _vtt(b"WEBVTT\n\n10:00.000 --> 10:02.000\nx", duration=None).cues


def test_size_and_cue_count_caps() -> None:
    with pytest.raises(CaptionTooLarge):
        _vtt(b"WEBVTT\n\n" + b"a" * MAX_BYTES)
    many = "WEBVTT\n\n" + "".join(
        f"{format_timestamp(i * 100)} --> {format_timestamp(i * 100 + 50)}\nx\n\n"
        for i in range(MAX_CUES + 1)
    )
    with pytest.raises(CaptionError, match=f"the limit is {MAX_CUES}"):
        _vtt(many, duration=None)


def test_extension_picks_the_reader() -> None:
    with pytest.raises(CaptionError, match="must start with “WEBVTT”"):
        _vtt(SRT, filename="lecture.vtt")
    assert _vtt(VTT, filename="lecture.txt").source_format == "vtt"


@pytest.mark.parametrize(
    ("raw", "stored", "plain"),
    [
        ("<script>alert(1)</script>Hi", "alert(1)Hi", "alert(1)Hi"),
        ('<img src=x onerror="alert(1)">', "", ""),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;", None),
        ("<b>bold</b> <I>it</I> <u.loud>u</u>", "<b>bold</b> <i>it</i> <u>u</u>", "bold it u"),
        ('<v Bob "><script>">x</v>', '<v Bob ">"&gt;x</v>', None),
        ("<font color='red'>red</font> {\\an8}top", "red top", "red top"),
        ("<c.yellow>karaoke</c> <00:00:01.500>now", "karaoke now", "karaoke now"),
        ("x < 5 & y > 3 --> done", "x &lt; 5 &amp; y &gt; 3 --&gt; done", "x < 5 & y > 3 --> done"),
        ("<a href='javascript:alert(1)'>link</a>", "link", "link"),
        ("Fish &amp; chips&nbsp;&copy;", "Fish &amp; chips\xa0©", "Fish & chips ©"),
    ],
)
def test_cue_text_is_made_inert(raw: str, stored: str, plain: str | None) -> None:
    assert cuetext.sanitize(raw) == stored
    if plain is not None:
        assert cuetext.plain(cuetext.sanitize(raw)) == plain
    for tag in re.findall(r"<[^>]*>", stored):
        assert re.fullmatch(r"</?(b|i|u)>|<v [^<>]*>|</v>|<v>", tag), tag


def test_hostile_cue_text_never_reaches_the_stored_track_as_markup() -> None:
    source = (
        "1\n00:00:01,000 --> 00:00:02,000\n"
        '<script>fetch("/api")</script><iframe src=//evil></iframe>\n'
        "<svg/onload=alert(1)>caption\n"
    )
    vtt = _vtt(source).to_vtt()
    assert "<script" not in vtt and "<iframe" not in vtt and "<svg" not in vtt
    assert 'fetch("/api")' in vtt and "caption" in vtt


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("en", "en"), ("PT-br", "pt-BR"), ("zh_hant_tw", "zh-Hant-TW"), ("es-419", "es-419")],
)
def test_language_tags_are_canonical(raw: str, tag: str) -> None:
    assert normalize_tag(raw) == tag


@pytest.mark.parametrize(
    "raw", ["", "e", "english", "en-", "en-US-x-private", "../en", "en<script>", 5, None]
)
def test_bad_language_tags(raw: object) -> None:
    with pytest.raises(CaptionError, match="language"):
        normalize_tag(raw)


def test_labels() -> None:
    assert clean_label(None, "fr") == "Français"
    assert clean_label("  ", "pt-BR") == "Português (Brasil)"
    assert clean_label("", "fr-CA") == "Français (fr-CA)"
    assert clean_label(" Klingon\n tlhIngan ", "tlh") == "Klingon tlhIngan"
    with pytest.raises(CaptionError, match="control characters"):
        clean_label("English\u202e", "en")
    with pytest.raises(CaptionError, match="at most 80"):
        clean_label("x" * 81, "en")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def owner(auth: Auth, make_user, make_ready_video):
    """A signed-in instructor with a READY 4 s recording; returns (user, video_id)."""
    user = make_user("instructor")
    video_id = make_ready_video(user.id, "Class recording")
    auth.login(user.email)
    return user, video_id


def _upload(client: FlaskClient, auth: Auth, video_id: int, **body: object):
    body.setdefault("language", "en")
    body.setdefault("content", SRT)
    return client.post(
        f"/api/v1/videos/{video_id}/captions", data=json.dumps(body), headers=auth.json_headers()
    )


def _stored(app: Flask, key: str) -> bool:
    with app.app_context():
        return get_storage().exists(key)


def _caption(app: Flask, video_id: int, language: str) -> tuple[str, int, bool]:
    with app.app_context():
        row = db.session.scalar(
            select(Caption).where(Caption.video_id == video_id, Caption.language == language)
        )
        assert row is not None
        return row.storage_key, row.version, row.is_default


# --------------------------------------------------------------------------- upload API


def test_upload_list_serve_replace_and_delete(
    app: Flask, client: FlaskClient, auth: Auth, owner
) -> None:
    _, video_id = owner
    created = _upload(client, auth, video_id, language="EN", label="English (lecture)")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body == {
        "language": "en",
        "label": "English (lecture)",
        "default": True,
        "version": 1,
        "cues": 2,
        "source_format": "srt",
        "url": f"/videos/{video_id}/captions/en.vtt",
        "updated_at": body["updated_at"],
    }
    key, version, _ = _caption(app, video_id, "en")
    assert (key, version) == (f"captions/{video_id}/en-1.vtt", 1)

    track = client.get(body["url"])
    assert track.status_code == 200
    assert track.mimetype == "text/vtt"
    assert track.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in track.headers["Cache-Control"]
    assert track.get_data(as_text=True).startswith(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nGradient descent"
    )
    etag = track.headers["ETag"]
    assert client.get(body["url"], headers={"If-None-Match": etag}).status_code == 304

    french = _upload(client, auth, video_id, language="fr", content=VTT)
    assert french.status_code == 201 and french.get_json()["default"] is False
    listed = client.get(f"/api/v1/videos/{video_id}/captions").get_json()["captions"]
    assert [(c["language"], c["label"], c["default"]) for c in listed] == [
        ("en", "English (lecture)", True),
        ("fr", "Français", False),
    ]

    replaced = _upload(client, auth, video_id, language="en", content=VTT, default=True)
    assert replaced.status_code == 200
    assert (replaced.get_json()["version"], replaced.get_json()["cues"]) == (2, 1)
    new_key, _, _ = _caption(app, video_id, "en")
    assert new_key == f"captions/{video_id}/en-2.vtt"
    assert _stored(app, new_key) and not _stored(app, key)
    assert client.get(body["url"], headers={"If-None-Match": etag}).status_code == 200

    cues = client.get(f"/api/v1/videos/{video_id}/captions/en").get_json()["cue_list"]
    assert cues == [{"start": 1.0, "end": 2.5, "text": "Gradient descent takes a step"}]

    url = f"/api/v1/videos/{video_id}/captions/en"
    assert client.delete(url, headers=auth.json_headers()).status_code == 204
    assert not _stored(app, new_key)
    assert client.get(body["url"]).status_code == 404
    assert client.get(url).status_code == 404
    # The remaining track took over as the default.
    assert _caption(app, video_id, "fr")[2] is True
    with app.app_context():
        assert db.session.scalar(select(func.count(CaptionCue.id))) == 1


def test_multipart_upload_through_the_api(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    response = client.post(
        f"/api/v1/videos/{video_id}/captions",
        data={"language": "de", "default": "1", "file": (io.BytesIO(SRT.encode()), "de.srt")},
        headers={"X-CSRFToken": auth.csrf("/")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["label"] == "Deutsch"


def test_relabel_and_default(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    _upload(client, auth, video_id, language="en")
    _upload(client, auth, video_id, language="es", content=VTT)
    url = f"/api/v1/videos/{video_id}/captions/es"
    patched = client.patch(
        url, data=json.dumps({"label": "Spanish", "default": True}), headers=auth.json_headers()
    )
    assert patched.status_code == 200
    listed = client.get(f"/api/v1/videos/{video_id}/captions").get_json()["captions"]
    assert [(c["language"], c["label"], c["default"]) for c in listed] == [
        ("es", "Spanish", True),
        ("en", "English", False),
    ]
    for body, message in (
        ({"default": False}, "default: can only be set to true"),
        ({"language": "fr"}, "unknown field(s): language; allowed: default, label"),
        ({}, "send a JSON object"),
        ({"label": "x" * 81}, "at most 80"),
    ):
        response = client.patch(url, data=json.dumps(body), headers=auth.json_headers())
        assert response.status_code == 400 and message in response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"language": "english"}, 400, "not a BCP 47 tag"),
        ({"language": None}, 400, "language: Input should be a valid string"),
        ({"content": ""}, 400, "content: must be the text"),
        ({"content": 5}, 400, "content: Input should be a valid string"),
        ({"format": "ass"}, 400, "format: Input should be 'vtt' or 'srt'"),
        ({"format": "vtt"}, 400, "must start with “WEBVTT”"),
        ({"default": "yes"}, 400, "default: Input should be a valid boolean"),
        ({"label": "a\x00b"}, 400, "label: contains a control character"),
        ({"content": "WEBVTT\n\n00:01.000 --> 00:09.000\nx"}, 400, "after the end of the video"),
        ({"content": "1\n00:00:01,000 --> 00:00:02,000\n"}, 400, "no cues with text"),
        ({"content": "\x00\x01\x02"}, 400, "content: contains a control character"),
        ({"content": "WEBVTT\n\n" + "a" * (MAX_BYTES + 1)}, 413, "over the 2 MB limit"),
    ],
)
def test_upload_refusals(
    client: FlaskClient, auth: Auth, owner, body: dict, status: int, message: str
) -> None:
    _, video_id = owner
    response = _upload(client, auth, video_id, **body)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert client.get(f"/api/v1/videos/{video_id}/captions").get_json()["captions"] == []


def test_upload_body_must_be_json_or_multipart(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    response = client.post(
        f"/api/v1/videos/{video_id}/captions",
        data="language=en",
        headers={"X-CSRFToken": auth.csrf("/"), "Content-Type": "text/plain"},
    )
    assert response.status_code == 400 and "multipart/form-data" in response.get_json()["error"]
    empty = client.post(
        f"/api/v1/videos/{video_id}/captions",
        data={"language": "en"},
        headers={"X-CSRFToken": auth.csrf("/")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400 and "choose a caption file" in empty.get_json()["error"]


def test_upload_needs_the_csrf_token_with_a_session(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    response = client.post(
        f"/api/v1/videos/{video_id}/captions",
        data=json.dumps({"language": "en", "content": SRT}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and "CSRF" in response.get_json()["error"]


def test_no_captions_before_the_duration_is_known(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    user = make_user("instructor")
    with app.app_context():
        video = Video(title="Uploading", owner_id=user.id, state=VideoState.UPLOADED.value)
        db.session.add(video)
        db.session.commit()
        video_id = video.id
    auth.login(user.email)
    response = _upload(client, auth, video_id)
    assert response.status_code == 409


# --------------------------------------------------------------------------- authorization


def _cohort_recording(app: Flask, video_id: int) -> None:
    """Make ``video_id`` the recording of a class of a new cohort (cohort-private)."""
    with app.app_context():
        factories.add_cohort_recording(video_id, "data", datetime.now(UTC))
        db.session.commit()


def test_who_may_read_and_change_tracks(
    app: Flask, client: FlaskClient, auth: Auth, owner, make_user
) -> None:
    _, video_id = owner
    assert _upload(client, auth, video_id).status_code == 201
    vtt_url = f"/videos/{video_id}/captions/en.vtt"
    api_url = f"/api/v1/videos/{video_id}/captions"
    auth.logout()
    assert client.get(vtt_url).status_code == 401
    assert client.get(api_url).status_code == 401

    other = make_user("instructor")
    auth.login(other.email)
    assert client.get(vtt_url).status_code == 200  # may watch a published video
    assert _upload(client, auth, video_id, language="fr").status_code == 403
    for request in (
        lambda: client.patch(
            f"{api_url}/en", data=json.dumps({"label": "x"}), headers=auth.json_headers()
        ),
        lambda: client.delete(f"{api_url}/en", headers=auth.json_headers()),
        lambda: client.get(f"/videos/{video_id}/captions"),
    ):
        assert request().status_code == 403
    auth.logout()

    learner = make_user("learner")
    auth.login(learner.email)
    assert client.get(api_url).get_json()["captions"][0]["language"] == "en"
    assert client.get(vtt_url).status_code == 200
    assert _upload(client, auth, video_id, language="fr").status_code == 403
    assert client.get(f"/videos/{video_id}/captions/xx-!!.vtt").status_code == 404
    assert client.get(f"/videos/{video_id}/captions/de.vtt").status_code == 404

    # Once the recording belongs to a cohort, a learner outside it may not read the track.
    _cohort_recording(app, video_id)
    assert client.get(vtt_url).status_code == 403
    assert client.get(api_url).status_code == 404
    assert client.get(f"{api_url}/en").status_code == 404


def test_bearer_token_reads_the_track(client: FlaskClient, auth: Auth, owner, make_user) -> None:
    _, video_id = owner
    _upload(client, auth, video_id)
    auth.logout()
    learner = make_user("learner")
    token = client.post(
        "/api/v1/tokens", json={"email": learner.email, "password": learner.password}
    ).get_json()["token"]
    response = client.get(
        f"/videos/{video_id}/captions/en.vtt", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200 and response.mimetype == "text/vtt"
    bad = client.get(
        f"/videos/{video_id}/captions/en.vtt", headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401


# --------------------------------------------------------------------------- manager pages


def test_caption_manager_pages(app: Flask, client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    page = client.get(f"/videos/{video_id}/captions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No captions yet." in html and 'name="csrf_token"' in html
    assert f'href="/videos/{video_id}/captions"' in client.get(f"/videos/{video_id}").get_data(
        as_text=True
    )

    token = auth.csrf(f"/videos/{video_id}/captions")
    form = {
        "csrf_token": token,
        "language": "en",
        "label": "<b>English</b>",
        "file": (io.BytesIO(SRT.encode()), "lecture.srt"),
    }
    done = client.post(
        f"/videos/{video_id}/captions", data=form, content_type="multipart/form-data"
    )
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Added &lt;b&gt;English&lt;/b&gt; captions (2 cues)." in html
    assert "<b>English</b>" not in html

    bad = client.post(
        f"/videos/{video_id}/captions",
        data={**form, "file": (io.BytesIO(b"\x00binary"), "x.srt")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "not a text file" in bad.get_data(as_text=True)

    removed = client.post(f"/videos/{video_id}/captions/en/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    assert "No captions yet." in client.get(f"/videos/{video_id}/captions").get_data(as_text=True)
    assert (
        client.post(
            f"/videos/{video_id}/captions/en/delete", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_watch_page_has_the_caption_hooks(client: FlaskClient, auth: Auth, owner) -> None:
    _, video_id = owner
    html = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert f'data-captions-url="/api/v1/videos/{video_id}/captions"' in html
    assert 'data-preferences-url="/api/v1/me/preferences"' in html
    assert 'aria-haspopup="menu"' in html and 'id="transcript"' in html
    assert "/player/captions.js" in html and "/player/transcript.js" in html
    assert "/player/captions.css" in html


# --------------------------------------------------------------------------- preferences


def test_preferences_round_trip(app: Flask, client: FlaskClient, auth: Auth, make_user) -> None:
    learner = make_user("learner")
    auth.login(learner.email)
    nothing = {"caption_language": None, "playback_rate": None, "volume": None, "muted": None}
    assert client.get("/api/v1/me/preferences").get_json() == nothing
    url = "/api/v1/me/preferences"
    saved = client.put(
        url,
        data=json.dumps({"caption_language": "pt-br", "playback_rate": 1.5, "volume": 0.8}),
        headers=auth.json_headers(),
    )
    assert saved.status_code == 200
    expected = {"caption_language": "pt-BR", "playback_rate": 1.5, "volume": 0.8, "muted": None}
    assert saved.get_json() == expected
    muted = client.put(url, data=json.dumps({"muted": True}), headers=auth.json_headers())
    assert muted.get_json() == {**expected, "muted": True}
    off = client.put(url, data=json.dumps({"caption_language": None}), headers=auth.json_headers())
    assert off.get_json()["caption_language"] is None
    with app.app_context():
        row = db.session.get(UserPreferences, learner.id)
        assert (row.caption_language, row.playback_rate, row.muted) == (None, 1.5, True)
    assert client.put(url, json={"muted": False}).status_code == 400  # no CSRF token


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"caption_language": "klingon language"}, "caption_language: language"),
        ({"caption_language": 7}, "caption_language: Input should be a valid string"),
        ({"playback_rate": 0.1}, "playback_rate: Input should be greater than or equal to 0.25"),
        ({"playback_rate": 2.5}, "playback_rate: Input should be less than or equal to 2"),
        ({"playback_rate": "fast"}, "playback_rate: Input should be a valid number"),
        ({"playback_rate": True}, "playback_rate: Input should be a valid number"),
        ({"volume": 1.5}, "volume: Input should be less than or equal to 1"),
        ({"volume": -0.1}, "volume: Input should be greater than or equal to 0"),
        ({"muted": "yes"}, "muted: Input should be a valid boolean"),
        ({"muted": 1}, "muted: Input should be a valid boolean"),
        ({"theme": "dark"}, "unknown field(s): theme"),
        ([1, 2], "send a JSON object"),
    ],
)
def test_bad_preferences_are_400(
    app: Flask, client: FlaskClient, auth: Auth, make_user, body: object, message: str
) -> None:
    learner = make_user("learner")
    auth.login(learner.email)
    good = client.put(
        "/api/v1/me/preferences", data=json.dumps({"volume": 0.5}), headers=auth.json_headers()
    )
    assert good.status_code == 200
    response = client.put(
        "/api/v1/me/preferences",
        data=json.dumps({"volume": 0.25, **body} if isinstance(body, dict) else body),
        headers=auth.json_headers(),
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    # Nothing of a refused update is kept.
    assert client.get("/api/v1/me/preferences").get_json()["volume"] == 0.5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "en", "content": SRT, "label": 5}, "label"),
        ({"language": "en", "content": SRT, "default": 1}, "default"),
        ({"language": "en", "content": SRT, "format": "ass"}, "format"),
        ({"language": "en", "content": SRT, "uploaded_by": 1}, "uploaded_by"),
        ({"language": "english", "content": SRT}, "language"),
        ({"language": "x" * 40, "content": SRT}, "language"),
        ({"content": SRT}, "language"),
        ({"language": "en"}, "content"),
    ],
)
def test_bad_uploads_name_the_field(
    client: FlaskClient, auth: Auth, owner, body: dict, field: str
) -> None:
    _, video_id = owner
    response = client.post(
        f"/api/v1/videos/{video_id}/captions", data=json.dumps(body), headers=auth.json_headers()
    )
    assert field in problem_fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": 5}, "label"),
        ({"default": False}, "default"),
        ({"default": None}, "default"),
        ({"version": 3}, "version"),
    ],
)
def test_bad_track_changes_name_the_field(
    client: FlaskClient, auth: Auth, owner, body: dict, field: str
) -> None:
    _, video_id = owner
    _upload(client, auth, video_id, language="en")
    response = client.patch(
        f"/api/v1/videos/{video_id}/captions/en", data=json.dumps(body), headers=auth.json_headers()
    )
    assert field in problem_fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"volume": "loud"}, "volume"),
        ({"volume": 2}, "volume"),
        ({"playback_rate": 0}, "playback_rate"),
        ({"muted": "no"}, "muted"),
        ({"caption_language": "??"}, "caption_language"),
        ({"user_id": 1}, "user_id"),
    ],
)
def test_bad_preferences_name_the_field(
    client: FlaskClient, auth: Auth, make_user, body: dict, field: str
) -> None:
    auth.login(make_user("learner").email)
    response = client.put(
        "/api/v1/me/preferences", data=json.dumps(body), headers=auth.json_headers()
    )
    assert field in problem_fields(response)


def test_preferences_need_a_caller(client: FlaskClient) -> None:
    assert client.get("/api/v1/me/preferences").status_code == 401
    assert client.put("/api/v1/me/preferences", json={"volume": 1}).status_code == 401


# --------------------------------------------------------------------------- search


_listed_video = factories.listed_video


LECTURE = (
    "WEBVTT\n\n"
    "00:00:05.000 --> 00:00:09.000\nToday: convex functions.\n\n"
    "00:01:30.000 --> 00:01:34.000\nThe <i>Hessian</i> matrix tells us the curvature.\n\n"
    "00:04:10.000 --> 00:04:15.000\nBack to the Hessian, with momentum.\n"
)


def test_search_finds_words_spoken_in_a_lecture(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    instructor = make_user("instructor")
    video_id = _listed_video(app, instructor.id, "Optimisation, week 4")
    _listed_video(app, instructor.id, "Unrelated lecture")
    with app.app_context():
        video = db.session.get(Video, video_id)
        user = db.session.get(User, instructor.id)
        late = create_clip(video, user, {"title": "Momentum", "start": 240.0, "end": 300.0})
        early = create_clip(video, user, {"title": "Intro", "start": 0.0, "end": 60.0})
        db.session.commit()
        late_id, early_id = late.id, early.id
    auth.login(instructor.email)
    assert _upload(client, auth, video_id, content=LECTURE).status_code == 201
    auth.logout()
    auth.login(make_user("learner").email)

    html = client.get("/?q=hessian+matrix").get_data(as_text=True)
    assert "Optimisation, week 4" in html and "Unrelated lecture" not in html
    assert f'href="/videos/{video_id}?t=90.0"' in html

    items = client.get("/api/v1/modules?q=hessian").get_json()["items"]
    matches = {(i["kind"], i["clip_id"]): i.get("match") for i in items}
    assert matches == {
        ("video", None): {"at": 90.0, "url": f"/videos/{video_id}?t=90.0"},
        ("clip", late_id): {"at": 250.0, "url": f"/videos/{video_id}?t=250.0"},
    }
    assert early_id not in {i["clip_id"] for i in items}
    # Prefixes match, as for titles; every word must be in one cue.
    assert len(client.get("/api/v1/modules?q=curv").get_json()["items"]) == 1
    assert client.get("/api/v1/modules?q=convex+hessian").get_json()["items"] == []

    # Deleting the track takes its words out of the search.
    auth.logout()
    auth.login(instructor.email)
    client.delete(f"/api/v1/videos/{video_id}/captions/en", headers=auth.json_headers())
    assert client.get("/api/v1/modules?q=hessian").get_json()["items"] == []


def test_postgres_caption_search_stays_on_indexes(app: Flask) -> None:
    """Caption matches are one uncorrelated subquery on the cues' GIN index, OR-ed with the
    title search as ``id = ANY(...)``: a bitmap scan, never a scan of every module."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the GIN indexes exist on PostgreSQL only")
        query = select(Module.id).where(search_condition(["hessian"], "postgresql"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        # Compiled for the driver (a trigram operator's "%" doubled): run as it is.
        connection = db.session.connection()
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
        db.session.rollback()
    assert "ix_caption_cues_search" in plan and "ix_modules_search" in plan
    assert "Seq Scan on modules" not in plan
