"""A graded exam in real Chromium, by keyboard: an exam with a 2-minute limit; the
learner starts it, answers (autosaved), reloads and finds the answers and the running
clock, and a submit after the limit is refused with a clear message. The attempt and
result pages pass axe.

The live server runs in this process, so "after the limit" is set by moving the
attempt's deadline in the database (the browser's clock is not the server's)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import exams as ex
from tests.support.a11y import blocking_violations, describe
from tests.support.browser import WAIT_MS, Tab, artifacts_dir, tab_to, wait_in_page
from webapp.extensions import db
from webapp.models import AttemptStatus, ExamAnswer, ExamAttempt
from webapp.models.base import utcnow


def _answers(app: Flask) -> dict[int, dict]:
    with app.app_context():
        return {a.question_id: a.given for a in db.session.scalars(select(ExamAnswer))}


def _attempt(app: Flask) -> ExamAttempt:
    with app.app_context():
        row = db.session.scalars(select(ExamAttempt)).one()
        db.session.expunge(row)
        return row


@pytest.mark.browser
def test_timed_exam_resumes_after_reload_and_refuses_a_late_submit(app: Flask, tab: Tab) -> None:
    world = ex.build(app, time_limit=2)
    q1, _q2, q3, _q4 = world.question_ids
    tab.login(world.learner)
    page = tab.page
    page.goto(f"/exams/{world.exam_id}")
    expect(page.get_by_text("Time limit: 2 minutes")).to_be_visible()
    tab_to(page, "exam-start")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Attempt 1")).to_be_visible()
    expect(page.locator("#exam-time-left")).to_have_text(re.compile(r"^[12]:\d\d$"))

    # Answer by keyboard: a choice with Space (Tab reaches a radio group's first
    # choice), a number typed in; both autosave.
    first = page.locator(f'fieldset[data-question-id="{q1}"] input').first
    choice = int(first.get_attribute("value") or 0)
    tab_to(page, f"q-{q1}-c-{choice}")
    page.keyboard.press("Space")
    tab_to(page, f"q-{q3}")
    page.keyboard.type("2.5")
    page.keyboard.press("Tab")
    wait_in_page(
        page,
        lambda: _answers(app) == {q1: {"choice": choice}, q3: {"number": 2.5}},
        message=lambda: f"answers not autosaved: {_answers(app)}",
    )
    expect(page.locator("#exam-status")).to_have_text("Answer saved.")
    page.screenshot(path=str(artifacts_dir() / "exam.png"), full_page=True)
    violations = blocking_violations(page)
    assert not violations, describe(violations)

    # A reload resumes: the same attempt, the answers kept, the clock still running.
    page.reload()
    expect(page.locator(f"#q-{q1}-c-{choice}")).to_be_checked()
    expect(page.locator(f"#q-{q3}")).to_have_value("2.5")
    expect(page.locator("#exam-time-left")).to_have_text(re.compile(r"^[012]:\d\d$"))
    assert _attempt(app).status is AttemptStatus.OPEN

    # The limit passes (plus the grace): the submit is refused with a clear message.
    with app.app_context():
        row = db.session.scalars(select(ExamAttempt)).one()
        row.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    tab_to(page, "exam-submit")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-error")).to_contain_text(
        "Too late: the time limit has passed", timeout=WAIT_MS
    )
    attempt = _attempt(app)
    assert attempt.status is AttemptStatus.EXPIRED
    right = ex.right_answers(app, world)[q1]["choice"]
    assert (attempt.score, attempt.max_score) == (2.0 if choice == right else 0.0, 5.0)
    expect(page.get_by_role("heading", name="Attempt 1: not passed")).to_be_visible()
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    tab.assert_clean()
