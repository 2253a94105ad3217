"""The custom player in real Chromium: keyboard-only use, shortcuts, remembered speed and
volume, the caption key, the shortcuts dialog, accessible names, the seek preview, the
phone layout, and the clip player's controls and shifted captions.

Same set-up as ``tests/test_browser_captions.py`` (Debian's Chromium through Playwright,
a fresh context per tab, the ``live_server`` fixture, the 12 s lesson with English and
French tracks). The scripts publish their state as data attributes on ``#player``
(``data-ready``, ``data-prefs-saved``, ``data-thumbnails``...), so every wait is a wait
for a condition. Screenshots of the watch page go to ``$LEARNSTREAM_ARTIFACTS`` (default
``artifacts/screenshots/`` in the repository).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.support import factories
from tests.support.browser import PROGRESS_URLS, WAIT_MS, Tab, artifacts_dir, tab_to, wait_in_page
from tests.support.captions import ACTIVE_CUE_TEXT, CAPTIONS_READY, SHOWING, open_watch
from webapp.clips.services import create_clip
from webapp.extensions import db
from webapp.models import User, Video

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
AT = (
    "(t) => { const v = document.getElementById('video');"
    " return !v.seeking && Math.abs(v.currentTime - t) < 0.15; }"
)
PAUSED = "() => document.getElementById('video').paused"
PLAYING = "() => !document.getElementById('video').paused"
PREFS = "/api/v1/me/preferences"


def seek_to(page: Page, seconds: float) -> None:
    """Seek the video from the page and wait until it got there."""
    page.evaluate("(t) => { document.getElementById('video').currentTime = t; }", seconds)
    page.wait_for_function(AT, arg=seconds, timeout=WAIT_MS)


def press_on_body(page: Page, key: str) -> None:
    """Press a key with the focus on no control in particular."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def saved_prefs(page: Page) -> dict:
    """The learner's preferences as the API has them."""
    response = page.request.get(PREFS)
    assert response.ok
    return response.json()


def wait_for_prefs(page: Page, **expected: object) -> dict:
    """Poll the API until the named preferences have the expected values."""

    def reached() -> dict | None:
        prefs = saved_prefs(page)
        return prefs if all(prefs[name] == value for name, value in expected.items()) else None

    return wait_in_page(
        page, reached, message=lambda: f"preferences never became {expected}: {saved_prefs(page)}"
    )


def open_player(tab: Tab, video_id: int) -> Page:
    """The watch page with its custom controls, caption tracks and saved settings ready."""
    page = open_watch(tab, video_id)
    page.wait_for_selector('#player[data-prefs-applied="1"]', state="attached", timeout=WAIT_MS)
    expect(page.locator("#player-controls")).to_be_visible()
    return page


