"""The Content-Security-Policy in real Chromium: every page works and nothing is refused.

Chromium reports each refused script, style, fetch, media or worker twice: a console
message ("... violates the following Content Security Policy directive ...") and a
``securitypolicyviolation`` event. The test collects both, on every page, while the
pages do their real work (playback started, editor loaded, Uppy ready with a file), and
fails on any. With ``LEARNSTREAM_TEST_STORAGE=s3`` the media come from the S3 store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.support import factories
from tests.support.browser import PLAYED_PAST, START_MUTED, VIEWPORT, WAIT_MS

PROGRESS_URLS = re.compile(r"/api/v1/(videos|clips)/\d+/progress$")
EDITOR_LOADED = '#editor[data-loaded="1"][data-ready="1"]'
PLAYER_READY = '#player[data-ready="1"]'
LISTEN = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const text = `${e.violatedDirective} blocked ${e.blockedURI} on ${e.documentURI}`;
  window.cspViolations.push(text);
  window.reportCspViolation(text);
});
"""
CSP_TEXT = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)
SIMPLE_PAGES = ["/home", "/programs", "/classes", "/certificates", "/account/password"]


@dataclass
class Watched:
    """A page whose CSP reports and script errors are kept."""

    page: Page
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def report(self, text: str) -> None:
        """A ``securitypolicyviolation`` event from the page."""
        self.violations.append(f"event: {text}")

    def console(self, message: ConsoleMessage) -> None:
        """Keep CSP reports and errors from the console."""
        if CSP_TEXT.search(message.text):
            self.violations.append(f"console: {message.text}")
        elif message.type == "error" and not message.location.get("url", "").endswith(
            "/favicon.ico"
        ):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def sign_in(self, user: factories.UserInfo) -> None:
        """Sign in through the form and land on the library."""
        self.page.goto("/login")
        self.page.fill("#email", user.email)
        self.page.fill("#password", user.password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Library")).to_be_visible()

    def assert_clean(self) -> None:
        """No CSP report and no script error so far."""
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def watched(browser: Browser, live_server: str) -> Iterator[Watched]:
    """A fresh context whose pages report CSP violations to the test."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    page = context.new_page()
    tab = Watched(page)
    context.expose_function("reportCspViolation", tab.report)
    context.add_init_script(LISTEN)
    page.on("console", tab.console)
    page.on("pageerror", lambda error: tab.errors.append(f"pageerror: {error.message}"))
    yield tab
    context.route(PROGRESS_URLS, lambda route: route.abort())
    context.close()


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy(
    watched: Watched,
    make_user: Callable[..., factories.UserInfo],
    make_lesson,
    sample_clip: Path,
) -> None:
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Policy lesson")
    page = watched.page

    watched.sign_in(instructor)  # the library
    expect(page.locator(".tile").filter(has_text="Policy lesson")).to_be_visible()

    page.goto(f"/videos/{video_id}")  # the player: hls.js, its worker, MSE blobs, media
    page.wait_for_selector(PLAYER_READY, state="attached", timeout=WAIT_MS)
    page.evaluate(START_MUTED)
    page.wait_for_function(PLAYED_PAST, arg=1.0, timeout=WAIT_MS)
    assert page.get_attribute("#player", "data-fatal") is None

    page.goto(f"/videos/{video_id}/edit")  # the clip editor with its storyboard
    page.wait_for_selector(EDITOR_LOADED, state="attached", timeout=WAIT_MS)

    page.goto("/upload")  # Uppy
    expect(page.locator("#uppy .uppy-Dashboard")).to_be_visible()
    page.locator("#uppy input.uppy-Dashboard-input").first.set_input_files(str(sample_clip))
    expect(page.locator("#uppy .uppy-Dashboard-Item")).to_have_count(1)

    for path in SIMPLE_PAGES:
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()

    watched.assert_clean()


@pytest.mark.browser
def test_an_inline_script_is_refused(watched: Watched, live_server: str) -> None:
    """The check above can fail: a script injected into a page is blocked and reported."""
    page = watched.page
    page.goto("/login")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true;';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => window.cspViolations.length > 0", timeout=WAIT_MS)
    assert page.evaluate("() => window.injected === undefined")
    assert "script-src" in page.evaluate("() => window.cspViolations[0]")
