"""Notes and bookmarks in real Chromium: add a note at the current moment, seek from its
time, bookmark with the B key, edit and delete it in place (deletion confirmed from the
keyboard), and find the note on "My notes" under its course.

Same set-up as ``tests/test_browser_captions.py`` (Debian's Chromium through Playwright, a
fresh context per tab, the ``live_server`` fixture) on the 12 s lesson. The panel
publishes its state as data attributes (``#notes[data-ready]``, ``[data-count]``), so
every wait is a wait for a condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import WAIT_MS, Tab
from webapp.catalogue.services import module_of_video
from webapp.extensions import db
from webapp.learning.services import create_course
from webapp.models import Note

NOTES_READY = '#notes[data-ready="1"]'
SEEKED_TO = (
    "(t) => { const v = document.getElementById('video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.05; }"
)
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"


def seek(page: Page, seconds: float) -> None:
    """Move the (paused) video to ``seconds`` and wait until it is there."""
    page.evaluate(f"() => {{ document.getElementById('video').currentTime = {seconds}; }}")
    page.wait_for_function(SEEKED_TO, arg=seconds, timeout=WAIT_MS)


def stored(app: Flask, user_id: int) -> list[tuple[str, float, str]]:
    """``(kind, position, body)`` of the learner's notes, by time."""
    with app.app_context():
        rows = db.session.execute(
            select(Note.kind, Note.position, Note.body)
            .where(Note.user_id == user_id)
            .order_by(Note.position)
        ).all()
        return [(kind, round(position, 1), body) for kind, position, body in rows]


@pytest.mark.browser
def test_notes_and_bookmarks_on_the_watch_page(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson,
) -> None:
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Gradient descent")
    with app.app_context():
        module = module_of_video(video_id)
        assert module is not None
        create_course("optimisation", "Optimisation", [module.id])
        db.session.commit()
    learner = make_user("learner")
    tab = open_tab()
    tab.login(learner)
    page = tab.page
    page.goto(f"/videos/{video_id}")
    tab.wait_until_ready()
    page.wait_for_selector(NOTES_READY, state="attached", timeout=WAIT_MS)
    panel = page.locator("#notes")
    items = page.locator("#note-list > li")
    status = page.locator("#notes-status")
    expect(page.locator("#notes-empty")).to_be_visible()

    # A note at the current moment (3 s), from the form.
    seek(page, 3)
    expect(page.locator("#note-at")).to_have_text("0:03")
    page.fill("#note-body", "Step size <b>matters</b>")
    page.get_by_role("button", name="Add note").click()
    expect(items).to_have_count(1)
    expect(items.first.locator(".note-time")).to_have_text("0:03")
    expect(items.first.locator(".note-body")).to_have_text("Step size <b>matters</b>")
    expect(status).to_have_text("Note added at 0:03.")
    expect(page.locator("#note-body")).to_have_value("")
    assert stored(app, learner.id) == [("note", 3.0, "Step size <b>matters</b>")]

    # Its time seeks the video there.
    seek(page, 0)
    items.first.locator(".note-time").click()
    page.wait_for_function(SEEKED_TO, arg=3.0, timeout=WAIT_MS)

    # B bookmarks the current moment (focus on a button: not typing).
    seek(page, 7)
    page.keyboard.press("b")
    expect(panel).to_have_attribute("data-count", "2")
    expect(items.nth(1).locator(".note-kind")).to_have_text("Bookmark")
    expect(items.nth(1).locator(".note-time")).to_have_text("0:07")
    expect(status).to_have_text("Bookmark added at 0:07.")

    # N pauses and puts the focus in the note box; letters typed there are text, not keys.
    page.evaluate("() => document.getElementById('video').play()")
    page.evaluate("() => { document.getElementById('video').muted = true; }")
    page.keyboard.press("n")
    assert page.evaluate(ACTIVE_ID) == "note-body"
    assert page.evaluate("() => document.getElementById('video').paused")
    expect(page.locator("#note-body")).to_have_value("")
    page.keyboard.type("nb")
    expect(page.locator("#note-body")).to_have_value("nb")
    expect(panel).to_have_attribute("data-count", "2")
    page.fill("#note-body", "")

    # Edit the note in place.
    first = items.first
    first.get_by_role("button", name="Edit note at 0:03").click()
    editor = first.locator("textarea.note-edit-body")
    expect(editor).to_be_focused()
    editor.fill("Step size matters: try 0.01")
    first.get_by_role("button", name="Save").click()
    expect(first.locator(".note-body")).to_have_text("Step size matters: try 0.01")
    expect(status).to_have_text("Note at 0:03 saved.")
    expect(first.get_by_role("button", name="Edit note at 0:03")).to_be_focused()

    # Delete the bookmark: a second, keyboard-reachable confirmation; Escape backs out.
    bookmark = items.nth(1)
    bookmark.get_by_role("button", name="Delete bookmark at 0:07").click()
    expect(bookmark.locator(".note-confirm-delete")).to_be_focused()
    page.keyboard.press("Escape")
    expect(bookmark.get_by_role("button", name="Delete bookmark at 0:07")).to_be_focused()
    page.keyboard.press("Enter")
    expect(bookmark.locator(".note-confirm-delete")).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("data-count", "1")
    expect(status).to_have_text("Bookmark at 0:07 deleted.")
    assert stored(app, learner.id) == [("note", 3.0, "Step size matters: try 0.01")]

    # The notes survive a reload.
    page.reload()
    page.wait_for_selector(NOTES_READY, state="attached", timeout=WAIT_MS)
    expect(items).to_have_count(1)
    expect(items.first.locator(".note-body")).to_have_text("Step size matters: try 0.01")

    # "My notes" lists it under its course; its time links back to that moment.
    page.goto("/notes")
    group = page.locator(".note-group").filter(has=page.get_by_role("heading", name="Optimisation"))
    expect(group.get_by_role("heading", name="Gradient descent")).to_be_visible()
    expect(group.locator(".note-body")).to_have_text("Step size matters: try 0.01")
    group.get_by_role("link", name="Watch from 0:03").click()
    expect(page).to_have_url(re.compile(rf"/videos/{video_id}\?t=3$"))
    tab.wait_until_ready()
    page.wait_for_function(SEEKED_TO, arg=3.0, timeout=WAIT_MS)
    assert [e for e in tab.errors if "notes" in e] == []
