"""A project in real Chromium (issue 21's "done when"): a learner hands in a file, the
instructor grades it with the rubric and returns it for revision, the learner hands in a
new version, the instructor accepts it. Grading is done with the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.support.browser import Tab, artifacts_dir
from tests.support.projects import PDF, make_project, make_school

pytestmark = pytest.mark.browser


def _hand_in(page: Page, project_id: int, name: str, body: bytes) -> None:
    page.goto(f"/projects/{project_id}")
    page.get_by_label("Files").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": body}
    )
    button = page.get_by_role("button", name="Hand in", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("handed in")


def _grade(page: Page, levels: dict[str, int], decision: str) -> None:
    """Pick each criterion's level with the arrow keys, comment, then decide."""
    page.goto(page.url)
    for criterion, steps in levels.items():
        group = page.get_by_role("group", name=criterion)
        group.get_by_role("radio").first.focus()
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.get_by_label(f"Comment on “{criterion}”").fill(f"{criterion}: see the brief.")
    page.get_by_label("Overall comment").fill("Nice start, **tighten** the copy.")
    page.get_by_role("button", name=decision, exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("Grade saved")


def test_hand_in_grade_return_resubmit_accept(app: Flask, open_tab: Callable[[], Tab]) -> None:
    school = make_school(app)
    project_id = make_project(app, school.cohort_id, pass_mark=6)
    learner, teacher = open_tab(), open_tab()
    learner.login(school.learner)
    teacher.login(school.instructor)

    learner.page.goto(f"/cohorts/{school.cohort_id}")
    learner.page.get_by_role("link", name="Landing page").click()
    expect(learner.page.get_by_role("heading", name="Landing page")).to_be_visible()
    _hand_in(learner.page, project_id, "page.pdf", PDF)

    teacher.page.goto(f"/manage/cohorts/{school.cohort_id}")
    teacher.page.get_by_role("link", name="Landing page", exact=True).click()
    teacher.page.get_by_role("link", name="Version 1").click()
    # Adequate (3) + Clear (4) = 7 points.
    _grade(teacher.page, {"Layout": 1, "Copy": 1}, "Return for revision")
    expect(teacher.page.get_by_role("main")).to_contain_text("Returned for revision")

    learner.page.goto(f"/projects/{project_id}")
    main = learner.page.get_by_role("main")
    expect(main).to_contain_text("Returned for revision")
    expect(main).to_contain_text("7 points")
    bell = learner.page.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread$"))
    expect(bell).to_be_visible()  # told of the return
    expect(learner.page.locator("strong", has_text="tighten")).to_be_visible()
    _hand_in(learner.page, project_id, "page-v2.pdf", PDF)

    teacher.page.goto(f"/manage/projects/{project_id}")
    teacher.page.get_by_role("link", name="Version 2").click()
    expect(teacher.page.get_by_role("main")).to_contain_text("page.pdf")  # the history
    # Polished (5) + Clear (4) = 9 points.
    _grade(teacher.page, {"Layout": 2, "Copy": 1}, "Accept")
    expect(teacher.page.get_by_role("main")).to_contain_text("Accepted")
    teacher.page.screenshot(path=str(artifacts_dir() / "project-grading.png"), full_page=True)

    learner.page.goto(f"/projects/{project_id}")
    expect(learner.page.get_by_role("main")).to_contain_text("9 points")
    expect(learner.page.get_by_role("button", name="Hand in", exact=True)).to_have_count(0)
    learner.assert_clean()
    teacher.assert_clean()
