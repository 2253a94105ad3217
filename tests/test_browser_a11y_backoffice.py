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
from playwright.sync_api import Browser, BrowserContext, Page

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


# GET routes of the back office that are not pages: a script from npm, an e-mail's HTML
# part, which the outbox page frames (sandboxed, scripts off) and is audited there, and
# downloads (calendar files, CSV exports, a PDF invoice, a project hand-in) and
# Prometheus' text format, and the platform's branding files (a stylesheet, images).
NOT_PAGES = frozenset(
    {
        "learning_manage.vendor",
        "admin.outbox_html",
        "calendar.feed",
        "calendar.class_file",
        "organisations.dashboard_csv",
        "enrolment.invoice",
        "audit.export_csv",
        "observability.scrape",
        "projects.download",
        "branding.stylesheet",
        "branding.logo",
        "branding.favicon",
    }
)


def _pages(role: str) -> list[Entry]:
    return [
        e
        for e in entries()
        if e.kind == Kind.PAGE
        and e.endpoint not in NOT_PAGES
        and e.method == "GET"
        and e.policy.outcome(role) == Outcome.OK
        and 200 in e.ok
    ]


CASES = [
    pytest.param(role, entry, id=f"{entry.label.replace(' ', ':')}-{role}")
    for role in ("admin", "anonymous")
    for entry in _pages(role)
]


@pytest.fixture(scope="module")
def contexts(browser: Browser, live_server: str, world: World) -> Iterator[dict[str, Page]]:
    """One page per role, signed in once for the module."""
    opened: list[BrowserContext] = []
    pages: dict[str, Page] = {}
    for role in ("admin", "anonymous"):
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT)
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        email = world.emails.get(role)
        if email is not None:
            page.goto("/login")
            page.fill("#email", email)
            page.fill("#password", factories.PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
        pages[role] = page
    yield pages
    for context in opened:
        context.close()


def test_the_back_office_has_pages_to_audit() -> None:
    assert len(_pages("admin")) >= 20


@pytest.mark.parametrize(("role", "entry"), CASES)
def test_no_serious_axe_violation(
    app: Flask, contexts: dict[str, Page], world: World, role: str, entry: Entry
) -> None:
    fresh = {}
    if entry.fresh is not None:
        with app.app_context():
            fresh = entry.fresh(world)
    url = app.url_map.bind("localhost").build(entry.endpoint, entry.values(world, fresh))
    page = contexts[role]
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    violations = blocking_violations(page)
    assert not violations, f"{entry.label} ({url}):\n{describe(violations)}"
