"""The bell in real Chromium, by keyboard only: the header link names the unread count,
Enter opens the list, a notification opens its page and counts as read, "Mark all read"
empties the count; axe finds nothing serious on the filled-in list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support import factories
from tests.support.a11y import assert_accessible
from tests.support.browser import Tab
from tests.support.notifications import make

ACTIVE_TEXT = "() => document.activeElement && document.activeElement.textContent"


def _tab_to_link(tab: Tab, text: str, limit: int = 60) -> None:
    """Press Tab from the top until a link whose text starts with ``text`` has the focus."""
    page = tab.page
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE_TEXT) or ""
        if " ".join(focused.split()).startswith(text):
            return
    raise AssertionError(f"no link starting with {text!r} is reachable with Tab")


@pytest.mark.browser
def test_the_bell_by_keyboard(
    open_tab: Callable[[], Tab], app: Flask, make_user: Callable[..., factories.UserInfo]
) -> None:
    learner = make_user("learner")
    make(app, learner.id, "Older: <b>feedback</b> on your project", url="/notes")
    make(app, learner.id, "Ada answered your question", url="/programs")
    make(app, learner.id, "New quiz in Gradient descent", url="/")
    tab = open_tab()
    tab.login(learner)
    page = tab.page
    expect(page.get_by_role("link", name="Notifications, 3 unread")).to_be_visible()

    _tab_to_link(tab, "Notifications")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".notification-list li")).to_have_count(3)
    expect(page.get_by_text("Older: <b>feedback</b> on your project")).to_be_visible()
    assert_accessible(page)

    _tab_to_link(tab, "Ada answered your question")
    page.keyboard.press("Enter")
    page.wait_for_url("**/programs")
    expect(page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()

    page.goto("/notifications")
    _tab_to_link(tab, "Mark all read")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
    expect(page.get_by_text("2 notifications marked read.")).to_be_visible()
    expect(page.locator(".badge-unread")).to_have_count(0)
    assert_accessible(page)
    tab.assert_clean()
