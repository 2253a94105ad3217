"""The watch page reached through a course in real Chromium: the player and the
transcript share the space at three widths, and "Next lesson" counts down at the end,
stops on Cancel, or opens the next lesson with the path kept.

Same set-up as tests/test_browser_player.py (Debian's Chromium through Playwright, the
``live_server`` fixture, the real 12 s lesson with captions); every wait is a wait for a
condition in the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.support import factories
from tests.support.browser import WAIT_MS, Tab
from tests.support.captions import CAPTIONS_READY
from tests.support.learning_path import Course, enrolled_course

VIEWPORTS = [(1366, 900), (1024, 768), (390, 844)]
BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
NEXT_STATE = '#player[data-next-lesson="{}"]'


@pytest.fixture
def course(
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
    captioned_lesson: int,
) -> Course:
    return enrolled_course(app, make_user, make_lesson, captioned_lesson)


def box(page: Page, selector: str) -> tuple[float, float, float, float]:
    """left, top, width, height of the first element matching ``selector``."""
    left, top, width, height = page.locator(selector).first.evaluate(BOX)
    return left, top, width, height


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two boxes share more than a pixel of area."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return min(ax + aw, bx + bw) - max(ax, bx) > 1 and min(ay + ah, by + bh) - max(ay, by) > 1


def play_to_the_end(page: Page) -> None:
    """Seek a second before the end and play (muted) from there."""
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.muted = true;"
        " v.currentTime = Math.max(0, v.duration - 1); return v.play(); }"
    )


@pytest.mark.browser
def test_player_and_transcript_share_the_space(tab: Tab, course: Course) -> None:
    tab.login(course.learner)
    page = tab.page
    page.goto(f"/videos/{course.first}{course.query}")
    tab.wait_until_ready()
    page.wait_for_selector(CAPTIONS_READY, state="attached", timeout=WAIT_MS)
    expect(page.locator("#transcript")).to_be_visible()
    # A lecture's transcript is long: 80 lines (copies of the first) make the panel want
    # far more height than the player has.
    page.evaluate(
        "() => { const list = document.getElementById('transcript-lines');"
        " const line = list.firstElementChild;"
        " for (let i = 0; i < 80; i++) list.appendChild(line.cloneNode(true)); }"
    )
    parts = ["nav.breadcrumb", ".watch h1", "#player", "#transcript", ".path-modules"]
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator("#transcript")).to_be_visible()
        _, _, video_w, video_h = box(page, "#video")
        assert abs(video_h - video_w * 9 / 16) <= 3, f"{width}: video {video_w}x{video_h}"
        # No dead area in the player: the status line under the bar is its last part.
        _, player_top, _, player_h = box(page, "#player")
        _, status_top, _, status_h = box(page, "#player-status")
        assert player_top + player_h - (status_top + status_h) <= 2, f"{width}: gap under bar"
        boxes = {name: box(page, name) for name in parts}
        for i, first in enumerate(parts):
            for second in parts[i + 1 :]:
                assert not overlap(boxes[first], boxes[second]), f"{width}: {first} × {second}"
        transcript = boxes["#transcript"]
        if width >= 900:  # beside the player, as tall as it
            assert transcript[0] >= boxes["#player"][0] + boxes["#player"][2]
            assert abs(transcript[3] - player_h) <= 2, f"{width}: {transcript[3]} vs {player_h}"
        else:
            assert transcript[1] >= player_top + player_h
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{width}: the page scrolls sideways by {overflow}px"
    tab.assert_clean()


@pytest.mark.browser
def test_next_lesson_countdown_is_cancelled(tab: Tab, course: Course) -> None:
    tab.login(course.learner)
    page = tab.page
    page.goto(f"/videos/{course.first}{course.query}")
    tab.wait_until_ready()
    url = page.url
    page.evaluate("() => { document.getElementById('next-lesson').dataset.seconds = '2'; }")
    play_to_the_end(page)
    page.wait_for_selector(NEXT_STATE.format("counting"), state="attached", timeout=WAIT_MS)
    panel = page.get_by_role("region", name="Next: Momentum")
    expect(panel).to_be_visible()
    expect(page.locator("#next-lesson-count")).to_contain_text("Starting in")
    expect(page.locator("#player-status")).to_contain_text("Next: Momentum, starting in 2 seconds")
    # The focus is on Cancel: the keyboard stops the countdown.
    expect(page.locator("#next-lesson-cancel")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_selector(NEXT_STATE.format("cancelled"), state="attached", timeout=WAIT_MS)
    expect(page.locator("#player-status")).to_contain_text("Countdown stopped")
    expect(page.locator("#next-lesson-go")).to_be_focused()
    # Past the countdown's deadline (the page's own clock) the page has not moved on.
    page.wait_for_function(
        "(t) => performance.now() > t", arg=page.evaluate("() => performance.now() + 3000")
    )
    assert page.url == url
    expect(panel).to_be_visible()
    tab.assert_clean()


@pytest.mark.browser
def test_next_lesson_opens_with_the_path_kept(tab: Tab, course: Course) -> None:
    tab.login(course.learner)
    page = tab.page
    page.goto(f"/videos/{course.first}{course.query}")
    tab.wait_until_ready()
    page.evaluate("() => { document.getElementById('next-lesson').dataset.seconds = '1'; }")
    play_to_the_end(page)
    expected = re.escape(f"/videos/{course.second}{course.query}") + "$"
    expect(page).to_have_url(re.compile(expected), timeout=WAIT_MS)
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link")).to_have_text(["Marketing", "SEO Basics", "Momentum"])
    expect(crumbs.get_by_role("link", name="Momentum")).to_have_attribute("aria-current", "page")
    modules = page.get_by_role("navigation", name=re.compile("SEO Basics"))
    expect(modules.locator("[aria-current=page]")).to_have_text("Momentum")
    tab.wait_until_ready()
    # The last lesson of the course: no countdown, the way back instead.
    play_to_the_end(page)
    page.wait_for_selector(NEXT_STATE.format("end"), state="attached", timeout=WAIT_MS)
    panel = page.locator("#next-lesson")
    expect(panel.get_by_role("link", name="Back to the course")).to_be_visible()
    expect(page.locator("#next-lesson-cancel")).to_have_count(0)
    tab.assert_clean()
