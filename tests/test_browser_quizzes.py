"""A quiz in the video, in real Chromium: a required question at 0:10 pauses playback
and opens a dialog with the focus inside it; Escape does not dismiss it; the learner
answers by keyboard, sees that it was right and why, and playback resumes.

Same set-up as ``tests/test_browser_notes.py`` (Debian's Chromium through Playwright, the
``live_server`` fixture, the 12 s lesson). The quiz publishes its state as data
attributes (``#quiz[data-ready]``, ``[data-open]``), so every wait is for a condition.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import START_MUTED, WAIT_MS, Tab, artifacts_dir
from tests.support.quizzes import add_question
from webapp.extensions import db
from webapp.models import QuizAnswer

QUIZ_READY = '#quiz[data-ready="1"]'
PAUSED_NEAR = (
    "(t) => { const v = document.getElementById('video');"
    " return v.paused && Math.abs(v.currentTime - t) < 0.6; }"
)
PLAYING_PAST = (
    "(t) => { const v = document.getElementById('video'); return !v.paused && v.currentTime > t"
    " || v.ended; }"
)
FOCUS_IN_DIALOG = (
    "() => !!document.activeElement && !!document.activeElement.closest('#quiz-dialog')"
)
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"
SETTLED_PAST = (
    "(t) => { const v = document.getElementById('video'); return !v.seeking && v.currentTime > t; }"
)


@pytest.mark.browser
def test_a_quiz_at_ten_seconds_pauses_and_resumes_after_the_answer(
    open_tab: Callable[[], Tab],
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson,
) -> None:
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Rivers")
    question = add_question(
        app,
        video_id,
        10,
        "single",
        prompt="Which river is **longest**?",
        choices=[("Thames", False), ("Nile", True), ("Seine", False)],
        explanation="The Nile is about 6,650 km long.",
        required=True,
    )
    learner = make_user("learner")
    tab = open_tab()
    tab.login(learner)
    page = tab.page
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.wait_for_selector(QUIZ_READY, state="attached", timeout=WAIT_MS)
    assert page.get_attribute("#quiz", "data-count") == "1"

    page.evaluate(START_MUTED)
    page.wait_for_selector("#quiz[data-open]", state="attached", timeout=WAIT_MS)
    page.wait_for_function(PAUSED_NEAR, arg=10, timeout=WAIT_MS)
    dialog = page.locator("#quiz-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#quiz-title")).to_have_text("Question at 0:10 (answer to go on)")
    expect(page.locator("#quiz-prompt strong")).to_have_text("longest")
    assert page.evaluate(FOCUS_IN_DIALOG)
    expect(page.locator("#quiz-skip")).to_be_hidden()

    # Required: Escape does not dismiss it.
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()

    # Arrow keys pick within the radio group; Tab reaches "Check answer"; Enter sends.
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Nile")).to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_ID) == "quiz-check"
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-result .quiz-verdict")).to_have_text("Right!")
    expect(page.locator("#quiz-result .quiz-explanation")).to_contain_text("6,650 km")
    page.screenshot(path=str(artifacts_dir() / "quiz.png"))
    assert page.evaluate(ACTIVE_ID) == "quiz-continue"

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    page.wait_for_function(PLAYING_PAST, arg=10.3, timeout=WAIT_MS)
    with app.app_context():
        rows = db.session.execute(
            select(QuizAnswer.question_id, QuizAnswer.user_id, QuizAnswer.right)
        ).all()
    assert [tuple(r) for r in rows] == [(question["id"], learner.id, True)]
    tab.assert_clean()


@pytest.mark.browser
def test_a_seek_past_a_required_question_goes_back_to_it(
    open_tab: Callable[[], Tab],
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson,
) -> None:
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Numbers")
    add_question(app, video_id, 4, "numeric", prompt="2 + 2?", number=4.0, required=True)
    add_question(app, video_id, 6, "text", prompt="Capital of France?", texts=["Paris"])
    learner = make_user("learner")
    tab = open_tab()
    tab.login(learner)
    page = tab.page
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.wait_for_selector(QUIZ_READY, state="attached", timeout=WAIT_MS)

    page.evaluate("() => { document.getElementById('video').currentTime = 9; }")
    page.wait_for_selector("#quiz[data-open]", state="attached", timeout=WAIT_MS)
    page.wait_for_function(PAUSED_NEAR, arg=4, timeout=WAIT_MS)
    expect(page.locator("#quiz-title")).to_have_text("Question at 0:04 (answer to go on)")
    assert page.evaluate(ACTIVE_ID) == "quiz-text"
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("#quiz-result .quiz-verdict")).to_have_text("Not quite.")
    expect(page.locator("#quiz-result")).to_contain_text("The right answer: 4")
    page.keyboard.press("Enter")  # Continue: answered (if wrongly), so it lets go
    expect(page.locator("#quiz-dialog")).to_be_hidden()

    # Answered now: a seek past it stays where it went.
    page.evaluate(
        "() => { const v = document.getElementById('video'); v.pause(); v.currentTime = 9; }"
    )
    page.wait_for_function(SETTLED_PAST, arg=8.5, timeout=WAIT_MS)
    assert page.get_attribute("#quiz", "data-open") is None
    tab.assert_clean()
