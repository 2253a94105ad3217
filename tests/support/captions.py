"""A lesson with captions, as the caption, transcript and player tests use it.

A pytest plugin (``tests/conftest.py`` lists it in ``pytest_plugins``): the
``captioned_lesson`` fixture is the 12 s lesson with an English (default) and a French
track, uploaded through the JSON API by its instructor.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Page

from tests.support import factories
from tests.support.auth import Auth
from tests.support.browser import WAIT_MS, Tab

CAPTIONS_READY = '#player[data-captions-ready="1"]'
ENGLISH = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\nGradient descent, step one.\n\n"
    "00:00:04.000 --> 00:00:06.000\n<b>Momentum</b> keeps it moving.\n\n"
    "00:00:07.000 --> 00:00:08.000\n"
    "<img src=x onerror=\"document.body.dataset.pwned='1'\">Careful with &lt;script&gt;\n\n"
    "00:00:08.500 --> 00:00:11.000\nBack to gradient descent.\n"
)
FRENCH = (
    "1\n00:00:01,000 --> 00:00:03,000\nDescente de gradient, premier pas.\n\n"
    "2\n00:00:04,000 --> 00:00:11,000\nLe moment fait avancer.\n"
)
SHOWING = (
    "() => { const t = Array.from(document.getElementById('video').textTracks)"
    ".find(t => t.mode === 'showing'); return t ? t.language : null; }"
)
ACTIVE_CUE_TEXT = (
    "() => { const t = Array.from(document.getElementById('video').textTracks)"
    ".find(t => t.mode === 'showing');"
    " return t && t.activeCues && t.activeCues.length ? t.activeCues[0].text : null; }"
)


@pytest.fixture
def captioned_lesson(
    client: FlaskClient, auth: Auth, make_user: Callable[..., factories.UserInfo], make_lesson
) -> int:
    """A 12 s lesson with English (default) and French tracks, uploaded through the API."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Optimisers, live")
    auth.login(instructor.email)
    for language, content in (("en", ENGLISH), ("fr", FRENCH)):
        response = client.post(
            f"/api/v1/videos/{video_id}/captions",
            data=json.dumps({"language": language, "content": content}),
            headers=auth.json_headers(),
        )
        assert response.status_code == 201, response.get_json()
    auth.logout()
    return video_id


def open_watch(tab: Tab, video_id: int) -> Page:
    """The watch page with its player and caption tracks ready."""
    page = tab.page
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.wait_for_selector(CAPTIONS_READY, state="attached", timeout=WAIT_MS)
    return page
