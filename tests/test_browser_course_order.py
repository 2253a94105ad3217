"""Reordering a course's modules by keyboard alone in real Chromium, and axe on the course
and program edit pages (no serious or critical violation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support import factories
from tests.support.a11y import blocking_violations, describe
from tests.support.browser import ACTIVE_ID, WAIT_MS, Tab, tab_to
from tests.support.structure import build_structure, course_modules


@pytest.mark.browser
def test_modules_are_reordered_by_keyboard_and_the_edit_pages_pass_axe(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo]
) -> None:
    admin = make_user("admin")
    world = build_structure(app, admin.id)
    alpha, beta, gamma = world.modules
    page = tab.page
    tab.login(admin)

    page.goto(f"/manage/courses/{world.course}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit course “Basics”")
    tab_to(page, f"move-down-{alpha}")
    page.keyboard.press("Enter")
    status = page.locator("[data-order-status]")
    expect(status).to_have_text("“Alpha” moved to position 2 of 3.", timeout=WAIT_MS)
    assert page.evaluate(ACTIVE_ID) == f"move-down-{alpha}"  # focus stayed on the control
    assert course_modules(app, world.course) == [beta, alpha, gamma]

    page.keyboard.press("Enter")  # pressed again: Alpha goes last
    expect(status).to_have_text("“Alpha” moved to position 3 of 3.", timeout=WAIT_MS)
    page.reload()
    rows = page.locator(".order-list .order-title")
    expect(rows).to_have_text(["Beta", "Gamma", "Alpha"])
    assert course_modules(app, world.course) == [beta, gamma, alpha]

    violations = blocking_violations(page)
    assert not violations, describe(violations)
    page.goto(f"/manage/programs/{world.program}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit program “Path”")
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    tab.assert_clean()
