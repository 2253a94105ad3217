"""Pages in real Chromium: launch settings, the ``Tab`` wrapper and its fixtures.

A pytest plugin (``tests/conftest.py`` lists it in ``pytest_plugins``): ``tab`` is one
page in a fresh browser context on the live server, ``open_tab`` a factory of such pages
(several signed-in people in one test). The player publishes its state as data
attributes on ``#player`` (see ``player_static/player.js``), so every wait in a page is a
wait for a condition (``page.wait_for_function``, ``expect``), never a sleep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect

from tests.support import factories
from tests.support.paths import ROOT
from tests.support.waiting import wait_until

# Without the background-networking flags Chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]
VIEWPORT = {"width": 1280, "height": 800}

PROGRESS_URLS = re.compile(r"/api/v1/(videos|clips)/\d+/progress$")
PLAYER_READY = '#player[data-ready="1"]'
WAIT_MS = 20_000
TRANSCODE_WAIT_MS = 90_000

# Conditions evaluated in the page; each takes one numeric argument.
PLAYED_PAST = "(t) => { const v = document.getElementById('video'); return v.currentTime > t; }"
BEATS_AT_LEAST = "(n) => parseInt(document.getElementById('player').dataset.beats || '0') >= n"
START_MUTED = (
    "() => { const v = document.getElementById('video'); v.muted = true; return v.play(); }"
)
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"

T = TypeVar("T")


@dataclass
class Tab:
    """A page in a fresh browser context that remembers the console errors it saw."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        """Keep console errors (a missing favicon too: every page names one)."""
        if message.type != "error":
            return
        self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def record_page_error(self, error: Error) -> None:
        """Keep uncaught exceptions thrown by page scripts."""
        self.errors.append(f"pageerror: {error.message}")

    def login(self, user: factories.UserInfo) -> None:
        """Sign in through the form and land on the library."""
        self.page.goto("/login")
        self.page.fill("#email", user.email)
        self.page.fill("#password", user.password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Library")).to_be_visible()

    def wait_until_ready(self) -> None:
        """Wait for the player's loadedmetadata (and resume) to have run."""
        self.page.wait_for_selector(PLAYER_READY, state="attached", timeout=WAIT_MS)

    def play_past(self, seconds: float) -> None:
        """Start playback (muted) and wait until the media time passes ``seconds``."""
        self.page.evaluate(START_MUTED)
        self.page.wait_for_function(PLAYED_PAST, arg=seconds, timeout=WAIT_MS)
        self.assert_no_fatal()

    def current_time(self) -> float:
        """The media element's current time in seconds."""
        return float(self.page.evaluate("() => document.getElementById('video').currentTime"))

    def assert_no_fatal(self) -> None:
        """hls.js reported no unrecoverable error."""
        assert self.page.get_attribute("#player", "data-fatal") is None

    def assert_clean(self) -> None:
        """No console errors and no uncaught exceptions so far."""
        assert self.errors == []


def watched_tab(context: BrowserContext) -> Tab:
    """A new page of ``context`` whose console errors and page errors are recorded."""
    page = context.new_page()
    tab = Tab(page)
    page.on("console", tab.record_console)
    page.on("pageerror", tab.record_page_error)
    return tab


def close_quietly(context: BrowserContext) -> None:
    """Close a context without its last heartbeats: closing fires pagehide, whose beat
    would race the table clean-up after the test (the assertions are done by then)."""
    context.route(PROGRESS_URLS, lambda route: route.abort())
    context.close()


def wait_in_page(
    page: Page,
    predicate: Callable[[], T],
    timeout: float = WAIT_MS / 1000,
    message: str | Callable[[], str] = "condition not met",
    interval: float = 0.1,
) -> T:
    """:func:`~tests.support.waiting.wait_until` for a condition checked outside the
    page (the database, the API): between looks Playwright keeps delivering the page's
    events (route handlers, console), which a plain sleep would hold back."""
    return wait_until(
        predicate, timeout, message, interval, sleep=lambda s: page.wait_for_timeout(s * 1000)
    )


def tab_to(page: Page, element_id: str, limit: int = 40) -> None:
    """Press Tab from the top of the page until ``element_id`` has the focus."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE_ID) == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def artifacts_dir() -> Path:
    """Where screenshots go: $LEARNSTREAM_ARTIFACTS, else artifacts/screenshots/."""
    path = Path(os.environ.get("LEARNSTREAM_ARTIFACTS") or ROOT / "artifacts" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def tab(browser: Browser, live_server: str) -> Iterator[Tab]:
    """A page in a fresh context (own cookies, own storage), pointed at the live server."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    yield watched_tab(context)
    close_quietly(context)


@pytest.fixture
def open_tab(browser: Browser, live_server: str) -> Iterator[Callable[[], Tab]]:
    """Factory: a page in a fresh context (own cookies) per call, all closed at the end."""
    contexts: list[BrowserContext] = []

    def _open() -> Tab:
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
        contexts.append(context)
        return watched_tab(context)

    yield _open
    for context in contexts:
        close_quietly(context)
