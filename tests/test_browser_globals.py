"""Our pages' scripts are ES modules that keep to themselves, in real Chromium.

The watch page, the clip editor and the upload page each load a graph of modules (ours,
hls.js's and Uppy's ES builds). None of them may leave a name on ``window``: the names
there once the page's scripts have run must be the names a blank page of the same origin
has. And none may log an error to the console or throw. Same set-up as
``tests/test_browser.py`` (Debian's Chromium through Playwright, a fresh context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.support import factories
from tests.support.browser import VIEWPORT, WAIT_MS, Tab

BLANK_PATH = "/blank-page-for-globals"
WINDOW_NAMES = "() => Object.getOwnPropertyNames(window).sort()"
# Names a page's own scripts may add to window, with the reason (none so far).
ALLOWED: frozenset[str] = frozenset()


@pytest.fixture
def tab(browser: Browser, live_server: str) -> Iterator[Tab]:
    """A page in a fresh context that serves a script-free page at ``BLANK_PATH``."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    context.route(
        f"{live_server}{BLANK_PATH}",
        lambda route: route.fulfill(
            body="<!doctype html><html lang=en><title>blank</title></html>",
            content_type="text/html",
        ),
    )
    page = context.new_page()
    tab = Tab(page)
    page.on("console", tab.record_console)
    page.on("pageerror", tab.record_page_error)
    yield tab
    context.route("**/progress", lambda route: route.abort())  # no pagehide beat after us
    context.close()


def added_names(tab: Tab, baseline: set[str]) -> set[str]:
    """Names on this page's window that a blank page has not, less the allowed ones."""
    return set(tab.page.evaluate(WINDOW_NAMES)) - baseline - ALLOWED


@pytest.mark.browser
def test_pages_add_no_globals_and_log_no_errors(
    tab: Tab,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Modules, not globals")
    page = tab.page
    page.goto(BLANK_PATH)
    baseline = set(page.evaluate(WINDOW_NAMES))
    assert "Hls" not in baseline and "Learnstream" not in baseline
    tab.login(instructor)

    page.goto(f"/videos/{video_id}")
    for ready in (
        '#player[data-ready="1"]',
        '#player[data-prefs-applied="1"]',
        "#player[data-levels]",
        '#notes[data-ready="1"]',
    ):
        page.wait_for_selector(ready, state="attached", timeout=WAIT_MS)
    expect(page.locator("#time-duration")).not_to_have_text("0:00")
    assert added_names(tab, baseline) == set(), "the watch page"

    page.goto(f"/videos/{video_id}/edit")
    page.wait_for_selector(
        '#editor[data-loaded="1"][data-ready="1"]', state="attached", timeout=WAIT_MS
    )
    assert added_names(tab, baseline) == set(), "the clip editor"

    page.goto("/upload")
    expect(page.locator("#direct-upload")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#uppy .uppy-Dashboard")).to_be_visible()
    assert added_names(tab, baseline) == set(), "the upload page"

    tab.assert_clean()


CLOCK = """async (cases) => {
  const { formatClock } = await import("/static/js/time.js");
  return cases.map(([seconds, precise]) => formatClock(seconds, { precise }));
}"""
SPOKEN = """async (cases) => {
  const { spokenDuration } = await import("/static/js/time.js");
  return cases.map((seconds) => spokenDuration(seconds));
}"""


@pytest.mark.browser
def test_one_display_rule_for_times(tab: Tab) -> None:
    """m:ss under an hour, h:mm:ss from an hour: one moment never reads two ways."""
    tab.page.goto(BLANK_PATH)
    cases = [
        (0, False, "0:00"),
        (4.9999999, False, "0:05"),  # float noise is not a second less
        (65, False, "1:05"),
        (599.9, False, "9:59"),  # a moment shows until it has passed
        (3599, False, "59:59"),
        (3600, False, "1:00:00"),
        (3900, False, "1:05:00"),
        (36061, False, "10:01:01"),
        (-3, False, "0:00"),
        (5, True, "0:05.00"),
        (4.755, True, "0:04.76"),
        (59.999, True, "1:00.00"),
        (3900.5, True, "1:05:00.50"),
    ]
    shown = tab.page.evaluate(CLOCK, [[seconds, precise] for seconds, precise, _ in cases])
    assert shown == [expected for _, _, expected in cases]
    assert tab.page.evaluate(SPOKEN, [0, 5, 65, 3900]) == [
        "0 seconds",
        "5 seconds",
        "1 minute, 5 seconds",
        "1 hour, 5 minutes",
    ]
    tab.assert_clean()
