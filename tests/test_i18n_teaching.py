"""The teaching side in German: an instructor whose browser asks for German sees the
analytics, the clip editor and the upload page in German, their scripts get their texts
in German, and a rejected upload form answers in German with what was typed kept."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import expect

from tests.support import factories
from tests.support.auth import Auth
from tests.support.browser import WAIT_MS, Tab
from webapp.extensions import db
from webapp.models import User, Video, VideoState

EDITOR_LOADED = '#editor[data-loaded="1"][data-ready="1"]'


@pytest.fixture
def instructor(client: FlaskClient, auth: Auth, make_user):
    """A signed-in instructor whose browser prefers German."""
    user = make_user("instructor")
    auth.login(user.email)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9,en;q=0.5"
    return user


def _ready_video(app: Flask, owner_id: int, title: str = "Suchmaschinen") -> int:
    with app.app_context():
        video = Video(
            title=title,
            owner_id=owner_id,
            state=VideoState.READY.value,
            duration=95.0,
            hls_prefix="videos/test/hls",  # playable; nothing is fetched here
        )
        db.session.add(video)
        db.session.commit()
        return video.id


def _script_json(html: str, element_id: str) -> dict[str, str]:
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, f"no #{element_id} on the page"
    return json.loads(match.group(1))


def test_analytics_pages_in_german(app: Flask, client: FlaskClient, instructor) -> None:
    video_id = _ready_video(app, instructor.id)
    page = client.get("/analytics").get_data(as_text=True)
    assert "<h1>Analysen</h1>" in page
    assert "Eindeutige Zuschauer" in page and "Abschlüsse" in page
    assert "Unique viewers" not in page and "Completions" not in page
    assert "Ihre Aufzeichnungen, neueste zuerst" in page

    page = client.get(f"/analytics/videos/{video_id}").get_data(as_text=True)
    assert "Zuschauerbindung" in page and "Noch keine Zuschauer." in page
    assert "Wiedergabezeit, letzte" in page
    assert "Audience retention" not in page and "No viewers yet." not in page


def test_clip_editor_in_german(app: Flask, client: FlaskClient, instructor) -> None:
    video_id = _ready_video(app, instructor.id)
    response = client.get(f"/videos/{video_id}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Clips und Kapitel: Suchmaschinen" in page
    assert "Clip speichern" in page and "Noch keine Kapitel." in page
    assert "Save clip" not in page and "No chapters yet." not in page
    texts = _script_json(page, "editor-i18n")
    assert texts["Give the clip a title."] == "Geben Sie dem Clip einen Titel."
    assert texts["Delete clip “%(title)s”"] == "Clip „%(title)s“ löschen"


def test_upload_page_in_german(client: FlaskClient, instructor) -> None:
    page = client.get("/upload").get_data(as_text=True)
    assert "Aufzeichnungen hochladen" in page and "Ihre Aufzeichnungen" in page
    assert "Videodatei (MP4, MOV, M4V, MKV oder WebM)" in page
    assert "Upload recordings" not in page and "Your recordings" not in page
    texts = _script_json(page, "upload-i18n")
    assert texts["Visibility"] == "Sichtbarkeit"
    # Uppy's own Dashboard texts come from its German locale, served beside the bundle.
    locale_url = re.search(r'data-locale="([^"]*)"', page).group(1)
    assert locale_url == "/upload/vendor/uppy-locale-de.mjs"
    with client.get(locale_url) as response:
        assert response.status_code == 200
        assert "Dateien hinzufügen" in response.get_data(as_text=True)


def test_rejected_upload_answers_in_german_and_keeps_what_was_typed(
    client: FlaskClient, auth: Auth, instructor
) -> None:
    data = {"title": "Grundlagen der Suche", "csrf_token": auth.csrf("/upload")}
    response = client.post("/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Wählen Sie eine Videodatei zum Hochladen aus." in page
    assert "Choose a video file to upload." not in page
    assert 'value="Grundlagen der Suche"' in page


def test_english_stays_english(app: Flask, client: FlaskClient, auth: Auth, make_user) -> None:
    user = make_user("instructor")
    auth.login(user.email)
    video_id = _ready_video(app, user.id)
    page = client.get(f"/videos/{video_id}/edit").get_data(as_text=True)
    assert "Save clip" in page and "Clip speichern" not in page
    texts = _script_json(page, "editor-i18n")
    assert texts["Give the clip a title."] == "Give the clip a title."
    page = client.get("/upload").get_data(as_text=True)
    assert "Upload recordings" in page and 'data-locale=""' in page


@pytest.mark.browser
def test_clip_editor_script_speaks_german(
    open_tab: Callable[[], Tab],
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """editor.js takes its messages from the page's #editor-i18n (the profile says German)."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    tab = open_tab()
    tab.login(instructor)  # in English; German from the next page on
    with app.app_context():
        db.session.get_one(User, instructor.id).locale = "de"
        db.session.commit()
    page = tab.page
    page.goto(f"/videos/{video_id}/edit")
    page.wait_for_selector(EDITOR_LOADED, state="attached", timeout=WAIT_MS)
    page.get_by_label("Startpunkt").fill("0:07")
    page.get_by_label("Endpunkt").fill("3")
    page.get_by_label("Titel", exact=True).fill("Rückwärts")
    page.get_by_role("button", name="Clip speichern").click()
    errors = page.locator("#editor-error")
    expect(errors).to_have_text("Der Endpunkt muss nach dem Startpunkt liegen.")
    page.get_by_label("Startpunkt").fill("1:5")  # not a time
    page.get_by_role("button", name="Clip speichern").click()
    expect(errors).to_contain_text("Setzen Sie den Startpunkt")
