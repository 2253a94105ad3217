"""The site's chrome in real Chromium: a phone header that fits in 12% of a 390×844
screen for every role, the menu button that folds the menu (keyboard included), the
back-office drop-downs on a wide screen, and the theme switch (light, dark, system)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support import factories
from tests.support.browser import Tab, tab_to, watched_tab

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}
MAX_HEADER_SHARE = 0.12
ACTIVE_TEXT = "() => document.activeElement && document.activeElement.textContent.trim()"
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
DARK_BG = "rgb(15, 20, 32)"
LIGHT_BG = "rgb(246, 247, 251)"
MAIN_LINKS = ["Home", "Library", "Programs", "Classes", "Masterclasses", "Certificates"]


@pytest.fixture
def open_context(browser: Browser, live_server: str) -> Iterator[Callable[..., Tab]]:
    """Factory: a signed-out tab in a fresh context with the given options."""
    contexts: list[BrowserContext] = []

    def _open(**options: object) -> Tab:
        context = browser.new_context(base_url=live_server, **options)
        contexts.append(context)
        return watched_tab(context)

    yield _open
    for context in contexts:
        context.close()


def header_height(page: Page) -> float:
    """The header's height in CSS pixels."""
    box = page.locator("header.topbar").bounding_box()
    assert box is not None
    return float(box["height"])


@pytest.mark.browser
@pytest.mark.parametrize("role", ["learner", "instructor", "admin"])
def test_phone_header_is_short_and_its_menu_opens_by_keyboard(
    open_context: Callable[..., Tab], make_user: Callable[..., factories.UserInfo], role: str
) -> None:
    tab = open_context(viewport=PHONE, has_touch=True)
    tab.login(make_user(role))
    page = tab.page
    height = header_height(page)
    assert height <= MAX_HEADER_SHARE * PHONE["height"], f"{role}: header is {height}px tall"
    button = page.locator("#menu-toggle")
    menu = page.get_by_role("navigation", name="Main")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    tab_to(page, "menu-toggle")
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    for name in MAIN_LINKS:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.keyboard.press("Tab")  # the menu follows its button
    assert page.evaluate(ACTIVE_TEXT) == "Home"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the open menu scrolls sideways by {overflow}px"
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(menu).to_be_hidden()
    if role != "learner":  # the back-office group folds open inside the menu
        page.keyboard.press("Enter")
        group = "Admin" if role == "admin" else "Teaching"
        page.locator("summary", has_text=group).click()
        expect(page.get_by_role("navigation", name=group).get_by_role("link").first).to_be_visible()
    tab.assert_clean()


@pytest.mark.browser
def test_wide_header_is_one_row_with_an_admin_drop_down(
    open_context: Callable[..., Tab], make_user: Callable[..., factories.UserInfo]
) -> None:
    tab = open_context(viewport=WIDE)
    tab.login(make_user("admin"))
    page = tab.page
    assert header_height(page) <= 80
    expect(page.locator("#menu-toggle")).to_be_hidden()
    admin = page.get_by_role("navigation", name="Admin")
    expect(admin).to_be_hidden()
    summary = page.locator("summary", has_text="Admin")
    summary.focus()
    page.keyboard.press("Enter")
    expect(admin.get_by_role("link", name="Branding")).to_be_visible()
    page.keyboard.press("Escape")
    expect(admin).to_be_hidden()
    expect(summary).to_be_focused()
    tab.assert_clean()


@pytest.mark.browser
def test_theme_follows_the_system_until_the_switch_says_otherwise(
    open_context: Callable[..., Tab],
) -> None:
    tab = open_context(viewport=WIDE, color_scheme="dark")
    page = tab.page
    page.goto("/login")
    assert page.evaluate(BACKGROUND) == DARK_BG
    switch = page.get_by_label("Theme")
    expect(switch).to_have_value("system")
    switch.select_option("light")
    assert page.evaluate(BACKGROUND) == LIGHT_BG
    page.reload()  # saved, and applied before the page's own scripts run
    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    assert page.evaluate(BACKGROUND) == LIGHT_BG
    expect(page.get_by_label("Theme")).to_have_value("light")
    page.get_by_label("Theme").select_option("system")
    assert page.evaluate(BACKGROUND) == DARK_BG
    page.reload()
    assert page.evaluate(BACKGROUND) == DARK_BG
    tab.assert_clean()


@pytest.mark.browser
def test_every_page_has_an_icon_and_no_404_for_it(open_context: Callable[..., Tab]) -> None:
    tab = open_context(viewport=WIDE)
    failed: list[str] = []
    tab.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    tab.page.goto("/login")
    expect(tab.page.locator(".brand-logo")).to_have_js_property("naturalWidth", 64)
    icon = tab.page.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert failed == []
    tab.assert_clean()
