"""Take the README screenshots from a running, seeded Learnstream.

Usage (against ``make run`` or ``flask serve`` after ``flask seed``)::

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000

Signs in as the demo learner and the demo instructor in Debian's Chromium (no browser is
ever downloaded) and writes ``docs/screenshots/{watch,library,upload}.png`` at 1280x800.
The learner plays a few seconds of the first lesson first, so the library shows progress.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}
WAIT_MS = 30_000
PLAY_SECONDS = 4.0
LEARNER = ("learner@example.com", "learner-demo")
INSTRUCTOR = ("instructor@example.com", "instructor-demo")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]
IMAGES_LOADED = "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"


def sign_in(browser: Browser, base_url: str, email: str, password: str) -> Page:
    """A page in a fresh context, signed in through the form and showing the library."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    return page


def shoot_watch(page: Page, out: Path) -> None:
    """Open the first lesson, play a few seconds, pause, and capture the player."""
    page.locator(".tile-link").first.click()
    page.wait_for_selector('#player[data-ready="1"]', state="attached", timeout=WAIT_MS)
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; v.play(); }")
    page.wait_for_function(
        "(t) => document.getElementById('video').currentTime > t",
        arg=PLAY_SECONDS,
        timeout=WAIT_MS,
    )
    page.evaluate("() => document.getElementById('video').pause()")
    # The pause heartbeat updates the "% watched" line; wait for it to be acknowledged.
    page.wait_for_function(
        "() => parseInt(document.getElementById('player').dataset.beats || '0') >= 1",
        timeout=WAIT_MS,
    )
    page.hover("#video")  # keep the native controls on screen
    page.screenshot(path=str(out))


def shoot_library(page: Page, out: Path) -> None:
    """The library grid with every poster loaded."""
    page.goto("/")
    page.wait_for_function(IMAGES_LOADED, timeout=WAIT_MS)
    page.screenshot(path=str(out))


def shoot_upload(page: Page, out: Path) -> None:
    """The instructor's upload form and recordings table."""
    page.get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload a recording")).to_be_visible()
    page.screenshot(path=str(out))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, take the three screenshots, and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where Learnstream runs, e.g. http://127.0.0.1:5000")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium binary")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    base_url = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    shots = {name: args.out / f"{name}.png" for name in ("watch", "library", "upload")}

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            learner = sign_in(browser, base_url, *LEARNER)
            shoot_watch(learner, shots["watch"])
            shoot_library(learner, shots["library"])
            learner.context.close()
            instructor = sign_in(browser, base_url, *INSTRUCTOR)
            shoot_upload(instructor, shots["upload"])
            instructor.context.close()
        finally:
            browser.close()

    for path in shots.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
