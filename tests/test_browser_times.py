"""The viewer's time zone in real Chromium with its zone overridden (Playwright's
``timezone_id``): the page learns it from the browser, without any ``?tz=``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import Browser, expect

from tests.support.browser import VIEWPORT, WAIT_MS, close_quietly, wait_in_page, watched_tab
from webapp.extensions import db
from webapp.models import Cohort, CohortMember, LiveClass, Program, User


def _class_in_a_month(app: Flask, learner_id: int | None) -> datetime:
    """A Berlin cohort's class (the learner a member) and a masterclass, a month ahead."""
    start = (datetime.now(UTC) + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    with app.app_context():
        program = Program(title="Browser times", slug="browser-times")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(
            program_id=program.id, name="Berlin", starts_on=date.today(), time_zone="Europe/Berlin"
        )
        db.session.add(cohort)
        db.session.flush()
        if learner_id is not None:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner_id, role="learner"))
        db.session.add(LiveClass(cohort_id=cohort.id, title="Zone class", starts_at=start))
        db.session.add(LiveClass(cohort_id=None, title="Zone masterclass", starts_at=start))
        db.session.commit()
    return start


def _local(start: datetime, zone: str) -> str:
    """``HH:MM ABBR`` as the zone's own clock reads the instant (zoneinfo, not our code)."""
    local = start.astimezone(ZoneInfo(zone))
    return f"{local:%H:%M} {local.tzname()}"


def test_a_class_shows_at_the_browsers_local_time_without_tz(
    app: Flask, browser: Browser, live_server: str, make_user
) -> None:
    learner = make_user()
    start = _class_in_a_month(app, learner.id)

    # Signed in: the browser's zone is saved on the profile and the page shows it.
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORT, timezone_id="Australia/Adelaide"
    )
    try:
        tab = watched_tab(context)
        tab.login(learner)
        page = tab.page
        page.goto("/classes")
        assert "tz=" not in page.url
        item = page.locator("li", has_text="Zone class")
        expect(item).to_contain_text(_local(start, "Australia/Adelaide"), timeout=WAIT_MS)
        expect(page.locator(".tz-name")).to_have_text("Australia/Adelaide")
        expect(item.locator(".tz-other")).to_contain_text(_local(start, "Europe/Berlin"))

        def saved() -> str | None:
            with app.app_context():
                user = db.session.get(User, learner.id)
                return user.time_zone if user else None

        assert wait_in_page(page, lambda: saved() == "Australia/Adelaide")
        tab.assert_clean()
    finally:
        close_quietly(context)

    # Anonymous: the cookie carries the zone, read back by the server.
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORT, timezone_id="America/Los_Angeles"
    )
    try:
        tab = watched_tab(context)
        tab.page.goto("/masterclasses")
        item = tab.page.locator("li", has_text="Zone masterclass")
        expect(item).to_contain_text(_local(start, "America/Los_Angeles"), timeout=WAIT_MS)
        assert any(
            c["name"] == "tz" and c["value"] == "America/Los_Angeles" for c in context.cookies()
        )
        tab.assert_clean()
    finally:
        close_quietly(context)
