"""Progress that is true, in real Chromium: the bar under the player shows the parts
actually watched (not the position), and a closing page's beacon is stored.

Drives Debian's Chromium through Playwright against ``live_server`` on a 12 s
recording; every wait is for a condition the player publishes on ``#player``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import PLAYED_PAST, START_MUTED, WAIT_MS, Tab
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.models import WatchProgress
from webapp.models.progress import WatchDay

WATCHED_DRAWN = '#player[data-watched][data-ready="1"]'


def stored(app: Flask, user_id: int, video_id: int) -> WatchProgress | None:
    """The learner's progress row on the video, as the server has it."""
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id, WatchProgress.video_id == video_id
            )
        )
        if row is not None:
            db.session.expunge(row)
        return row


def wait_for_row(app: Flask, check: Callable[[WatchProgress], bool], *key: int) -> WatchProgress:
    """Poll the database until the learner's row satisfies ``check``."""

    def reached() -> WatchProgress | None:
        row = stored(app, *key)
        return row if row is not None and check(row) else None

    def last_seen() -> str:
        row = stored(app, *key)
        return f"the row never got there: {row and row.intervals}"

    return wait_until(reached, WAIT_MS / 1000, last_seen)


BAR_AND_FIRST_PART = """() => {
  const bar = document.getElementById("watched-bar");
  const part = bar.querySelector(".watched-part");
  return [bar, part].map((el) => {
    const box = el.getBoundingClientRect();
    return { x: box.x, width: box.width };
  });
}"""


@pytest.mark.browser
def test_bar_shows_watched_parts_not_the_position(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], make_lesson
) -> None:
    """Watch half, seek past the middle, reload: the bar shows the first half only and
    the lesson is not complete, though the player resumes past the middle."""
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id, "Half and a seek")
    page = tab.page
    tab.login(learner)
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()

    page.evaluate(START_MUTED)
    page.wait_for_function(PLAYED_PAST, arg=6.2, timeout=WAIT_MS)
    page.evaluate("() => document.getElementById('video').pause()")
    wait_for_row(app, lambda r: r.watched_seconds > 5.8, learner.id, video_id)
    page.evaluate("() => { document.getElementById('video').currentTime = 9.5; }")
    row = wait_for_row(app, lambda r: abs(r.position - 9.5) < 0.05, learner.id, video_id)
    assert row.completed_at is None
    [(start, end)] = row.intervals
    assert start < 0.5 and 6.0 < end < 8.0
    assert row.watched_seconds == pytest.approx(end - start, abs=0.01)
    with app.app_context():
        days = db.session.scalars(select(WatchDay.seconds)).all()
    assert days == [pytest.approx(row.watched_seconds, abs=0.01)]

    page.reload()
    page.wait_for_selector(WATCHED_DRAWN, state="attached", timeout=WAIT_MS)
    assert tab.current_time() == pytest.approx(9.5, abs=0.6)  # resumes past the middle...
    drawn = json.loads(page.get_attribute("#player", "data-watched") or "[]")
    assert drawn == [[pytest.approx(start, abs=0.01), pytest.approx(end, abs=0.01)]]
    parts = page.locator("#watched-bar .watched-part")
    expect(parts).to_have_count(1)  # ...but only the first half is drawn as watched
    # Both boxes in one task of the page: a heartbeat answer redraws the bar (empties it,
    # then appends the parts), and two separate reads could fall on either side of that.
    bar_box, part_box = page.evaluate(BAR_AND_FIRST_PART)
    assert part_box["x"] == pytest.approx(bar_box["x"], abs=0.05 * bar_box["width"])
    assert 0.45 < part_box["width"] / bar_box["width"] < 0.7
    expect(page.locator("#progress-text")).not_to_contain_text("completed")
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_leaving_the_page_sends_a_beacon(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], make_lesson
) -> None:
    """No pause, no 10 s tick: what was played reaches the server when the page goes
    (sendBeacon, a form with the CSRF token and the grant)."""
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id, "Leave early")
    page = tab.page
    tab.login(learner)
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.evaluate(START_MUTED)
    page.wait_for_function(PLAYED_PAST, arg=3.0, timeout=WAIT_MS)
    assert page.get_attribute("#player", "data-beats") is None  # no heartbeat sent yet
    assert stored(app, learner.id, video_id) is None
    page.goto("/")  # the player's page goes away: only its beacon can tell the server
    row = wait_for_row(app, lambda r: r.watched_seconds > 2.5, learner.id, video_id)
    assert row.completed_at is None and row.position >= 2.5
    tab.assert_clean()
