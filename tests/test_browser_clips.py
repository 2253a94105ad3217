"""Clips end to end in real Chromium: the instructor's editor, the learner's clip player,
chapter markers on the watch page.

Same set-up as ``tests/test_browser.py`` (Debian's Chromium through Playwright, a fresh
context per tab, the ``live_server`` fixture), on a 12 s recording (three 4 s segments)
so a clip can start and end inside segments. Pages publish their state as data
attributes (``#editor[data-loaded]``, ``#player[data-clip-ended]``...), so every wait
is a wait for a condition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import START_MUTED, WAIT_MS, Tab
from webapp.clips.services import replace_suggestions
from webapp.extensions import db
from webapp.models import Chapter, Clip, ClipExport

LESSON_SECONDS = 12.0
EDITOR_LOADED = '#editor[data-loaded="1"][data-ready="1"]'
EXPORT_WAIT_MS = 120_000
EDITOR_SEEK = "(t) => { const v = document.getElementById('editor-video'); v.currentTime = t; }"
EDITOR_AT = (
    "(t) => { const v = document.getElementById('editor-video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.05; }"
)
VIDEO_TIME = "() => document.getElementById('video').currentTime"


# --------------------------------------------------------------------------- fixtures


def open_editor(tab: Tab, video_id: int) -> Page:
    """The editor of ``video_id``, with its player, lists and timeline loaded."""
    page = tab.page
    page.goto(f"/videos/{video_id}/edit")
    page.wait_for_selector(EDITOR_LOADED, state="attached", timeout=WAIT_MS)
    return page


def seek_editor(page: Page, seconds: float) -> None:
    """Seek the editor's video and wait until the seek completed."""
    page.evaluate(EDITOR_SEEK, seconds)
    page.wait_for_function(EDITOR_AT, arg=seconds, timeout=WAIT_MS)


def clips_in_db(app: Flask, video_id: int) -> list[tuple[int, str, float, float]]:
    """``(id, title, start, end)`` of the video's clips, in time order."""
    with app.app_context():
        rows = db.session.scalars(
            select(Clip).where(Clip.video_id == video_id).order_by(Clip.start)
        ).all()
        return [(c.id, c.title, c.start, c.end) for c in rows]


# --------------------------------------------------------------------------- tests