@pytest.mark.browser
def test_keyboard_only_playback_and_seeking_shortcuts(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_player(tab, captioned_lesson)
    assert page.evaluate("() => document.getElementById('video').controls") is False

    # Tab to the play button; Space plays (the button's own action), k pauses.
    tab_to(page, "play-button")
    play = page.locator("#play-button")
    expect(play).to_have_accessible_name("Play")
    page.keyboard.press("Space")
    page.wait_for_function(PLAYING, timeout=WAIT_MS)
    expect(play).to_have_accessible_name("Pause")
    page.keyboard.press("k")
    page.wait_for_function(PAUSED, timeout=WAIT_MS)
    expect(play).to_have_accessible_name("Play")
    expect(play).to_be_focused()

    # From the page body: Space plays and pauses too.
    press_on_body(page, "Space")
    page.wait_for_function(PLAYING, timeout=WAIT_MS)
    page.keyboard.press("Space")
    page.wait_for_function(PAUSED, timeout=WAIT_MS)

    # j/l ±10 s and arrows ±5 s, clamped to the video; 0–9 jump to 0–90 %.
    seek_to(page, 1.0)
    for key, expected in [
        ("ArrowRight", 6.0),
        ("j", 0.0),
        ("l", 10.0),
        ("ArrowLeft", 5.0),
        ("5", 6.0),
        ("9", 10.8),
        ("0", 0.0),
        ("End", 12.0),
        ("Home", 0.0),
    ]:
        page.keyboard.press(key)
        page.wait_for_function(AT, arg=expected, timeout=WAIT_MS)
    slider = page.get_by_role("slider", name="Seek")
    expect(slider).to_have_attribute("aria-valuetext", "0 seconds of 12 seconds")

    # On the seek bar the arrows move it 5 s; its value text says where in words.
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(AT, arg=5.0, timeout=WAIT_MS)
    expect(slider).to_have_attribute("aria-valuetext", "5 seconds of 12 seconds")
    page.keyboard.press("PageUp")
    page.wait_for_function(AT, arg=6.2, timeout=WAIT_MS)

    # Typing in a field is never a shortcut.
    page.locator("#transcript-query").fill("")
    page.locator("#transcript-query").press("k")
    page.locator("#transcript-query").press("l")
    expect(page.locator("#transcript-query")).to_have_value("kl")
    assert page.evaluate(PAUSED)
    assert tab.current_time() == pytest.approx(6.2, abs=0.15)
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_speed_volume_and_mute_are_remembered(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_player(tab, captioned_lesson)
    speed = page.locator("#speed-button")
    status = page.locator("#player-status")
    expect(speed).to_have_accessible_name("Speed: 1×")

    press_on_body(page, ">")
    press_on_body(page, ">")
    expect(speed).to_have_accessible_name("Speed: 1.5×")
    expect(status).to_contain_text("Speed 1.5×")
    page.keyboard.press("<")  # Shift + , on this layout
    expect(speed).to_have_accessible_name("Speed: 1.25×")
    assert page.evaluate("() => document.getElementById('video').playbackRate") == 1.25
    wait_for_prefs(page, playback_rate=1.25)

    # Volume: arrows ±10 %, then m mutes; the slider and the button follow.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(status).to_contain_text("Volume 80%")
    volume = page.get_by_role("slider", name="Volume")
    expect(volume).to_have_attribute("aria-valuetext", "80%")
    page.keyboard.press("m")
    expect(status).to_contain_text("Muted")
    mute = page.get_by_role("button", name="Mute")
    expect(mute).to_have_attribute("aria-pressed", "true")
    expect(volume).to_have_attribute("aria-valuetext", "Muted")
    prefs = wait_for_prefs(page, volume=0.8, muted=True)
    assert prefs["playback_rate"] == 1.25

    # A reload applies all three at once.
    page.reload()
    tab.wait_until_ready()
    page.wait_for_selector('#player[data-prefs-applied="1"]', state="attached", timeout=WAIT_MS)
    state = page.evaluate(
        "() => { const v = document.getElementById('video');"
        " return [v.playbackRate, v.volume, v.muted]; }"
    )
    assert state == [1.25, 0.8, True]
    expect(speed).to_have_accessible_name("Speed: 1.25×")
    expect(mute).to_have_attribute("aria-pressed", "true")

    # The mute button and the speed menu do the same by pointer and by keyboard.
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "false")
    speed.focus()
    page.keyboard.press("Enter")
    expect(speed).to_have_attribute("aria-expanded", "true")
    items = page.locator("#speed-menu [role=menuitemradio]")
    expect(items).to_have_text(["0.5×", "0.75×", "Normal (1×)", "1.25×", "1.5×", "1.75×", "2×"])
    expect(items.nth(3)).to_be_focused()
    expect(items.nth(3)).to_have_attribute("aria-checked", "true")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(speed).to_be_focused()
    expect(speed).to_have_attribute("aria-expanded", "false")
    expect(speed).to_have_accessible_name("Speed: 2×")
    assert wait_for_prefs(page, playback_rate=2, muted=False)["volume"] == 0.8
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_caption_key_and_the_shortcuts_dialog(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_player(tab, captioned_lesson)
    player = page.locator("#player")
    status = page.locator("#player-status")
    expect(player).to_have_attribute("data-captions", "off")

    # c: on in the default language, off, and back on in the language last chosen.
    press_on_body(page, "c")
    expect(player).to_have_attribute("data-captions", "en")
    assert page.evaluate(SHOWING) == "en"
    expect(status).to_contain_text("Captions: English")
    expect(page.locator("#captions-button")).to_have_accessible_name("Captions: English")
    page.keyboard.press("c")
    expect(player).to_have_attribute("data-captions", "off")
    expect(status).to_contain_text("Captions off")
    page.locator("#captions-button").click()
    page.get_by_role("menuitemradio", name="Français").click()
    expect(player).to_have_attribute("data-captions", "fr")
    press_on_body(page, "c")
    expect(player).to_have_attribute("data-captions", "off")
    page.keyboard.press("c")
    expect(player).to_have_attribute("data-captions", "fr")
    assert wait_for_prefs(page, caption_language="fr")["caption_language"] == "fr"

    # ?: a modal dialog listing the shortcuts; focus goes in, Escape brings it back.
    play = page.locator("#play-button")
    play.focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    expect(dialog.get_by_role("row")).to_have_count(
        14
    )  # header, 11 player keys, n and b of the notes panel
    for _ in range(3):  # the page behind is inert: Tab never reaches it
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "() => { const a = document.activeElement;"
            " return !a || a === document.body || !!a.closest('#shortcuts-dialog'); }"
        )
        assert inside
    page.keyboard.press("k")  # shortcuts rest while the dialog is open
    assert page.evaluate(PAUSED)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(play).to_be_focused()

    # The bar's button opens it too; Close gives the focus back to that button.
    shortcuts = page.get_by_role("button", name="Keyboard shortcuts")
    shortcuts.click()
    expect(close).to_be_focused()
    close.click()
    expect(dialog).to_be_hidden()
    expect(shortcuts).to_be_focused()

    # The dialog's switch turns single-key shortcuts off on this device (WCAG 2.1.4).
    shortcuts.click()
    switch = dialog.get_by_role("checkbox", name=re.compile("^Use these shortcuts"))
    expect(switch).to_be_checked()
    switch.uncheck()
    close.click()
    expect(status).to_contain_text("Keyboard shortcuts off")
    press_on_body(page, "m")
    press_on_body(page, "k")
    assert page.evaluate("() => document.getElementById('video').muted") is False
    assert page.evaluate(PAUSED)
    page.reload()
    tab.wait_until_ready()
    press_on_body(page, "m")
    assert page.evaluate("() => document.getElementById('video').muted") is False
    shortcuts.click()
    expect(switch).not_to_be_checked()
    switch.check()
    close.click()
    press_on_body(page, "m")
    expect(page.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_controls_have_names_states_and_a_visible_focus(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_player(tab, captioned_lesson)
    bar = page.get_by_role("group", name="Player controls")
    for name in (
        "Play",
        "Back 10 seconds",
        "Forward 10 seconds",
        "Mute",
        "Full screen",
        "Keyboard shortcuts",
        "Speed: 1×",
        "Captions: Off",
        "Transcript",
    ):
        expect(bar.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(bar.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "false")
    expect(bar.get_by_role("button", name="Full screen")).to_have_attribute("aria-pressed", "false")
    expect(bar.get_by_role("button", name=re.compile(r"^Quality: Auto"))).to_be_enabled()
    expect(page.get_by_role("slider", name="Seek")).to_be_visible()
    expect(page.get_by_role("slider", name="Volume")).to_have_attribute("aria-valuetext", "100%")
    if page.evaluate("() => document.pictureInPictureEnabled"):
        pip = bar.get_by_role("button", name="Picture in picture")
        expect(pip).to_have_attribute("aria-pressed", "false")

    # Every control shows where the keyboard focus is.
    tab_to(page, "play-button")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] == "solid" and outline[1] >= 2

    # Quality: a menu of the hls.js levels; picking one checks it.
    quality = bar.get_by_role("button", name=re.compile(r"^Quality"))
    quality.click()
    expect(quality).to_have_attribute("aria-expanded", "true")
    options = page.locator("#quality-menu [role=menuitemradio]")
    expect(options.first).to_have_text(re.compile(r"^Auto"))
    expect(options.first).to_be_focused()
    assert options.count() >= 3
    options.nth(1).click()
    expect(options.nth(1)).to_have_attribute("aria-checked", "true")
    expect(quality).to_have_accessible_name(re.compile(r"^Quality: \d+p$"))

    # Full screen is the player's container, so the controls stay with the picture.
    bar.get_by_role("button", name="Full screen").click()
    page.wait_for_function(
        "() => document.fullscreenElement && document.fullscreenElement.id === 'player'"
    )
    expect(bar.get_by_role("button", name="Full screen")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#play-button")).to_be_visible()
    press_on_body(page, "f")
    page.wait_for_function("() => !document.fullscreenElement", timeout=WAIT_MS)
    expect(bar.get_by_role("button", name="Full screen")).to_have_attribute("aria-pressed", "false")
    tab.assert_no_fatal()
    tab.assert_clean()


@pytest.mark.browser
def test_seek_preview_shows_a_storyboard_thumbnail(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = open_player(tab, captioned_lesson)
    page.wait_for_selector("#player[data-thumbnails]", state="attached", timeout=WAIT_MS)
    assert int(page.get_attribute("#player", "data-thumbnails") or "0") > 0
    preview = page.locator("#seek-preview")
    image = page.locator("#seek-preview-image")
    expect(preview).to_be_hidden()

    area = page.locator("#seek-area")
    box = area.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(preview).to_be_visible()
    expect(page.locator("#seek-preview-text")).to_have_text("0:06")
    expect(image).to_be_visible()
    style = image.evaluate("i => [i.style.backgroundImage, i.offsetWidth, i.offsetHeight]")
    # A signed link to the sprite sheet (the app's own, or a presigned S3 URL).
    assert "sheet_000.jpg" in style[0] and re.search(r"(sig|Signature)=", style[0])
    assert style[1] > 0 and style[2] > 0
    preview_box = preview.bounding_box()
    assert preview_box is not None and preview_box["y"] + preview_box["height"] <= box["y"] + 1
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 200)
    expect(preview).to_be_hidden()

    # Moving the seek bar with the keyboard previews the new time too.
    page.get_by_role("slider", name="Seek").focus()
    page.keyboard.press("ArrowRight")
    expect(preview).to_be_visible()
    expect(page.locator("#seek-preview-text")).to_have_text("0:05")
    tab.assert_clean()


@pytest.mark.browser
def test_phone_layout_and_screenshots(
    browser: Browser,
    live_server: str,
    make_user: Callable[..., factories.UserInfo],
    captioned_lesson: int,
) -> None:
    learner = make_user("learner")
    shots = artifacts_dir()
    for name, viewport, touch in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
        context = browser.new_context(base_url=live_server, viewport=viewport, has_touch=touch)
        try:
            tab = Tab(context.new_page())
            tab.page.on("pageerror", tab.record_page_error)
            tab.login(learner)
            page = open_player(tab, captioned_lesson)
            expect(page.locator("#transcript")).to_be_visible()
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
            # Every control is on screen and at least 24 px square.
            sizes = page.locator(
                "#player-controls button:visible, #player-controls input"
            ).evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [e.id || e.className, r.left, r.right, r.width, r.height]; })"
            )
            assert sizes
            for ident, left, right, width, height in sizes:
                assert left >= 0 and right <= viewport["width"], f"{name}: {ident} off screen"
                assert width >= 24 and height >= 24, f"{name}: {ident} is {width}x{height}"
            player = page.locator("#player").bounding_box()
            transcript = page.locator("#transcript").bounding_box()
            assert player is not None and transcript is not None
            if name == "phone":  # the transcript goes below the video
                assert transcript["y"] >= player["y"] + player["height"]
            else:  # and beside it on a wide screen
                assert transcript["x"] >= player["x"] + player["width"]
            path = shots / f"watch-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            data = path.read_bytes()
            assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
            tab.assert_clean()
        finally:
            context.route(PROGRESS_URLS, lambda route: route.abort())
            context.close()


@pytest.fixture
def captioned_clip(app: Flask, captioned_lesson: int) -> int:
    """A clip of 0:05–0:09 of the captioned lesson; its playlist starts at 0:04."""
    with app.app_context():
        video = db.session.get(Video, captioned_lesson)
        author = db.session.get(User, video.owner_id)
        clip = create_clip(video, author, {"title": "Momentum, briefly", "start": 5.0, "end": 9.0})
        db.session.commit()
        return clip.id


@pytest.mark.browser
def test_clip_player_has_the_controls_and_shifted_captions(
    open_tab: Callable[[], Tab],
    make_user: Callable[..., factories.UserInfo],
    captioned_clip: int,
) -> None:
    tab = open_tab()
    tab.login(make_user("learner"))
    page = tab.page
    page.goto(f"/clips/{captioned_clip}")
    tab.wait_until_ready()
    page.wait_for_selector(CAPTIONS_READY, state="attached", timeout=WAIT_MS)
    expect(page.locator("#time-duration")).to_have_text("0:04")
    expect(page.get_by_role("slider", name="Seek")).to_have_attribute(
        "aria-valuetext", "0 seconds of 4 seconds"
    )

    # The recording's cues, moved to the clip: 0:04–0:06 of the recording is 0:00–0:01.
    transcript = page.locator("#transcript")
    expect(transcript).to_have_attribute("data-lines", "3")
    lines = transcript.locator(".transcript-line")
    expect(lines.nth(0)).to_have_text("0:00 Momentum keeps it moving.")
    expect(lines.nth(1)).to_have_text("0:02 Careful with <script>")
    press_on_body(page, "c")
    expect(page.locator("#player")).to_have_attribute("data-captions", "en")
    seek_to(page, 1.5)  # media time: the clip's 0:00.5, the recording's 0:05.5
    page.wait_for_function(ACTIVE_CUE_TEXT, timeout=WAIT_MS)
    assert "Momentum" in page.evaluate(ACTIVE_CUE_TEXT)

    # The keys work in clip time: l goes 10 s on, clamped to the clip's end.
    press_on_body(page, "l")
    page.wait_for_selector('#player[data-clip-ended="1"]', state="attached", timeout=WAIT_MS)
    expect(page.locator("#time-current")).to_have_text("0:04")
    press_on_body(page, "0")
    page.wait_for_function(AT, arg=1.0, timeout=WAIT_MS)  # media time of the in point
    expect(page.locator("#time-current")).to_have_text("0:00")
    tab.assert_no_fatal()
    tab.assert_clean()
