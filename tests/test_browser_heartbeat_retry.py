"""The player under a server outage, in real Chromium: a heartbeat answered ``503`` with
``Retry-After`` is kept and sent again once that time has passed, even when playback
has stopped meanwhile (docs/security.md, "Bounded under outages").

The 503 is the answer the server gives when its heartbeat queue is full or the database
is away (``tests/test_outages.py`` proves that side); here the browser's network layer
gives it once, so that only the player's reaction is under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Route
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import PLAYED_PAST, START_MUTED, WAIT_MS, Tab, wait_in_page
from webapp.extensions import db
from webapp.models import WatchProgress


def _watched(app: Flask, user_id: int, video_id: int) -> float:
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id, WatchProgress.video_id == video_id
            )
        )
        return row.watched_seconds if row is not None else 0.0


@pytest.mark.browser
def test_a_beat_answered_503_is_sent_again_after_retry_after(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], make_lesson
) -> None:
    """Play 3 s, pause: the pause's beat is answered 503 (Retry-After: 1). Paused, no
    10 s tick comes, yet the kept intervals reach the server once the second is up."""
    learner = make_user("learner")
    video_id = make_lesson(make_user("instructor").id, "Outage")
    refused: list[str] = []

    def first_beat_refused(route: Route) -> None:
        if route.request.method == "PUT" and not refused:
            refused.append(route.request.post_data or "")
            problem = {"status": 503, "title": "Service Unavailable", "detail": "queue full"}
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/problem+json"},
                body=json.dumps(problem),
            )
            return
        route.continue_()

    page = tab.page
    tab.login(learner)
    page.route(f"**/api/v1/videos/{video_id}/progress", first_beat_refused)
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.evaluate(START_MUTED)
    page.wait_for_function(PLAYED_PAST, arg=3.0, timeout=WAIT_MS)
    page.evaluate("() => document.getElementById('video').pause()")
    wait_in_page(page, lambda: refused, message="the pause sent no beat")
    assert json.loads(refused[0])["played"]  # the refused beat carried what was played
    watched = wait_in_page(
        page,
        lambda: _watched(app, learner.id, video_id) > 2.5 and _watched(app, learner.id, video_id),
        message="the refused beat was never sent again",
    )
    assert watched > 2.5
    assert page.get_attribute("#player", "data-beats") == "1"  # one beat acknowledged
    tab.assert_no_fatal()