@pytest.mark.browser
def test_instructor_cuts_a_clip_and_a_learner_plays_exactly_it(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """Editor: seek, I/O keys, save → listed; learner: starts at in, stops at out."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id, "Backpropagation, whole class")
    editor = open_tab()
    editor.login(instructor)
    page = open_editor(editor, video_id)

    # The storyboard strip: tiles cropped from the sprite sheets by JS.
    tiles = page.locator("#timeline .timeline-tile")
    assert tiles.count() == int(page.get_attribute("#editor", "data-tiles") or "0") > 0
    assert "sheet_000.jpg" in tiles.first.evaluate("t => t.style.backgroundImage")

    seek_editor(page, 5.0)
    page.keyboard.press("i")
    expect(page.locator("#clip-in")).to_have_value("0:05.00")
    seek_editor(page, 9.0)
    page.keyboard.press("o")
    expect(page.locator("#clip-out")).to_have_value("0:09.00")
    expect(page.locator("#clip-length")).to_have_text("0:04.00")
    expect(page.locator("#timeline-range")).to_be_visible()

    page.get_by_label("Title", exact=True).fill("The chain rule in four seconds")
    page.get_by_label("Topic").fill("Calculus")
    page.get_by_role("button", name="Save clip").click()
    expect(page.locator("#editor-status")).to_contain_text("Saved clip")
    item = page.locator("#clip-list .clip-item").filter(has_text="The chain rule in four seconds")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("0:05.00–0:09.00")
    [(clip_id, title, start, end)] = clips_in_db(app, video_id)
    assert (title, start, end) == ("The chain rule in four seconds", 5.0, 9.0)
    expect(item.get_by_role("link", name=re.compile("Play clip"))).to_have_attribute(
        "href", f"/clips/{clip_id}"
    )
    editor.assert_clean()

    learner = open_tab()
    learner.login(make_user("learner"))
    tile = learner.page.locator(".clip-tile").filter(has_text="The chain rule in four seconds")
    expect(tile.locator(".badge-clip")).to_have_text("Clip")
    tile.locator(".tile-link").click()
    expect(learner.page).to_have_url(re.compile(rf"/clips/{clip_id}$"))
    learner.wait_until_ready()
    clip_in = float(learner.page.get_attribute("#player", "data-in") or "nan")
    clip_out = float(learner.page.get_attribute("#player", "data-out") or "nan")
    # Playlist time: the clip playlist starts at the 4 s segment boundary.
    assert (clip_in, clip_out) == (1.0, 5.0)
    assert learner.current_time() == pytest.approx(clip_in, abs=0.25)

    learner.page.evaluate(START_MUTED)
    learner.page.wait_for_selector(
        '#player[data-clip-ended="1"]', state="attached", timeout=WAIT_MS
    )
    assert learner.current_time() == pytest.approx(clip_out, abs=0.1)
    assert learner.page.evaluate("() => document.getElementById('video').paused")
    learner.assert_no_fatal()
    learner.assert_clean()


@pytest.mark.browser
def test_typed_times_and_errors_are_announced(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """Times typed as m:ss or seconds; local and API errors land in the alert region."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    tab = open_tab()
    tab.login(instructor)
    page = open_editor(tab, video_id)
    errors = page.locator("#editor-error")
    expect(errors).to_have_attribute("role", "alert")

    page.get_by_label("In point").fill("0:07")
    page.get_by_label("Out point").fill("3")
    page.get_by_label("Title", exact=True).fill("Backwards")
    page.get_by_role("button", name="Save clip").click()
    expect(errors).to_have_text("The out point must come after the in point.")
    expect(page.get_by_label("Out point")).to_have_attribute("aria-invalid", "true")

    # Too short for the server (at least 0.5 s): its JSON error is shown as is.
    page.get_by_label("Out point").fill("7.2")
    page.get_by_role("button", name="Save clip").click()
    expect(errors).to_contain_text("at least 0.5")
    assert clips_in_db(app, video_id) == []

    page.get_by_label("In point").fill("1:5")  # not a time
    page.get_by_role("button", name="Save clip").click()
    expect(errors).to_contain_text("Set the in point")

    page.get_by_label("In point").fill("0:01.5")
    page.get_by_label("Out point").fill("6.25")
    expect(page.locator("#clip-length")).to_have_text("0:04.75")
    page.get_by_label("Title", exact=True).fill("Typed range")
    page.get_by_role("button", name="Save clip").click()
    expect(page.locator("#clip-list .clip-item")).to_have_count(1)
    expect(errors).to_be_empty()
    [(_, _, start, end)] = clips_in_db(app, video_id)
    assert (start, end) == (1.5, 6.25)

    page.locator("#clip-list").get_by_role("button", name=re.compile("Delete clip")).click()
    page.locator("#clip-list").get_by_role("button", name=re.compile("Yes, delete clip")).click()
    expect(page.locator("#clip-list .clip-item")).to_have_count(0)
    expect(page.locator("#clips-empty")).to_be_visible()
    assert clips_in_db(app, video_id) == []
    # Only the deliberate 400 was logged by the browser.
    assert all("400" in e for e in tab.errors), tab.errors


@pytest.mark.browser
def test_chapters_from_editor_become_markers_that_seek(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """Add + rename a chapter in the editor; the watch page's marker seeks there."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    tab = open_tab()
    tab.login(instructor)
    page = open_editor(tab, video_id)

    seek_editor(page, 6.0)
    page.get_by_label("Chapter title").fill("Second half")
    page.get_by_role("button", name="Add chapter at current time").click()
    chapter = page.locator("#editor-chapter-list .chapter-item")
    expect(chapter).to_have_count(1)
    expect(chapter.get_by_role("button", name="Seek to 0:06")).to_be_visible()
    expect(page.locator("#timeline .timeline-mark")).to_have_count(1)

    chapter.get_by_label("Title of the chapter at 0:06").fill("The second half")
    chapter.get_by_role("button", name=re.compile("^Rename")).click()
    expect(page.locator("#editor-status")).to_contain_text("renamed")
    with app.app_context():
        [(title, start)] = [(c.title, c.start) for c in db.session.scalars(select(Chapter))]
    assert (title, start) == ("The second half", 6.0)

    chapter.get_by_role("button", name=re.compile("^Make clip")).click()
    expect(page.locator("#clip-list .clip-item")).to_have_count(1)
    assert [(t, s, e) for _, t, s, e in clips_in_db(app, video_id)] == [
        ("The second half", 6.0, LESSON_SECONDS)
    ]
    tab.assert_clean()

    learner = open_tab()
    learner.login(make_user("learner"))
    learner.page.goto(f"/videos/{video_id}")
    learner.wait_until_ready()
    markers = learner.page.locator("#chapter-markers .chapter-marker")
    expect(markers).to_have_count(1)
    expect(markers.first).to_have_attribute("aria-label", "Chapter at 0:06: The second half")
    assert markers.first.evaluate("m => m.style.left") == "50%"
    expect(learner.page.locator("#chapter-list")).to_contain_text("The second half")
    markers.first.click()
    learner.page.wait_for_function(f"() => Math.abs(({VIDEO_TIME})() - 6) < 0.1", timeout=WAIT_MS)
    learner.assert_no_fatal()
    learner.assert_clean()


@pytest.mark.browser
def test_suggestions_are_accepted_or_discarded(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """Suggestions are listed with kind, time and label; accept and discard act on them."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    with app.app_context():
        replace_suggestions(
            video_id,
            [
                SimpleNamespace(kind="slide", start=4.0, end=None, score=0.9, label="Slide 2"),
                SimpleNamespace(kind="clip", start=2.0, end=8.0, score=0.7, label="Worked example"),
                SimpleNamespace(kind="pause", start=10.0, end=None, score=0.4, label="Pause"),
            ],
        )
        db.session.commit()
    tab = open_tab()
    tab.login(instructor)
    page = open_editor(tab, video_id)
    items = page.locator("#suggestion-list .suggestion-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("clip")
    expect(items.nth(0)).to_contain_text("0:02–0:08")
    expect(items.nth(0)).to_contain_text("Worked example")

    page.get_by_role("button", name="Accept the clip suggestion at 0:02").click()
    expect(page.locator("#clip-list .clip-item")).to_contain_text("Worked example")
    page.get_by_role("button", name="Accept the slide suggestion at 0:04").click()
    expect(page.locator("#editor-chapter-list .chapter-item")).to_have_count(1)
    page.get_by_role("button", name="Discard the pause suggestion at 0:10").click()
    expect(items).to_have_count(0)
    expect(page.locator("#suggestions-empty")).to_be_visible()
    with app.app_context():
        assert [c.title for c in db.session.scalars(select(Chapter))] == ["Slide 2"]
    tab.assert_clean()


@pytest.mark.browser
@pytest.mark.worker
def test_export_shows_progress_then_a_download_link(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
    celery_worker: object,
) -> None:
    """Export MP4 → the real worker renders it → the row offers the file."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    tab = open_tab()
    tab.login(instructor)
    page = open_editor(tab, video_id)
    page.get_by_label("In point").fill("2.5")
    page.get_by_label("Out point").fill("0:09.5")
    page.get_by_label("Title", exact=True).fill("To take away")
    page.get_by_role("button", name="Save clip").click()
    item = page.locator("#clip-list .clip-item")
    expect(item).to_have_count(1)

    item.get_by_role("button", name=re.compile("^Export MP4")).click()
    link = item.get_by_role("link", name="Download MP4")
    expect(link).to_be_visible(timeout=EXPORT_WAIT_MS)
    [(clip_id, *_)] = clips_in_db(app, video_id)
    expect(link).to_have_attribute("href", f"/clips/{clip_id}/download")
    response = page.request.get(f"/clips/{clip_id}/download")
    assert response.status == 200 and response.body()[4:8] == b"ftyp"
    with app.app_context():
        export = db.session.scalar(select(ClipExport).where(ClipExport.clip_id == clip_id))
        assert export.state == "ready"

    # A reload shows the finished export straight away.
    page.reload()
    page.wait_for_selector(EDITOR_LOADED, state="attached", timeout=WAIT_MS)
    expect(page.locator("#clip-list").get_by_role("link", name="Download MP4")).to_be_visible()
    tab.assert_clean()


@pytest.mark.browser
def test_deleting_a_clip_asks_first_and_cancel_keeps_it(
    open_tab: Callable[[], Tab],  # noqa: F811
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
) -> None:
    """Delete shows a confirmation (Cancel focused): nothing goes until it is confirmed."""
    instructor = make_user("instructor")
    video_id = make_lesson(instructor.id)
    with app.app_context():
        db.session.add(
            Clip(video_id=video_id, title="Keep me?", start=1.0, end=3.0, created_by=instructor.id)
        )
        db.session.commit()
    tab = open_tab()
    tab.login(instructor)
    page = open_editor(tab, video_id)
    item = page.locator("#clip-list .clip-item").filter(has_text="Keep me?")
    expect(item).to_have_count(1)

    item.get_by_role("button", name="Delete clip “Keep me?”").click()
    confirm = item.get_by_role("group", name="Confirm deleting “Keep me?”")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Keep clip “Keep me?”")).to_be_focused()
    assert len(clips_in_db(app, video_id)) == 1  # the first click deleted nothing
    confirm.get_by_role("button", name="Keep clip “Keep me?”").click()
    expect(confirm).to_have_count(0)
    assert len(clips_in_db(app, video_id)) == 1

    item.get_by_role("button", name="Delete clip “Keep me?”").click()
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)

    item.get_by_role("button", name="Delete clip “Keep me?”").click()
    confirm.get_by_role("button", name="Yes, delete clip “Keep me?”").click()
    expect(page.locator("#editor-status")).to_contain_text("Clip deleted.")
    expect(item).to_have_count(0)
    assert clips_in_db(app, video_id) == []
    tab.assert_clean()
