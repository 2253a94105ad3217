"""The school run from the browser, end to end (issue 18's "done when").

From an empty database and one admin, in real Chromium and through pages only: the admin
creates a topic, uploads a recording with its details (a real worker transcodes it),
builds a course and a program, creates a cohort, schedules a class and invites a learner.
The invitation travels through the real Celery worker to a real SMTP server on loopback;
the learner opens the link from that message, sets a password, enrols and watches. Then
the admin renames the video and deletes it, and the learner's library follows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import TRANSCODE_WAIT_MS, WAIT_MS, Tab, artifacts_dir
from tests.support.smtp import Mailbox, links
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.models import Video, VideoState

pytestmark = pytest.mark.browser

LEARNER = "new.learner@example.com"
LEARNER_PASSWORD = "a calm blue heron"


def _video(app: Flask) -> Video | None:
    with app.app_context():
        video = db.session.scalars(select(Video)).first()
        if video is not None:
            db.session.expunge(video)
        return video


def _ready(app: Flask) -> Video | None:
    video = _video(app)
    if video is not None and video.state == VideoState.FAILED:
        raise AssertionError("the transcode failed")
    return video if video is not None and video.state == VideoState.READY else None


def _submit(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def _create_topic(page: Page) -> None:
    page.goto("/manage/topics")
    page.get_by_label("Name", exact=True).fill("Data Science")
    _submit(page, "Add topic")
    expect(page.get_by_role("main")).to_contain_text("Data Science")


def _upload(page: Page, app: Flask, recording: Path) -> Video:
    page.goto("/upload")
    form = page.locator("#plain-upload form")
    form.get_by_label("Video file").set_input_files(str(recording))
    form.get_by_label("Title", exact=True).fill("Statistics, the first hour")
    form.get_by_label("Description", exact=True).fill("Means, medians and why they differ.")
    form.get_by_label("Topic", exact=True).select_option(label="Data Science")
    form.get_by_label("Tags", exact=True).fill("statistics, basics")
    form.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_load_state()
    return wait_until(lambda: _ready(app), TRANSCODE_WAIT_MS / 1000, "the upload never got READY")


def _build_course(page: Page) -> None:
    page.goto("/manage/courses/new")
    page.get_by_label("Title", exact=True).fill("Statistics 101")
    _submit(page, "Create course")
    add = page.get_by_label("Module to add", exact=True)
    option = add.locator("option", has_text="Statistics, the first hour")
    add.select_option(value=option.get_attribute("value"))
    _submit(page, "Add module")
    expect(page.locator(".order-list")).to_contain_text("Statistics, the first hour")


def _build_program(page: Page) -> None:
    page.goto("/manage/programs/new")
    page.get_by_label("Title", exact=True).fill("Data Analyst")
    page.get_by_label("Fee", exact=True).fill("0")
    _submit(page, "Create program")
    page.get_by_label("Course to add", exact=True).select_option(label="Statistics 101")
    _submit(page, "Add course")
    expect(page.locator(".order-list")).to_contain_text("Statistics 101")


def _create_cohort_and_class(page: Page) -> None:
    page.goto("/manage/cohorts/new")
    page.get_by_label("Program", exact=True).select_option(label="Data Analyst")
    page.get_by_label("Name", exact=True).fill("Spring cohort")
    page.get_by_label("Start date", exact=True).fill(
        (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    )
    page.get_by_label("Time zone", exact=True).fill("Europe/Berlin")
    _submit(page, "Create cohort")
    expect(page.get_by_role("heading", name="Manage “Spring cohort”")).to_be_visible()
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Title", exact=True).fill("Kick-off")
    start = (datetime.now(UTC) + timedelta(days=8)).replace(hour=17, minute=0)
    page.get_by_label("Start (Europe/Berlin)", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration (minutes)", exact=True).fill("60")
    page.get_by_label("Join link", exact=True).fill("https://meet.example.com/kick-off")
    _submit(page, "Schedule")
    expect(page.get_by_role("main")).to_contain_text("Kick-off")


def _invite(page: Page) -> None:
    page.goto("/admin/invitations")
    page.get_by_label("E-mail address to invite", exact=True).fill(LEARNER)
    page.get_by_label("Role", exact=True).select_option("learner")
    _submit(page, "Send the invitation")
    expect(page.get_by_role("main")).to_contain_text(LEARNER)


def _accept(page: Page, mailbox: Mailbox) -> None:
    message = mailbox.wait_for(LEARNER)
    found = links(message)
    assert len(found) == 1, found
    page.goto(found[0])
    page.get_by_label("Your name", exact=True).fill("Nora Learner")
    page.get_by_label("Password", exact=True).fill(LEARNER_PASSWORD)
    page.get_by_label("The same password again", exact=True).fill(LEARNER_PASSWORD)
    _submit(page, "Create my account")
    expect(page.locator(".who")).to_contain_text("Nora Learner")


def _enrol_and_watch(tab: Tab, video_id: int) -> None:
    page = tab.page
    page.goto("/programs")
    page.get_by_role("link", name="Data Analyst").first.click()
    _submit(page, "Enrol")
    # The program has an upcoming cohort: enrolling asks for it (issue 19).
    page.locator("input[name=cohort]").first.check()
    _submit(page, "Enrol")
    expect(page.get_by_role("main")).to_contain_text("Statistics 101")
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    tab.play_past(1.0)


def _screenshot(page: Page, url: str, name: str) -> None:
    """Save a back-office page for the README (artifacts/screenshots/)."""
    page.goto(url)
    page.screenshot(path=str(artifacts_dir() / f"{name}.png"), full_page=True)


def _library_titles(page: Page) -> str:
    page.goto("/")
    return page.get_by_role("main").inner_text()


def test_a_school_is_set_up_and_used_through_the_browser_only(
    app: Flask,
    open_tab: Any,
    mailbox: Mailbox,
    celery_worker: Any,
    sample_clip: Path,
) -> None:
    admin = factories.create_user(app, "admin")
    admin_tab: Tab = open_tab()
    admin_tab.login(admin)
    page = admin_tab.page
    page.set_default_timeout(WAIT_MS)

    _create_topic(page)
    video = _upload(page, app, sample_clip)
    _build_course(page)
    _build_program(page)
    _create_cohort_and_class(page)
    _invite(page)

    learner_tab: Tab = open_tab()
    learner_tab.page.set_default_timeout(WAIT_MS)
    _accept(learner_tab.page, mailbox)
    _enrol_and_watch(learner_tab, video.id)
    assert "Statistics, the first hour" in _library_titles(learner_tab.page)

    _screenshot(page, "/admin", "admin-home")
    _screenshot(page, f"/manage/videos/{video.id}", "video-manager")
    _screenshot(page, "/manage/courses/statistics-101", "course-editor")

    # The admin renames the video: the learner's library follows.
    page.goto(f"/manage/videos/{video.id}")
    page.get_by_label("Title", exact=True).fill("Statistics: averages")
    _submit(page, "Save")
    titles = _library_titles(learner_tab.page)
    assert "Statistics: averages" in titles and "the first hour" not in titles

    # The admin deletes it (it is a course module: removed from the course with it).
    page.goto(f"/manage/videos/{video.id}/delete")
    page.get_by_role("checkbox").check()
    _submit(page, "Delete")
    assert _video(app) is None
    assert "Statistics: averages" not in _library_titles(learner_tab.page)
    assert learner_tab.page.goto(f"/videos/{video.id}").status == 404
    admin_tab.assert_clean()
