"""End-to-end tests in real Chromium: sign in, browse, play HLS, resume, switch quality, upload.

They drive Debian's Chromium (never a downloaded browser) through Playwright against the
``live_server`` fixture, and read the server's side of the story straight from the
database. The player publishes its state as data attributes on ``#player`` (see
``player_static/core.js``), so every wait is a wait for a condition, never a sleep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import (
    BEATS_AT_LEAST,
    PLAYED_PAST,
    TRANSCODE_WAIT_MS,
    WAIT_MS,
    Tab,
    wait_in_page,
)
from webapp.extensions import db
from webapp.models import WatchProgress


def saved_progress(app: Flask, user_id: int, video_id: int) -> tuple[float, float]:
    """``(position, watched_seconds)`` the server stored for this learner and video."""
    with app.app_context():
        progress = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id, WatchProgress.video_id == video_id
            )
        )
        assert progress is not None, "no heartbeat reached the server"
        return progress.position, progress.watched_seconds


# --------------------------------------------------------------------------- tests


@pytest.mark.browser
def test_learner_plays_and_resumes(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], make_lesson
) -> None:
    """Library → player → play → pause sends a heartbeat → a reload resumes there."""
    learner = make_user("learner")
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Reading a Confusion Matrix")
    page = tab.page

    tab.login(learner)
    tile = page.locator(".tile").filter(has_text="Reading a Confusion Matrix")
    expect(tile).to_be_visible()
    poster = tile.locator("img")
    expect(poster).to_have_js_property("complete", True)
    assert poster.evaluate("img => img.naturalWidth") > 0

    tile.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/videos/{video_id}$"))
    tab.wait_until_ready()
    assert int(page.get_attribute("#player", "data-levels") or "0") >= 2
    options = page.locator("#quality-menu [role=menuitemradio]")
    expect(options.first).to_have_text(re.compile(r"^Auto"))
    assert options.count() >= 3
    expect(page.get_by_role("button", name=re.compile(r"^Quality"))).to_be_enabled()

    tab.play_past(2.0)
    page.evaluate("() => document.getElementById('video').pause()")
    paused_at = tab.current_time()
    # The pause beat may queue behind one still in flight (beats go one at a time), so
    # an acknowledged beat is not yet the pause's: wait until the pause's is stored.
    page.wait_for_function(BEATS_AT_LEAST, arg=1, timeout=WAIT_MS)

    def paused_there() -> tuple[float, float] | None:
        saved = saved_progress(app, learner.id, video_id)
        return saved if saved[0] == pytest.approx(paused_at, abs=0.01) else None

    position, watched = wait_in_page(
        page,
        paused_there,
        message=lambda: (
            f"stored {saved_progress(app, learner.id, video_id)}, paused at {paused_at}"
        ),
        interval=0.2,
    )
    assert position > 2
    assert position == pytest.approx(paused_at, abs=0.01)
    assert watched > 1
    expect(page.locator("#progress-text")).to_contain_text("% watched")

    page.reload()
    tab.wait_until_ready()
    resumed_at = tab.current_time()
    assert resumed_at > 1.5
    assert resumed_at == pytest.approx(position, abs=1.0)
    expect(page.locator("#player-status")).to_contain_text("Resumed at")
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_quality_switch_keeps_playing(
    tab: Tab, make_user: Callable[..., factories.UserInfo], make_lesson
) -> None:
    """Picking a fixed level shows that level's picture and playback carries on."""
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id)
    page = tab.page

    tab.login(learner)
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    tab.play_past(0.5)

    # Pick the level whose height differs from what is on screen now.
    showing = page.evaluate("() => document.getElementById('video').videoHeight")
    levels = page.locator("#quality-menu [role=menuitemradio]:not([data-level='-1'])")
    heights = [int(t.split("p", 1)[0]) for t in levels.all_text_contents()]
    assert len(heights) >= 2
    target = next(i for i, h in enumerate(heights) if h != showing)
    page.get_by_role("button", name=re.compile(r"^Quality")).click()
    levels.nth(target).click()

    page.wait_for_function(
        "(h) => document.getElementById('video').videoHeight === h",
        arg=heights[target],
        timeout=WAIT_MS,
    )
    page.wait_for_function(PLAYED_PAST, arg=tab.current_time() + 1.0, timeout=WAIT_MS)
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
@pytest.mark.worker
def test_instructor_uploads_in_browser_and_sees_it_ready(
    tab: Tab,
    make_user: Callable[..., factories.UserInfo],
    celery_worker: object,
    sample_clip: Path,
) -> None:
    """Upload form → the real worker transcodes → the row turns ready → it plays."""
    instructor = make_user("instructor")
    page = tab.page

    tab.login(instructor)
    page.get_by_role("link", name="Upload").click()
    page.fill("#title", "Uploaded from Chromium")
    page.set_input_files("#file", str(sample_clip))
    page.get_by_role("button", name="Upload").click()

    expect(page.locator(".flash-success")).to_contain_text("Uploaded from Chromium")
    row = page.locator("tr.job-row").filter(has_text="Uploaded from Chromium")
    expect(row).to_have_count(1)
    expect(row.locator(".state")).to_have_text("ready", timeout=TRANSCODE_WAIT_MS)

    row.get_by_role("link", name="Uploaded from Chromium").click()
    expect(page).to_have_url(re.compile(r"/videos/\d+$"))
    tab.wait_until_ready()
    tab.play_past(1.0)
    tab.assert_clean()
