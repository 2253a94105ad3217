"""A learner's path in real Chromium: Home → program → module → play → back to progress.

Drives Debian's Chromium through Playwright against ``live_server`` (see
tests/test_browser.py for the launch flags); every wait is a wait for a condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import BEATS_AT_LEAST, WAIT_MS, Tab
from webapp.extensions import db
from webapp.learning import services
from webapp.models import Module, User, Video, VideoState, WatchProgress

# Heartbeats for the whole video, sent from the page like player.js sends its own: a
# progress read opens a watch session (its grant), and the server credits at most 2 s
# of video per second since then, so the beat is sent again until the video completes
# (about 6 s for the 12 s lesson; a wait for a condition, bounded by the test's own).
FINISH = """async ([url, timeoutMs]) => {
  const video = document.getElementById('video');
  const token = document.querySelector('meta[name=csrf-token]').content;
  const end = video.duration;
  const opened = await fetch(url, {credentials: 'same-origin', cache: 'no-store'});
  const grant = opened.headers.get('X-Heartbeat-Grant');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const resp = await fetch(url, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': token,
                'X-Heartbeat-Grant': grant},
      body: JSON.stringify({position: end, played: [[0, end]]}),
    });
    const answer = await resp.json();
    if (answer.completed || !resp.ok || Date.now() > until) return answer;
    await new Promise((done) => setTimeout(done, 250));
  }
}"""


def build_path(app: Flask, owner_id: int, learner_id: int, lesson_ids: list[int]) -> list[int]:
    """SEO Basics (two playable lessons) → SEO Advanced (requires Basics); the learner is
    enrolled in the 'digital-marketing' program. Returns the module ids."""
    with app.app_context():
        extra = Video(title="Advanced", owner_id=owner_id, state=VideoState.READY.value)
        extra.duration = 60.0
        db.session.add(extra)
        db.session.flush()
        sources = [
            (lesson_ids[0], "Keywords"),
            (lesson_ids[1], "On-page SEO"),
            (extra.id, "Link building"),
        ]
        modules = []
        for video_id, title in sources:
            duration = db.session.get(Video, video_id).duration or 0.0
            modules.append(Module(video_id=video_id, title=title, duration=duration))
        db.session.add_all(modules)
        db.session.flush()
        ids = [m.id for m in modules]
        services.create_course("seo-basics", "SEO Basics", ids[:2])
        services.create_course("seo-advanced", "SEO Advanced", ids[2:], ["seo-basics"])
        program = services.create_program(
            "digital-marketing",
            "Digital Marketing",
            ["seo-basics", "seo-advanced"],
            weeks=12,
            fee="499.00",
            certificate="Certified Digital Marketer",
        )
        learner = db.session.get(User, learner_id)
        services.enrol(learner, program, admin=True)
        db.session.commit()
        return ids


def watched_seconds(app: Flask, user_id: int, video_id: int) -> float:
    """Seconds of the video the server has recorded as watched by the learner."""
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id,
                WatchProgress.video_id == video_id,
                WatchProgress.clip_id.is_(None),
            )
        )
        assert row is not None, "no heartbeat reached the server"
        return row.watched_seconds


@pytest.mark.browser
def test_learner_follows_a_path(
    tab: Tab,
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_ready_video: Callable[..., int],
) -> None:
    """Home shows the next module; watching it moves the progress on Home and the path."""
    learner, instructor = make_user("learner"), make_user("instructor")
    lessons = [make_ready_video(instructor.id, t) for t in ("Keywords", "On-page SEO")]
    build_path(app, instructor.id, learner.id, lessons)
    page = tab.page

    tab.login(learner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    path = page.locator("section.path").filter(has_text="Digital Marketing")
    expect(path.locator(".program-progress")).to_contain_text("0 of 3 modules completed")
    expect(path.locator(".course.locked")).to_contain_text("Complete ‘SEO Basics’ first")
    expect(path.locator(".next-module")).to_contain_text("Keywords")

    path.get_by_role("link", name="Digital Marketing").click()
    expect(page).to_have_url(re.compile(r"/programs/digital-marketing$"))
    expect(page.locator(".fact-fee")).to_have_text("€499.00")
    basics = page.locator("li.course").filter(has_text="SEO Basics")
    basics.get_by_role("link", name="Keywords").click()
    # The link carries the path: the watch page shows where the lesson sits.
    expect(page).to_have_url(re.compile(rf"/videos/{lessons[0]}\?course=\d+&program=\d+$"))
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link")).to_have_text(["Digital Marketing", "SEO Basics", "Keywords"])
    tab.wait_until_ready()

    # Play a little: pausing sends a real heartbeat that the server stores.
    tab.play_past(1.0)
    page.evaluate("() => document.getElementById('video').pause()")
    page.wait_for_function(BEATS_AT_LEAST, arg=1, timeout=WAIT_MS)
    assert 0.5 < watched_seconds(app, learner.id, lessons[0]) < 4.0
    # Then finish it through the API in the page (cookie + CSRF): a short sample played
    # to its very end would race the player's last timeupdate against the 90 % rule.
    answer = page.evaluate(FINISH, [f"/api/v1/videos/{lessons[0]}/progress", WAIT_MS])
    assert answer["completed"] is True, answer
    tab.assert_no_fatal()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/programs/digital-marketing$"))
    page.reload()  # the back/forward cache may show the page as it was
    keywords = page.locator("li.module").filter(has_text="Keywords")
    expect(keywords.locator(".module-status")).to_have_text("Completed")
    expect(page.locator(".program-progress")).to_contain_text("1 of 3 modules completed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    path = page.locator("section.path").filter(has_text="Digital Marketing")
    expect(path.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")
    expect(path.locator(".next-module")).to_contain_text("On-page SEO")
    expect(path.locator(".course.locked")).to_contain_text("Complete ‘SEO Basics’ first")
    tab.assert_clean()
