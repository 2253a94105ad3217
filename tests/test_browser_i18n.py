"""A learner whose browser asks for German (``Accept-Language: de-DE``, no language chosen
on the profile) walks home → library → a program → a course → the watch page → classes
→ certificates → notes in real Chromium, and reads German on each: the page content and
the player's own words (controls, transcript, notes), which come from the page's
``#player-i18n`` dictionary. The header menu is not asserted here (it is base.html's).

Same set-up as tests/test_browser_watch_path.py (Debian's Chromium, the live server, the
real 12 s lesson with captions); every wait is a wait for a condition in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, expect

from tests.support import factories
from tests.support.auth import Auth
from tests.support.browser import VIEWPORT, WAIT_MS, Tab, close_quietly, watched_tab
from tests.support.captions import CAPTIONS_READY
from tests.support.learning_path import Course, enrolled_course


@pytest.fixture
def path(
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    make_lesson: Callable[..., int],
    captioned_lesson: int,
) -> Course:
    return enrolled_course(app, make_user, make_lesson, captioned_lesson)


@pytest.fixture
def german_tab(browser: Browser, live_server: str) -> Iterator[Tab]:
    """A page in a fresh context whose browser prefers German."""
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="de-DE")
    yield watched_tab(context)
    close_quietly(context)


def sign_in(page: Page, user: factories.UserInfo) -> None:
    """Sign in through the form (its words are base/auth's, so only its fields are used)."""
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.press("#password", "Enter")
    expect(page.get_by_role("heading", name="Bibliothek")).to_be_visible()


def reads_german(page: Page, selector: str, german: list[str], english: list[str]) -> None:
    """``selector``'s visible text has every German phrase and none of the English ones."""
    region = page.locator(selector).first
    for phrase in german:
        expect(region).to_contain_text(phrase)
    text = region.inner_text()
    for word in english:
        assert word not in text, f"{word!r} still in English on {page.url}:\n{text}"


@pytest.mark.browser
def test_a_german_browser_reads_the_learner_pages_in_german(german_tab: Tab, path: Course) -> None:
    page = german_tab.page
    sign_in(page, path.learner)

    # The library (the landing page after signing in).
    reads_german(
        page,
        "main",
        ["Bibliothek", "Lektionen suchen", "Alle Themen", "Lektionen anzeigen", "Nicht begonnen"],
        ["Library", "Search lessons", "All topics", "Show lessons", "Not started", "Sort by"],
    )
    assert page.locator("#filter-sort option").first.inner_text() == "Beste Treffer"

    page.goto("/home")
    reads_german(
        page,
        "main",
        ["Startseite", "Diese Woche", "Weiter:", "0 von 2 Modulen abgeschlossen", "Marketing"],
        ["This week", "Next:", "modules completed", "Browse all programs", "Your certificates"],
    )

    page.goto("/programs/marketing")
    reads_german(
        page,
        "main",
        [
            "Gebühr",
            "Kostenlos",
            "Im eigenen Tempo",
            "Videozeit",
            "Sie sind eingeschrieben",
            "Für das Zertifikat noch zu tun:",
            "90 % von „Optimisers“ ansehen (jetzt 0 %)",
            "Kurse",
        ],
        ["Fee", "Free", "Self-paced", "Video time", "You are enrolled", "still to do", "Courses"],
    )

    page.goto("/courses/seo-basics")
    reads_german(
        page,
        "main",
        ["Teil von", "Weiter:", "Optimisers", "Nicht begonnen"],
        ["Part of", "Next:", "Not started", "Unlocked", "watched"],
    )

    # The watch page: the page's words and the player's (set by its modules).
    page.goto(f"/videos/{path.first}{path.query}")
    german_tab.wait_until_ready()
    page.wait_for_selector(CAPTIONS_READY, state="attached", timeout=WAIT_MS)
    expect(page.locator("#transcript")).to_be_visible()
    expect(page.locator("#play-label")).to_have_text("Wiedergabe")
    assert page.get_attribute("#seek", "aria-label") == "Zeitleiste"
    assert page.locator("#fullscreen-button").inner_text().strip() == "Vollbild"
    reads_german(
        page,
        "#transcript",
        ["Transkript", "Transkript durchsuchen"],
        ["Transcript", "Search the transcript", "Enter jumps"],
    )
    reads_german(
        page,
        "#notes",
        ["Meine Notizen", "Notiz hinzufügen", "Lesezeichen hinzufügen", "Alle meine Notizen"],
        ["My notes", "Add note", "Add bookmark", "All my notes", "Only you"],
    )
    reads_german(
        page,
        ".path-modules",
        ["0 von 2 abgeschlossen", "Nicht begonnen"],
        ["completed", "Not started"],
    )
    # A search in the transcript and a bookmark: the player's messages are German too.
    page.fill("#transcript-query", "zzzzqqq")
    expect(page.locator("#transcript-count")).to_have_text("Keine Zeile passt.")
    page.click("#bookmark-add")
    expect(page.locator("#notes-status")).to_contain_text("Lesezeichen bei 0:00 hinzugefügt.")
    expect(page.locator("#note-list .note-kind")).to_have_text("Lesezeichen")
    expect(page.locator("#note-list .note-edit")).to_have_text("Bearbeiten")

    page.goto("/classes")
    reads_german(
        page,
        "main",
        ["Live-Kurse", "Meine Kohorten", "Anstehende Live-Kurse", "Verpasste Live-Kurse"],
        ["My cohorts", "Upcoming live classes", "Classes you missed", "Nothing scheduled"],
    )

    page.goto("/certificates")
    reads_german(
        page,
        "main",
        ["Zertifikate", "Sie haben noch keine Zertifikate", "Zurück zur Startseite"],
        ["Certificates", "You have no certificates", "Back to Home"],
    )

    page.goto("/notes")
    reads_german(
        page,
        "main",
        ["Meine Notizen", "Markdown herunterladen", "PDF herunterladen", "Lesezeichen"],
        ["My notes", "Download Markdown", "Download PDF", "Bookmark", "Only you"],
    )
    german_tab.assert_clean()


def test_the_same_pages_stay_english_without_german(
    client: FlaskClient, auth: Auth, path: Course
) -> None:
    """An English browser (and one that names no language) reads the pages as before."""
    auth.login(path.learner.email)
    pages = {
        "/": ["<h1>Library</h1>", "Search lessons", "Best match"],
        "/home": ["<h1>Home</h1>", "This week", "0 of 2 modules completed"],
        "/programs/marketing": [
            "<dt>Fee</dt>",
            ">Free<",
            ">Self-paced<",
            "You are enrolled",
            "Watch 90 % of ‘Optimisers’ (now 0 %)",
            "<h2>Courses</h2>",
        ],
        "/courses/seo-basics": ["Part of", "Next:", "Not started"],
        f"/videos/{path.first}{path.query}": [
            '<span class="visually-hidden" id="play-label">Play</span>',
            "Search the transcript",
            "My notes",
            '"Play": "Play"',
        ],
        "/classes": ["<h1>Classes</h1>", "My cohorts"],
        "/certificates": ["<h1>Certificates</h1>", "Back to Home"],
        "/notes": ["Download Markdown"],
    }
    for headers in ({"Accept-Language": "en-GB,en;q=0.8"}, {}):
        for url, phrases in pages.items():
            html = client.get(url, headers=headers).get_data(as_text=True)
            for phrase in phrases:
                assert phrase in html, f"{url}: {phrase!r}"
