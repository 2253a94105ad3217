"""Direct uploads in real Chromium: Uppy's Dashboard, S3 multipart through the API, resume.

Same set-up as ``tests/test_browser.py`` (Debian's Chromium through Playwright, a fresh
context per tab, the ``live_server`` fixture) on the local backend, where the part URLs
are the app's own PUT route; one test runs the app on SeaweedFS, where the browser PUTs
the parts straight to the store. Every wait is a wait for a condition on the page or in
the database, never a sleep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Request, Route, expect
from sqlalchemy import select

from tests.support import factories
from tests.support.browser import VIEWPORT, WAIT_MS, Tab, wait_in_page
from tests.support.liveserver import serve
from tests.support.s3server import S3Server
from tests.support.uploads import pad_mp4
from webapp import create_app
from webapp.extensions import db
from webapp.models import UploadSession, UploadState, Video, VideoState
from webapp.storage import get_storage
from webapp.uploads.rules import PREFERRED_PART_SIZE

pytestmark = pytest.mark.browser

PART_PUT = re.compile(r"/api/v1/uploads/(\d+)/parts/(\d+)$")
PART_2 = re.compile(r"/api/v1/uploads/\d+/parts/2$")
DASHBOARD = "#uppy .uppy-Dashboard"
UPLOAD_BUTTON = ".uppy-StatusBar-actionBtn--upload"


@pytest.fixture(scope="session")
def s3_site(app: Flask, s3_server: S3Server) -> Iterator[tuple[Flask, str]]:
    """The app on S3 (same database), over real HTTP; its bucket lets the page PUT (CORS)."""
    s3_app = create_app({"TESTING": True, "STORAGE_BACKEND": "s3", **s3_server.settings()})
    with serve(s3_app) as origin:
        s3_server.client().put_bucket_cors(
            Bucket=s3_app.config["S3_BUCKET"],
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [origin],
                        "AllowedMethods": ["PUT"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
        yield s3_app, origin


def _open_upload_page(tab: Tab, user: factories.UserInfo) -> None:
    tab.login(user)
    tab.page.get_by_role("link", name="Upload").click()
    expect(tab.page.locator(DASHBOARD)).to_be_visible()


def _choose(tab: Tab, path: Path) -> None:
    tab.page.locator("#uppy input.uppy-Dashboard-input").first.set_input_files(str(path))


def _only_session(app: Flask) -> UploadSession:
    with app.app_context():
        session = db.session.scalars(select(UploadSession)).one()
        db.session.expunge(session)
        return session


def test_instructor_uploads_with_uppy_and_sees_it_listed(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], sample_clip: Path, tmp_path
) -> None:
    """Dashboard → create, sign, PUT, complete → progress shown → the recording is listed."""
    instructor = make_user("instructor")
    source = tmp_path / "Chromium direct upload.mp4"
    source.write_bytes(sample_clip.read_bytes())
    page = tab.page
    _open_upload_page(tab, instructor)
    expect(page.locator("#plain-upload form")).to_be_visible()  # the form stays, for no-JS

    _choose(tab, source)
    page.locator(UPLOAD_BUTTON).click()

    expect(page.locator("#upload-status")).to_contain_text(
        "“Chromium direct upload” is uploaded", timeout=WAIT_MS
    )
    expect(page.locator("#upload-speed")).to_contain_text("MB of")
    expect(page.locator(".uppy-StatusBar")).to_contain_text("Complete")
    row = page.locator("tr.job-row").filter(has_text="Chromium direct upload")
    expect(row).to_have_count(1)
    expect(row.locator(".state")).to_have_text(re.compile("uploaded|processing|ready"))

    session = _only_session(app)
    assert session.state == UploadState.COMPLETED
    with app.app_context():
        video = db.session.get(Video, session.video_id)
        assert video.owner_id == instructor.id
        assert video.source_key == session.key
        assert get_storage().get_bytes(video.source_key) == source.read_bytes()

    page.reload()  # the server renders it too
    expect(page.locator("tr.job-row").filter(has_text="Chromium direct upload")).to_have_count(1)
    tab.assert_clean()


def test_type_refused_by_uppy_before_any_request(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], tmp_path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video\n")
    _open_upload_page(tab, make_user("instructor"))
    _choose(tab, notes)
    expect(tab.page.locator("#uppy")).to_contain_text("You can only upload")
    with app.app_context():
        assert db.session.scalars(select(UploadSession)).first() is None


@pytest.mark.local_storage
def test_upload_resumes_after_a_reload(
    tab: Tab,
    app: Flask,
    make_user: Callable[..., factories.UserInfo],
    sample_clip: Path,
    tmp_path,
) -> None:
    """A reload in mid-upload: choose the file again and only the missing part is sent."""
    instructor = make_user("instructor")
    # Three parts; too large for Uppy to keep a copy in the browser, as real recordings are.
    source = pad_mp4(sample_clip, tmp_path / "Long lecture.mp4", 2 * PREFERRED_PART_SIZE + 999)
    page = tab.page
    _open_upload_page(tab, instructor)

    sent: list[int] = []

    def record(request: Request) -> None:
        match = PART_PUT.search(request.url)
        if request.method == "PUT" and match:
            sent.append(int(match.group(2)))

    held: list[Route] = []
    page.on("request", record)
    # The connection carrying part 2 hangs: the bytes never arrive.
    page.route(PART_2, lambda route: held.append(route))
    _choose(tab, source)
    page.locator(UPLOAD_BUTTON).click()

    def stored_parts() -> list[int]:
        with app.app_context():
            session = db.session.scalars(select(UploadSession)).first()
            if session is None:
                return []
            return [p.number for p in get_storage().list_parts(session.key, session.upload_id)]

    # Two 16 MiB parts through the dev server: on a busy 2-core machine that took 21 s.
    _wait(tab, lambda: stored_parts() == [1, 3] and len(held) == 1, timeout=90)

    expect(page.locator(".uppy-StatusBar")).to_contain_text("Uploading")
    sent.clear()
    # Reload first: the held request dies with the page. Lifting the route before would
    # let it through, and the old page would complete the upload behind the new one.
    page.reload()
    page.unroute(PART_2)
    expect(page.locator(DASHBOARD)).to_be_visible()
    expect(page.locator(".uppy-Dashboard-serviceMsg")).to_contain_text("re-select")
    # The browser kept no copy of a large file: choose it again, as the page asks.
    page.get_by_role("button", name="Re-select").click()
    _choose(tab, source)
    expect(page.locator(".uppy-Dashboard-serviceMsg")).to_contain_text("resume the upload")
    page.locator(UPLOAD_BUTTON).click()
    expect(page.locator("#upload-status")).to_contain_text("is uploaded", timeout=WAIT_MS)
    assert sent == [2]
    session = _only_session(app)
    assert session.state == UploadState.COMPLETED
    with app.app_context():
        video = db.session.get(Video, session.video_id)
        assert video.state != VideoState.FAILED
        assert get_storage().get_bytes(video.source_key) == source.read_bytes()
    tab.assert_clean()


def _wait(tab: Tab, condition: Callable[[], bool], timeout: float = WAIT_MS / 1000) -> None:
    """Poll a condition until it holds, letting the page's events through meanwhile."""
    wait_in_page(tab.page, condition, timeout, "condition not met in time")


