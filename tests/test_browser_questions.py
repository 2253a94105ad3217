"""Questions at the moment in real Chromium: a learner seeks to 0:42 and asks there from
the keyboard (the video pauses), the marker appears at 0:42 under the seek bar, the
instructor answers from the inbox, and the learner finds the answer beside the video
and a notification for it.

Same set-up as ``tests/test_browser_notes.py`` (Debian's Chromium through Playwright, the
``live_server`` fixture), on a 50 s recording made once for this module. The panel
publishes its state as data attributes (``#questions[data-ready]``, ``[data-count]``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support import factories
from tests.support.a11y import assert_accessible
from tests.support.browser import WAIT_MS, Tab, artifacts_dir, wait_in_page
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.synth import generate
from webapp.extensions import db
from webapp.models import Notification

QUESTIONS_READY = '#questions[data-ready="1"]'
SEEKED_TO = (
    "(t) => { const v = document.getElementById('video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.05; }"
)
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


@pytest.fixture(scope="module")
def long_ladder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TranscodeResult]:
    """A 50 s recording (small and slow-framed: quick to make) transcoded once."""
    media = tmp_path_factory.mktemp("questions-media")
    source = generate(media / "lesson-50s.mp4", seconds=50.0, width=320, height=180, fps=10)
    out = media / "lesson-50s-hls"
    return out, transcode(source, out, Limits())


def seek(page: Page, seconds: float) -> None:
    """Move the (paused) video to ``seconds`` and wait until it is there."""
    page.evaluate(f"() => {{ document.getElementById('video').currentTime = {seconds}; }}")
    page.wait_for_function(SEEKED_TO, arg=seconds, timeout=WAIT_MS)


def _answered_notifications(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.url).where(
                    Notification.user_id == user_id, Notification.kind == "question.answered"
                )
            )
        )


@pytest.mark.browser
def test_ask_at_the_moment_answer_from_the_inbox(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    long_ladder: tuple[Path, TranscodeResult],
) -> None:
    instructor = make_user("instructor")
    out_dir, result = long_ladder
    video_id = factories.publish_ready_video(app, instructor.id, "Residuals", out_dir, result)
    learner = make_user("learner")

    # The learner asks at 0:42, from the keyboard.
    tab = open_tab()
    tab.login(learner)
    page = tab.page
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.wait_for_selector(QUESTIONS_READY, state="attached", timeout=WAIT_MS)
    expect(page.locator("#questions-empty")).to_be_visible()
    seek(page, 42)
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; v.play(); }")
    ask = page.get_by_role("button", name="Ask a question here")
    ask.focus()
    page.keyboard.press("Enter")
    assert page.evaluate(ACTIVE_ID) == "question-body"
    page.wait_for_function("() => document.getElementById('video').paused", timeout=WAIT_MS)
    at = page.locator("#question-at")
    expect(at).to_have_text("0:42")
    page.keyboard.type("Why is the **residual** <script>alert(1)</script> squared?")
    page.keyboard.press("Control+Enter")
    # Raw HTML is refused with the reason, and what was typed stays in the box.
    expect(page.locator("#questions-status")).to_contain_text("Raw HTML is not allowed")
    expect(page.locator("#question-body")).to_have_value(
        "Why is the **residual** <script>alert(1)</script> squared?"
    )
    # The browser logs the refused request; that one is expected, nothing else.
    refused = wait_in_page(page, lambda: [e for e in tab.errors if "status of 400" in e])
    assert len(refused) == 1 and "/questions" in refused[0]
    tab.errors.remove(refused[0])
    page.locator("#question-body").fill("Why is the **residual** `<script>` squared?")
    page.locator("#question-body").focus()
    page.keyboard.press("Control+Enter")

    panel = page.locator("#questions")
    expect(panel).to_have_attribute("data-count", "1")
    expect(page.locator("#questions-status")).to_have_text("Question posted at 0:42.")
    marker = page.locator("#question-markers .question-marker")
    expect(marker).to_have_count(1)
    # Playback ran a moment before the pause: the question is at 0:42.something.
    expect(marker).to_have_attribute("data-at", re.compile(r"^42(\.\d+)?$"))
    expect(marker).to_have_accessible_name(
        "Question at 0:42: Why is the residual <script> squared?"
    )
    item = page.locator("#question-list > li").first
    expect(item.locator(".question-time")).to_have_text("0:42")
    expect(item.locator(".question-text strong")).to_have_text("residual")
    assert item.locator(".question-text script").count() == 0

    # The marker and the list entry seek there.
    seek(page, 0)
    marker.click()
    moment = float(marker.get_attribute("data-at") or "nan")
    page.wait_for_function(SEEKED_TO, arg=moment, timeout=WAIT_MS)
    seek(page, 0)
    item.locator(".question-time").click()
    page.wait_for_function(SEEKED_TO, arg=moment, timeout=WAIT_MS)

    # The instructor answers from the inbox (unanswered first), from the teaching menu.
    teacher = open_tab()
    teacher.login(instructor)
    inbox = teacher.page
    inbox.locator("summary", has_text="Teaching").click()  # the menu's drop-down
    inbox.get_by_role("navigation", name="Teaching").get_by_role("link", name="Questions").click()
    expect(inbox.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    thread = inbox.locator(".inbox-item").first
    expect(thread.get_by_role("link", name="Residuals at 0:42")).to_be_visible()
    assert_accessible(inbox)  # with a thread, its answer form and moderation buttons
    inbox.screenshot(path=str(artifacts_dir() / "questions-inbox.png"), full_page=True)
    thread.get_by_label("Your answer").fill("Squares make *every* miss count.")
    thread.get_by_role("button", name="Answer").click()
    # Answered: gone from the default (unanswered) view; there under "All".
    expect(inbox.locator("#inbox-empty")).to_be_visible()
    inbox.get_by_label("All").check()
    inbox.get_by_role("button", name="Show").click()
    expect(inbox.locator(".inbox-item .answer-body em")).to_have_text("every")
    teacher.assert_clean()

    # The learner sees the answer beside the video, and was notified.
    page.reload()
    tab.wait_until_ready()
    page.wait_for_selector(QUESTIONS_READY, state="attached", timeout=WAIT_MS)
    answer = page.locator("#question-list .answer").first
    expect(answer.locator(".answer-body em")).to_have_text("every")
    expect(answer.locator(".meta")).to_contain_text("(instructor)")
    assert_accessible(page)  # the panel with a thread, an answer and a marker
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    page.screenshot(path=str(artifacts_dir() / "questions.png"), full_page=True)
    urls = wait_in_page(page, lambda: _answered_notifications(app, learner.id))
    assert urls == [f"/videos/{video_id}?t=42#question-{item.get_attribute('data-id')}"]
    tab.assert_clean()
