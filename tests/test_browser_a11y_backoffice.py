"""Accessibility of the back office in real Chromium: axe-core finds no serious or
critical violation on any of its pages.

The pages are not listed by hand: every ``GET`` page of the back-office route matrix
(``tests/support/matrix_backoffice/``) that the admin may open, on the matrix world,
is opened as the admin; the public ones (sign-up, password reset…) also as a visitor.
A page added to the matrix is audited here without another line.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext

from tests.support import factories
from tests.support.a11y import blocking_violations, describe
from tests.support.browser import VIEWPORT, WAIT_MS
from tests.support.matrix_backoffice import entries
from tests.support.matrix_world import World
from tests.support.route_matrix import Entry, Kind, Outcome

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Replaces conftest's per-test wipe: ``world`` is built once for the module."""
    yield


def _pages(role: str) -> list[Entry]:
    return [
        e
        for e in entries()
        if e.kind == Kind.PAGE
        and e.method == "GET"
        and e.policy.outcome(role) == Outcome.OK
        and 200 in e.ok
    ]


def _signed_in(browser: Browser, live_server: str, email: str | None) -> BrowserContext:
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
    if email is not None:
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT_MS)
        page.close()
    return context


def _audit(app: Flask, context: BrowserContext, world: World, pages: list[Entry]) -> list[str]:
    found = []
    page = context.new_page()
    for entry in pages:
        fresh = {}
        if entry.fresh is not None:
            with app.app_context():
                fresh = entry.fresh(world)
        url = app.url_map.bind("localhost").build(entry.endpoint, entry.values(world, fresh))
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{entry.label}: {url}"
        violations = blocking_violations(page)
        if violations:
            found.append(f"{entry.label} ({url}):\n{describe(violations)}")
    return found


@pytest.mark.parametrize("role", ["admin", "anonymous"])
def test_back_office_pages_have_no_serious_axe_violation(
    app: Flask, browser: Browser, live_server: str, world: World, role: str
) -> None:
    pages = _pages(role)
    if role == "admin":
        assert pages, "the back-office matrix lists no page"
    context = _signed_in(browser, live_server, world.emails.get(role))
    try:
        problems = _audit(app, context, world, pages)
    finally:
        context.close()
    assert not problems, "\n\n".join(problems)