def test_a_rejected_file_says_why(
    tab: Tab, app: Flask, make_user: Callable[..., factories.UserInfo], tmp_path
) -> None:
    """A text file named .mp4 passes Uppy's checks, then fails the server's probe."""
    fake = tmp_path / "notes.mp4"
    fake.write_text("These are my lecture notes, not a video.\n" * 50)
    _open_upload_page(tab, make_user("instructor"))
    _choose(tab, fake)
    tab.page.locator(UPLOAD_BUTTON).click()

    expect(tab.page.locator("#upload-status")).to_contain_text("not a video", timeout=WAIT_MS)
    session = _only_session(app)
    assert session.state == UploadState.REJECTED
    with app.app_context():
        assert not get_storage().exists(session.key)
        assert db.session.scalars(select(Video)).first() is None


def test_with_s3_the_browser_sends_the_bytes_to_the_store(
    browser: Browser,
    s3_site: tuple[Flask, str],
    s3_server: S3Server,
    make_user: Callable[..., factories.UserInfo],
    sample_clip: Path,
    tmp_path,
) -> None:
    """Presigned part URLs: the PUT goes to SeaweedFS, never to the app."""
    s3_app, base_url = s3_site
    source = tmp_path / "Straight to the store.mp4"
    source.write_bytes(sample_clip.read_bytes())
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    try:
        tab = Tab(context.new_page())
        tab.page.on("pageerror", tab.record_page_error)
        puts: list[str] = []
        tab.page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
        _open_upload_page(tab, make_user("instructor"))
        _choose(tab, source)
        tab.page.locator(UPLOAD_BUTTON).click()
        expect(tab.page.locator("#upload-status")).to_contain_text("is uploaded", timeout=WAIT_MS)
        assert len(puts) == 1
        assert puts[0].startswith(s3_server.endpoint_url + "/")
        session = _only_session(s3_app)
        assert session.state == UploadState.COMPLETED
        with s3_app.app_context():
            assert get_storage().get_bytes(session.key) == source.read_bytes()
        tab.assert_clean()
    finally:
        context.close()
