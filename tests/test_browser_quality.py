"""The quality menu in real Chromium: each picture quality reads as its height and the
bit rate the HLS master playlist declares for it ("360p · 80 kbps"), the same figure
before playback and after segments have loaded (hls.js's measured estimates are never
shown). Same set-up as ``tests/test_browser.py``; every wait is a wait for a condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.support import factories
from tests.support.browser import WAIT_MS, Tab

LEVELS = "#quality-menu [role=menuitemradio]:not([data-level='-1'])"
STREAM_INF = re.compile(r"#EXT-X-STREAM-INF:.*?BANDWIDTH=(\d+).*?RESOLUTION=\d+x(\d+)")


def bitrate_text(bps: int) -> str:
    """The player's rendering of a bit rate (player_static/quality.js)."""
    if bps >= 1_000_000:
        return f"{bps / 1e6:.1f}".removesuffix(".0") + " Mbps"
    return f"{max(1, round(bps / 1000))} kbps"


@pytest.mark.browser
def test_quality_menu_shows_the_declared_bitrate_before_and_after_playback(
    tab: Tab,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id)
    page = tab.page
    tab.login(learner)
    master = page.request.get(f"/videos/{video_id}/hls/master.m3u8")
    assert master.ok
    declared = sorted(
        ((int(h), int(bw)) for bw, h in STREAM_INF.findall(master.text())), reverse=True
    )
    assert len(declared) >= 2
    expected = [f"{height}p · {bitrate_text(bw)}" for height, bw in declared]

    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    levels = page.locator(LEVELS)
    expect(levels).to_have_count(len(expected), timeout=WAIT_MS)
    assert levels.all_text_contents() == expected

    tab.play_past(2.0)  # segments loaded: hls.js now has measured rates of its own
    assert levels.all_text_contents() == expected
    expect(page.get_by_role("button", name=re.compile(r"^Quality"))).to_be_enabled()
    tab.assert_no_fatal()
    tab.assert_clean()
