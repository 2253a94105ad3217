"""Captions and the transcript in real Chromium: the caption menu driven by the keyboard
only, the choice remembered across a reload, transcript lines that seek, search marks.

Same set-up as ``tests/test_browser.py`` (Debian's Chromium through Playwright, a fresh
context per tab, the ``live_server`` fixture) on the 12 s lesson. Tracks are uploaded
through the JSON API by the instructor; the scripts publish their state as data
attributes (``#player[data-captions]``, ``#transcript[data-lines]``...), so every wait is
a wait for a condition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect

from tests.support import factories
from tests.support.browser import VIEWPORT
from tests.support.auth import Auth
from tests.test_browser import WAIT_MS, Tab
from webapp.extensions import db
from webapp.models import UserPreferences

PROGRESS_URLS = re.compile(r"/api/v1/(videos|clips)/\d+/progress$")
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
SEEKED_TO = (
    "(t) => { const v = document.getElementById('video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.05; }"
)
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


@pytest.fixture
def open_tab(browser: Browser, live_server: str) -> Iterator[Callable[[], Tab]]:
    """Factory: a page in a fresh context (own cookies) per call, all closed at the end."""
    contexts = []

    def _open() -> Tab:
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)
        page.on("console", tab.record_console)
        page.on("pageerror", tab.record_page_error)
        return tab

    yield _open
    for context in contexts:
        # pagehide heartbeats would race the table clean-up after the test.
        context.route(PROGRESS_URLS, lambda route: route.abort())
        context.close()


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


def tab_to(page: Page, element_id: str, limit: int = 40) -> None:
    """Press Tab from the top of the page until ``element_id`` has the focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE_ID) == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def saved_language(app: Flask, user_id: int) -> str | None:
    """The caption language stored in the learner's preferences."""
    with app.app_context():
        prefs = db.session.get(UserPreferences, user_id)
        return prefs.caption_language if prefs else None


@pytest.mark.browser
def test_caption_menu_by_keyboard_and_the_choice_is_remembered(
    open_tab: Callable[[], Tab],
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    learner = make_user("learner")
    tab = open_tab()
    tab.login(learner)
    page = open_watch(tab, captioned_lesson)
    button = page.locator("#captions-button")
    menu = page.locator("#captions-menu")

    # Off until asked for; the transcript reads the default (English) track meanwhile.
    expect(page.locator("#player")).to_have_attribute("data-captions", "off")
    assert page.evaluate(SHOWING) is None
    expect(page.locator("#transcript")).to_have_attribute("data-language", "en")
    expect(button).to_have_accessible_name("Captions: Off")
    expect(button).to_have_attribute("aria-expanded", "false")

    tab_to(page, "captions-button")
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    items = menu.get_by_role("menuitemradio")
    expect(items).to_have_text(["Off", "English", "Français"])
    expect(items.nth(0)).to_be_focused()
    expect(items.nth(0)).to_have_attribute("aria-checked", "true")

    # Escape closes the menu and gives the focus back; Tab leaves it (no trap).
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu).to_be_hidden()
    assert page.evaluate(ACTIVE_ID) != "captions-button"

    tab_to(page, "captions-button")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(items.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_accessible_name("Captions: Français")
    expect(page.locator("#player")).to_have_attribute("data-captions", "fr")
    assert page.evaluate(SHOWING) == "fr"
    expect(page.locator("#transcript")).to_have_attribute("data-language", "fr")
    expect(page.locator("#player")).to_have_attribute("data-captions-saved", "1")
    assert saved_language(app, learner.id) == "fr"

    # The showing track renders its cue at the playhead.
    page.evaluate("() => { document.getElementById('video').currentTime = 1.5; }")
    page.wait_for_function(SEEKED_TO, arg=1.5, timeout=WAIT_MS)
    page.wait_for_function(ACTIVE_CUE_TEXT, timeout=WAIT_MS)
    assert page.evaluate(ACTIVE_CUE_TEXT) == "Descente de gradient, premier pas."

    # A reload shows the remembered language at once.
    page.reload()
    tab.wait_until_ready()
    page.wait_for_selector(CAPTIONS_READY, state="attached", timeout=WAIT_MS)
    expect(page.locator("#player")).to_have_attribute("data-captions", "fr")
    assert page.evaluate(SHOWING) == "fr"
    page.locator("#captions-button").click()
    expect(items.nth(2)).to_have_attribute("aria-checked", "true")
    expect(items.nth(2)).to_be_focused()
    items.nth(0).click()
    expect(page.locator("#player")).to_have_attribute("data-captions", "off")
    expect(page.locator("#player")).to_have_attribute("data-captions-saved", "1")
    assert saved_language(app, learner.id) is None
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_transcript_lines_seek_and_search_marks_hits(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_watch(tab, captioned_lesson)
    transcript = page.locator("#transcript")
    expect(transcript).to_be_visible()
    expect(transcript).to_have_attribute("data-lines", "4")
    lines = transcript.locator(".transcript-line")
    expect(lines).to_have_count(4)
    expect(lines.nth(1)).to_have_text("0:04 Momentum keeps it moving.")
    # Hostile cue text arrives as text: no element, no script run.
    expect(lines.nth(2)).to_have_text("0:07 Careful with <script>")
    assert transcript.locator("img, script").count() == 0
    assert page.evaluate("() => document.body.dataset.pwned") is None

    # Click a line: the video seeks to its cue, which becomes the current line.
    lines.nth(3).click()
    page.wait_for_function(SEEKED_TO, arg=8.5, timeout=WAIT_MS)
    expect(lines.nth(3)).to_have_attribute("aria-current", "true")
    expect(transcript.locator("[aria-current]")).to_have_count(1)

    # Keyboard: the list is one tab stop; arrows move, Enter seeks.
    tab_to(page, "transcript-query")
    page.keyboard.press("Tab")
    expect(lines.nth(3)).to_be_focused()
    page.keyboard.press("Home")
    expect(lines.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(lines.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function(SEEKED_TO, arg=4.0, timeout=WAIT_MS)
    expect(lines.nth(1)).to_have_attribute("aria-current", "true")
    expect(lines.nth(1)).to_be_focused()  # highlighting never moves the focus
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#transcript-lines')") is None

    # Search: matching lines marked in the list and on the strip under the video.
    page.fill("#transcript-query", "gradient desc")
    expect(page.locator("#transcript-count")).to_have_text("2 lines match.")
    expect(transcript.locator(".transcript-line.hit")).to_have_count(2)
    expect(lines.nth(0).locator("mark")).to_have_text(["Gradient", "desc"])
    strip = page.locator("#transcript-hits")
    expect(strip).to_be_visible()
    expect(strip).to_have_attribute("data-hits", "2")
    lefts = strip.locator(".transcript-hit").evaluate_all("ms => ms.map(m => m.style.left)")
    assert [round(float(v.rstrip("%"))) for v in lefts] == [round(100 / 12), round(850 / 12)]
    # Enter jumps to the next match after the playhead (4 s → 8.5 s).
    page.locator("#transcript-query").press("Enter")
    expect(lines.nth(3)).to_be_focused()

    page.fill("#transcript-query", "nowhere")
    expect(page.locator("#transcript-count")).to_have_text("No lines match.")
    expect(strip).to_be_hidden()

    # The panel can be hidden and shown again with its toggle button.
    toggle = page.get_by_role("button", name="Transcript")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(transcript).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(transcript).to_be_visible()
    tab.assert_no_fatal()
    tab.assert_clean()
