"""Captions and the transcript in real Chromium: the caption menu driven by the keyboard
only, the choice remembered across a reload, transcript lines that seek, search marks.

Same set-up as ``tests/test_browser.py`` (Debian's Chromium through Playwright, a fresh
context per tab, the ``live_server`` fixture) on the 12 s lesson. Tracks are uploaded
through the JSON API by the instructor; the scripts publish their state as data
attributes (``#player[data-captions]``, ``#transcript[data-lines]``...), so every wait is
a wait for a condition.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support import factories
from tests.support.browser import ACTIVE_ID, WAIT_MS, Tab, tab_to
from tests.support.captions import (
    ACTIVE_CUE_TEXT,
    CAPTIONS_READY,
    SHOWING,
    open_watch,
)
from webapp.extensions import db
from webapp.models import UserPreferences

SEEKED_TO = (
    "(t) => { const v = document.getElementById('video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.05; }"
)


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
