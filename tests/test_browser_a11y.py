"""Accessibility in real Chromium: axe-core finds no serious or critical violation on
the site's pages, and Tab walks through each of them and out again (no keyboard trap)
with a visible, contrasting focus ring at every stop; on the library, in document order.

The pages are filled the way the demo seed fills them (``ensure_demo_learning``: a
program with two courses, cohorts with past and upcoming classes, an exam, a public
masterclass) on top of READY videos, plus captions, chapters, a clip and a certificate,
so every part of a page that can render is audited. axe runs inside the page with the
app's real Content-Security-Policy in force (see ``tests/support/a11y.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from tests.support import factories
from tests.support.a11y import blocking_violations, describe
from tests.support.a11y_site import ZONE, Site, fill_site
from tests.support.browser import PLAYER_READY, VIEWPORT, WAIT_MS, Tab
from webapp.cli.seed_learning import PROGRAM

PROGRESS_URLS = re.compile(r"/api/v1/(videos|clips)/\d+/progress$")
TAB_SLACK = 10  # Tab presses allowed beyond the page's own controls
# The focused element, whether it shows a focus indicator, and the contrast of its
# outline against the colour just outside the ring on its best side (WCAG 1.4.11 asks
# for 3:1).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = (text) => {
    const m = (text || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = Boolean(style.boxShadow) && style.boxShadow !== 'none';
  let ratio = null;
  let clipped = false;
  if (outline) {
    const ring = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      if (getComputedStyle(n).overflow === 'visible') continue;
      const r = n.getBoundingClientRect();
      clipped = clipped || box.left - ring < r.left - 0.5 || box.right + ring > r.right + 0.5
        || box.top - ring < r.top - 0.5 || box.bottom + ring > r.bottom + 0.5;
    }
    // The colour just outside the ring on each side; the best side must reach 3:1.
    const reach = ring + 2;
    const cy = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const cx = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    const points = [
      [box.left - reach, cy], [box.right + reach, cy],
      [cx, box.top - reach], [cx, box.bottom + reach],
    ];
    const colour = luminance(rgba(style.outlineColor));
    ratio = 0;
    for (const [x, y] of points) {
      let behind = [255, 255, 255, 1];
      for (const node of document.elementsFromPoint(x, y)) {
        if (node === el || el.contains(node)) continue;
        const bg = rgba(getComputedStyle(node).backgroundColor);
        if (bg[3] >= 0.5) { behind = bg; break; }
      }
      const other = luminance(behind);
      const r = (Math.max(colour, other) + 0.05) / (Math.min(colour, other) + 0.05);
      ratio = Math.max(ratio, r);
    }
  }
  return {
    key: el.id || el.outerHTML.slice(0, 160),
    visible: outline || shadow,
    ratio: ratio,
    clipped: clipped,
    shown: box.width > 0 && box.height > 0,
    native: el.matches('video[controls], audio[controls]'),
  };
}"""
TABBABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary,'
    + ' [tabindex]:not([tabindex="-1"])'))
  .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .filter((el) => !el.closest('[inert], [hidden]'))
  .map((el) => el.id || el.outerHTML.slice(0, 160))"""


@pytest.fixture
def site(app: Flask, make_ready_video: Callable[..., int]) -> Site:
    """The filled-in site (rebuilt per test: the tables are emptied after each)."""
    return fill_site(app, make_ready_video)


@pytest.fixture
def open_tab(browser: Browser, live_server: str) -> Iterator[Callable[[], Tab]]:
    """Factory: a page in a fresh context whose clock zone matches its ``tz`` cookie."""
    contexts = []

    def _open() -> Tab:
        context = browser.new_context(base_url=live_server, viewport=VIEWPORT, timezone_id=ZONE)
        context.add_cookies([{"name": "tz", "value": ZONE, "url": live_server}])
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)
        page.on("console", tab.record_console)
        page.on("pageerror", tab.record_page_error)
        return tab

    yield _open
    for context in contexts:
        for page in context.pages:
            settle(page)
        # pagehide heartbeats would race the table clean-up after the test.
        context.route(PROGRESS_URLS, lambda route: route.abort())
        context.close()


def settle(page: Page) -> None:
    """Wait until the page has no request in flight: leaving it earlier would drop the
    live server's connections mid-file (posters, segments), which the dev server reports
    as unclosed files in whatever test runs next."""
    page.wait_for_load_state("networkidle", timeout=WAIT_MS)


def sign_in(tab: Tab, user: factories.UserInfo) -> None:
    """Sign in through the form and let the library it lands on finish loading."""
    tab.login(user)
    settle(tab.page)


def has_notes_page(app: Flask) -> bool:
    """Whether the notes page (issue #8, built separately) is registered yet."""
    return "notes.index" in app.view_functions or any(
        rule.rule == "/notes" for rule in app.url_map.iter_rules()
    )


def wait_for_watch_page(page: Page) -> None:
    """The player has loaded its metadata (and its scripts have built their controls)."""
    page.wait_for_selector(PLAYER_READY, state="attached", timeout=WAIT_MS)


def wait_for_editor(page: Page) -> None:
    """The clip editor has loaded its video and lists."""
    page.wait_for_selector(
        '#editor[data-loaded="1"][data-ready="1"]', state="attached", timeout=WAIT_MS
    )


def open_details(page: Page) -> None:
    """Expand every <details> (the attendance forms) so axe audits their contents."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")


# (id, who signs in, URL built from the site, extra wait once loaded)
PAGES: list[tuple[str, str | None, Callable[[Site], str], Callable[[Page], None] | None]] = [
    ("sign-in", None, lambda s: "/login", None),
    ("verify", None, lambda s: f"/verify/{s.certificate_code}", None),
    ("masterclasses", None, lambda s: "/masterclasses", None),
    ("library", "learner", lambda s: "/", None),
    ("library-search", "learner", lambda s: "/?q=search&sort=popular", None),
    ("home", "learner", lambda s: "/home", None),
    ("watch", "learner", lambda s: f"/videos/{s.lesson_id}", wait_for_watch_page),
    (
        "watch-path",
        "learner",
        lambda s: f"/videos/{s.lesson_id}{s.path_query}",
        wait_for_watch_page,
    ),
    ("clip-watch", "learner", lambda s: f"/clips/{s.clip_id}", wait_for_watch_page),
    ("programs", "learner", lambda s: "/programs", None),
    ("path", "learner", lambda s: f"/programs/{PROGRAM}", None),
    ("enrolment", "learner", lambda s: f"/programs/{PROGRAM}/enrolment", None),
    ("course", "learner", lambda s: "/courses/dm-foundations", None),
    ("classes", "learner", lambda s: "/classes", None),
    ("cohort", "learner", lambda s: f"/cohorts/{s.cohort_id}", None),
    ("exam-review", "learner", lambda s: f"/exams/{s.exam_id}/review", None),
    ("certificates", "learner", lambda s: "/certificates", None),
    ("notes", "learner", lambda s: "/notes", None),
    ("error", "learner", lambda s: "/programs/no-such-path", None),
    ("upload", "instructor", lambda s: "/upload", None),
    ("clip-editor", "instructor", lambda s: f"/videos/{s.lesson_id}/edit", wait_for_editor),
    ("captions", "instructor", lambda s: f"/videos/{s.lesson_id}/captions", None),
    ("cohort-teacher", "instructor", lambda s: f"/cohorts/{s.cohort_id}", open_details),
    ("attach-recording", "instructor", lambda s: f"/classes/{s.past_class_id}/recording", None),
    ("analytics", "instructor", lambda s: "/analytics", None),
    ("analytics-video", "instructor", lambda s: f"/analytics/videos/{s.lesson_id}", None),
    ("reports", "instructor", lambda s: "/reports", None),
    ("path-report", "instructor", lambda s: f"/reports/paths/{PROGRAM}", None),
    ("cohort-report", "instructor", lambda s: f"/reports/cohorts/{s.cohort_id}", None),
    ("notifications", "learner", lambda s: "/notifications", None),
    ("notification-settings", "learner", lambda s: "/notifications/settings", None),
    ("questions-inbox", "instructor", lambda s: "/teach/questions?show=all", None),
    ("quiz-authoring", "instructor", lambda s: f"/manage/videos/{s.lesson_id}/quiz", None),
    ("exam", "learner", lambda s: f"/exams/{s.exam_id}", None),
    ("exam-bank", "instructor", lambda s: f"/manage/exams/{s.exam_id}/bank", None),
    ("exam-question", "instructor", lambda s: f"/manage/exams/{s.exam_id}/questions/new", None),
    ("exam-analysis", "instructor", lambda s: f"/manage/exams/{s.exam_id}/analysis", None),
    ("project", "learner", lambda s: f"/projects/{s.project_id}", None),
    ("project-manage", "instructor", lambda s: f"/manage/projects/{s.project_id}", None),
    ("project-grade", "instructor", lambda s: f"/manage/submissions/{s.submission_id}", None),
    ("project-edit", "instructor", lambda s: f"/manage/projects/{s.project_id}/edit", None),
]


def tab_through(page: Page, limit: int) -> list[dict]:
    """Press Tab until the focus leaves the document or wraps to the first stop again;
    returns the focus state after each press. Raises if that takes ``limit`` presses."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (seen and state["key"] == seen[0]["key"]):
            return seen
        seen.append(state)
    raise AssertionError(
        f"Tab never left the page in {limit} presses (a keyboard trap?); last stops: "
        f"{[s['key'] for s in seen[-5:]]}"
    )


def focus_problems(stops: list[dict]) -> list[str]:
    """What is wrong with the focus indicator at each Tab stop, one line per kind."""
    checks = [
        ("no visible focus indicator on", lambda s: not s["visible"]),
        ("focus outline below 3:1 against its background on", lambda s: (s["ratio"] or 3) < 3),
        ("focus outline cut off by an overflow container on", lambda s: s["clipped"]),
        ("focus landed on an element that is not shown:", lambda s: not s["shown"]),
    ]
    problems = []
    # The browser draws the focus ring of native media controls inside their shadow
    # DOM, where the page's styles cannot see it.
    own = [s for s in stops if not s["native"]]
    for what, bad in checks:
        keys = [s["key"] for s in own if bad(s)]
        if keys:
            problems.append(f"{what} {keys}")
    return problems


def keyboard_problems(page: Page) -> list[str]:
    """Walk the page with Tab from its first control (the skip link) and report traps
    and focus indicators that cannot be seen."""
    expected = page.evaluate(TABBABLE)
    page.evaluate("() => document.querySelector('.skip-link').focus()")
    first = page.evaluate(FOCUS_STATE)
    try:
        stops = [first, *tab_through(page, limit=len(expected) + TAB_SLACK)]
    except AssertionError as exc:
        return [str(exc)]
    return focus_problems(stops)


@pytest.mark.browser
@pytest.mark.parametrize(("who", "url", "ready"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_is_accessible(
    app: Flask,
    site: Site,
    open_tab: Callable[[], Tab],
    who: str | None,
    url: Callable[[Site], str],
    ready: Callable[[Page], None] | None,
) -> None:
    """axe-core reports no serious or critical violation on the page, and Tab walks
    through it and out again with a visible focus indicator at every stop."""
    target = url(site)
    if target == "/notes" and not has_notes_page(app):
        pytest.skip("the notes page (/notes) is not registered yet")
    tab = open_tab()
    if who is not None:
        sign_in(tab, site.learner if who == "learner" else site.instructor)
    tab.page.goto(target)
    if ready is not None:
        ready(tab.page)
    violations = blocking_violations(tab.page)
    problems = keyboard_problems(tab.page)
    assert not violations and not problems, (
        f"{tab.page.url}:\n{describe(violations)}\n" + "\n".join(problems)
    )


# Pages audited again in the dark theme (the screenshot test covers home, library,
# program, watch, classes and the admin home in both themes).
DARK_PAGES = [
    "sign-in",
    "masterclasses",
    "course",
    "cohort",
    "certificates",
    "notes",
    "upload",
    "clip-editor",
    "reports",
    "notifications",
    "exam",
]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("who", "url", "ready"),
    [p[1:] for p in PAGES if p[0] in DARK_PAGES],
    ids=[p[0] for p in PAGES if p[0] in DARK_PAGES],
)
def test_page_is_accessible_in_the_dark_theme(
    app: Flask,
    site: Site,
    browser: Browser,
    live_server: str,
    who: str | None,
    url: Callable[[Site], str],
    ready: Callable[[Page], None] | None,
) -> None:
    """The dark theme (the system's choice) passes axe's colour contrast and the rest,
    and its focus rings stand out against the dark backgrounds."""
    target = url(site)
    if target == "/notes" and not has_notes_page(app):
        pytest.skip("the notes page (/notes) is not registered yet")
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORT, timezone_id=ZONE, color_scheme="dark"
    )
    context.add_cookies([{"name": "tz", "value": ZONE, "url": live_server}])
    try:
        tab = Tab(context.new_page())
        if who is not None:
            sign_in(tab, site.learner if who == "learner" else site.instructor)
        tab.page.goto(target)
        if ready is not None:
            ready(tab.page)
        assert tab.page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
        violations = blocking_violations(tab.page)
        problems = keyboard_problems(tab.page)
        settle(tab.page)
    finally:
        context.route(PROGRESS_URLS, lambda route: route.abort())
        context.close()
    assert not violations and not problems, f"{target}:\n{describe(violations)}\n" + "\n".join(
        problems
    )


@pytest.mark.browser
def test_upload_dashboard_with_a_chosen_file_is_accessible(
    site: Site, open_tab: Callable[[], Tab], sample_clip: Path
) -> None:
    """Uppy's file list and status bar (shown once a file is chosen) pass axe and the
    keyboard walk too."""
    tab = open_tab()
    sign_in(tab, site.instructor)
    page = tab.page
    page.goto("/upload")
    page.locator("#uppy input.uppy-Dashboard-input").first.set_input_files(str(sample_clip))
    page.locator(".uppy-StatusBar-actionBtn--upload").wait_for(timeout=WAIT_MS)
    violations = blocking_violations(page)
    problems = keyboard_problems(page)
    assert not violations and not problems, f"{describe(violations)}\n" + "\n".join(problems)


@pytest.mark.browser
def test_keyboard_walks_the_library_in_document_order(
    site: Site, open_tab: Callable[[], Tab]
) -> None:
    """From the top of a freshly loaded library, Tab visits every control in document
    order, each with a visible focus indicator, and then leaves the page (no trap)."""
    tab = open_tab()
    sign_in(tab, site.learner)
    page = tab.page
    expected = page.evaluate(TABBABLE)
    stops = tab_through(page, limit=len(expected) + TAB_SLACK)
    keys = [s["key"] for s in stops]
    assert keys == expected, "Tab order differs from the document order"
    assert len(keys) > 15, keys  # nav, filters, tiles: the walk covered the page
    assert not focus_problems(stops), focus_problems(stops)
    tab.assert_clean()


@pytest.mark.browser
def test_skip_link_moves_the_focus_to_the_content(site: Site, open_tab: Callable[[], Tab]) -> None:
    """The first Tab stop is a visible 'Skip to content' link that lands in <main>."""
    tab = open_tab()
    sign_in(tab, site.learner)
    page = tab.page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, box
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("() => Boolean(document.activeElement.closest('main'))")
    assert inside, page.evaluate("() => document.activeElement.outerHTML")
