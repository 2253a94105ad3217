"""A manager in real Chromium (issue 19's "done when"): Acme's manager assigns a program
with a due date through the pages; the learner sees it on their home page; once the
learner has watched it, the manager's dashboard and its CSV show the progress; Globex's
manager gets 404 from every Acme page, export and API route."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.support.browser import Tab
from tests.support.organisations import build_orgs, watch

pytestmark = pytest.mark.browser

DUE = "2027-01-31"


def test_manager_assigns_and_follows_progress(
    app: Flask, open_tab: Callable[[], Tab], tmp_path: Path
) -> None:
    orgs = build_orgs(app, seats=3)

    manager = open_tab()
    manager.login(orgs.acme_manager)
    page = manager.page
    page.get_by_role("link", name="My organisation").click()
    expect(page.get_by_role("heading", name="Acme: dashboard")).to_be_visible()
    page.get_by_role("link", name="Assign a program").click()
    page.get_by_label("Person").select_option(str(orgs.acme_member.id))
    page.get_by_label("Program").select_option(orgs.program)
    page.get_by_label("Due date").fill(DUE)
    page.get_by_role("button", name="Assign", exact=True).click()
    row = page.locator(f"#row-{orgs.acme_member.id}-{orgs.program}")
    expect(row).to_contain_text(DUE)
    expect(row.locator(".progress-percent")).to_have_text("0 %")

    learner = open_tab()
    learner.login(orgs.acme_member)
    learner.page.goto("/home")
    assigned = learner.page.locator("#assigned-programs")
    expect(assigned).to_contain_text("Acme safety")
    expect(assigned.locator(f'time[datetime="{DUE}"]')).to_be_visible()
    assert learner.page.goto(f"/programs/{orgs.program}").status == 200  # type: ignore[union-attr]

    watch(app, orgs.acme_member.id, orgs.video, 60.0)  # the learner watched the module
    page.reload()
    expect(row.locator(".progress-percent")).to_have_text("100 %")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "dashboard.csv"
    info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("name,email,program,due_on,status,progress_percent")
    line = next(r for r in lines if orgs.acme_member.email in r)
    assert f",{DUE},completed,100,no," in line

    other = open_tab()
    other.login(orgs.globex_manager)
    for url in (
        "/org/acme/",
        "/org/acme/people",
        "/org/acme/assign",
        "/api/v1/organisations/acme/dashboard",
        "/api/v1/organisations/acme/people",
    ):
        answer = other.page.goto(url)
        assert answer is not None and answer.status == 404, url
        assert orgs.acme_member.email not in other.page.content()
    csv_answer = other.page.request.get("/org/acme/dashboard.csv")
    assert csv_answer.status == 404
    for tab in (manager, learner):  # the other manager's console shows the expected 404s
        tab.assert_clean()
