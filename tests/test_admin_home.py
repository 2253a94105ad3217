"""The admin home: its figures over a known world, retrying a failed job (a real worker
then runs it), the outbox pages, and the menu each role sees."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_mailman import EmailMessage

import config
from tests.support import factories
from tests.support.auth import Auth
from tests.support.jobs import FIVE_MIN, queued_job
from tests.support.transcode import wait_for_job
from webapp import create_app
from webapp.admin import services
from webapp.extensions import db
from webapp.jobs import lifecycle
from webapp.jobs.clip_export import CLIP_EXPORT
from webapp.jobs.transcode import TRANSCODE, create_job
from webapp.mail.outbox import EmailBackend, message_ids
from webapp.mail.send import Message, deliver_now
from webapp.models import (
    Clip,
    ClipExport,
    Invitation,
    JobState,
    TranscodeJob,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.base import utcnow

HOUR = 3600.0


def _sign_in_admin(client: FlaskClient, app: Flask) -> Auth:
    admin = factories.create_user(app, "admin")
    auth = Auth(client)
    assert auth.login(admin.email).status_code == 302
    return auth


def _video(owner_id: int, title: str, state: VideoState, **values: object) -> Video:
    video = Video(title=title, owner_id=owner_id, state=state, **values)
    db.session.add(video)
    db.session.flush()
    return video


def _failed_job(owner_id: int, title: str, reason: str) -> int:
    """Inside an app context: an UPLOADED video whose transcode job failed (commits)."""
    job = create_job(_video(owner_id, title, VideoState.UPLOADED))
    lifecycle.fail(TRANSCODE, job.id, reason)
    db.session.commit()
    return job.id


def _progress(user_id: int, video_id: int, age: timedelta) -> None:
    db.session.add(WatchProgress(user_id=user_id, video_id=video_id, updated_at=utcnow() - age))


def _invitation(email: str, **values: object) -> None:
    values.setdefault("expires_at", utcnow() + timedelta(days=7))
    db.session.add(Invitation(email=email, token_hash=secrets.token_hex(32), **values))


def _disk_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- figures


def test_the_figures_are_right_for_a_known_world(app: Flask, client: FlaskClient) -> None:
    teacher = factories.create_user(app, "instructor")
    learners = [factories.create_user(app) for _ in range(4)]
    one, two = (
        factories.listed_video(app, teacher.id, "Hour and a half", 1.5 * HOUR),
        factories.listed_video(app, teacher.id, "Half an hour", 0.5 * HOUR),
    )
    now = utcnow()
    with app.app_context():
        _video(teacher.id, "Draft", VideoState.UPLOADED, source_key="s/a.mp4", source_size=1000)
        _video(teacher.id, "Sourced", VideoState.READY, source_key="s/b.mp4", source_size=500)
        clip = Clip(video_id=one, title="Bit", start=0, end=1, created_by=teacher.id)
        db.session.add(clip)
        db.session.flush()
        db.session.add(
            ClipExport(clip_id=clip.id, state="ready", output_key="e.mp4", size_bytes=70)
        )
        # Active this week: learners 0 (twice) and 1; learner 2 only 8 days ago; learner 3
        # never; the instructor's own watching is not a learner's.
        _progress(learners[0].id, one, timedelta(hours=1))
        _progress(learners[0].id, two, timedelta(days=6))
        _progress(learners[1].id, two, timedelta(minutes=5))
        _progress(learners[2].id, one, timedelta(days=8))
        _progress(teacher.id, one, timedelta(minutes=1))
        _invitation("pending@example.com")
        _invitation("accepted@example.com", accepted_at=now)
        _invitation("revoked@example.com", revoked_at=now)
        _invitation("expired@example.com", expires_at=now - timedelta(minutes=1))
        db.session.commit()
        failed = _failed_job(teacher.id, "Broken <b>upload</b>", "ffmpeg said <i>no</i>")
        running = create_job(_video(teacher.id, "Encoding", VideoState.UPLOADED))
        db.session.commit()
        lifecycle.claim(TRANSCODE, running.id, FIVE_MIN)
        running_id = running.id
        # An older failure of a video whose newer job is queued needs nobody's attention.
        replaced = _failed_job(teacher.id, "Replaced", "old failure")
        create_job(db.session.get(TranscodeJob, replaced).video)
        db.session.commit()

    _sign_in_admin(client, app)
    overview = client.get("/api/v1/admin/overview").get_json()
    assert overview["active_learners"] == 2
    assert overview["ready_videos"] == 3  # the two listed ones and "Sourced" (no duration)
    assert overview["ready_hours"] == 2.0
    storage = overview["storage"]
    assert (storage["sources_bytes"], storage["exports_bytes"]) == (1500, 70)
    assert storage["recorded_bytes"] == 1570
    if app.config["STORAGE_BACKEND"] == "local":
        assert storage["media_folder_bytes"] == _disk_bytes(Path(app.config["MEDIA_ROOT"]))
    else:
        assert storage["media_folder_bytes"] is None
    assert [(j["kind"], j["id"]) for j in overview["failed_jobs"]] == [("transcode", failed)]
    assert overview["failed_jobs"][0]["error"] == "ffmpeg said <i>no</i>"
    assert overview["failed_jobs"][0]["at"] is not None
    assert [j["id"] for j in overview["running_jobs"]] == [running_id]
    assert overview["pending_invitations"] == 1
    newest = overview["recent_signups"][0]
    assert newest["email"].startswith("admin")  # the admin signed up last

    page = client.get("/admin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'id="active-learners">2<', html)
    assert re.search(r'id="ready-videos">3<', html)
    assert re.search(r'id="ready-hours">2.0<', html)
    assert re.search(r'id="pending-invitations">1<', html)
    # The reason and the title are shown as text, never as markup.
    assert "ffmpeg said &lt;i&gt;no&lt;/i&gt;" in html and "<i>no</i>" not in html
    assert "Broken &lt;b&gt;upload&lt;/b&gt;" in html
    assert f"/admin/jobs/transcode/{failed}/retry" in html
    assert f"/admin/jobs/transcode/{replaced}/retry" not in html
    assert "Encoding" in html


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_only_admins_get_in(app: Flask, client: FlaskClient, role: str) -> None:
    teacher = factories.create_user(app, "instructor")
    with app.app_context():
        job_id = _failed_job(teacher.id, "Broken", "bad input")
    user = factories.create_user(app, role)
    auth = Auth(client)
    auth.login(user.email)
    for url in ("/admin", "/admin/outbox", "/admin/outbox/anything"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/admin/overview").status_code == 403
    retry = client.post(
        f"/admin/jobs/transcode/{job_id}/retry", data={"csrf_token": auth.csrf("/")}
    )
    assert retry.status_code == 403
    with app.app_context():
        assert db.session.get(TranscodeJob, job_id).state == JobState.FAILED


# --------------------------------------------------------------------------- retry


def test_retry_moves_a_failed_job_back_to_queued_through_the_lifecycle(app: Flask) -> None:
    teacher = factories.create_user(app, "instructor")
    with app.app_context():
        job_id = _failed_job(teacher.id, "Broken", "bad input")
        job = db.session.get(TranscodeJob, job_id)
        assert (job.state, job.video.state) == (JobState.FAILED, VideoState.FAILED)
        services.retry_job("transcode", job_id)
        assert (job.state, job.video.state) == (JobState.QUEUED, VideoState.UPLOADED)
        assert job.error == "Retried by an admin." and job.finished_at is None
        db.session.rollback()  # nothing was sent: leave it failed


def test_a_video_serving_an_older_ladder_stays_ready_when_its_failed_job_is_retried(
    app: Flask,
) -> None:
    teacher = factories.create_user(app, "instructor")
    video_id = factories.listed_video(app, teacher.id, "Published")
    with app.app_context():
        video = db.session.get(Video, video_id)
        job = create_job(video)
        lifecycle.claim(TRANSCODE, job.id, FIVE_MIN)  # a re-transcode: READY → PROCESSING
        lifecycle.fail(TRANSCODE, job.id, "bad input", job.attempts)
        assert video.state == VideoState.READY  # the old ladder is kept on failure
        services.retry_job("transcode", job.id)
        assert (job.state, video.state) == (JobState.QUEUED, VideoState.READY)
        db.session.rollback()


def test_retry_refuses_jobs_that_are_not_failed_or_were_replaced(
    app: Flask, client: FlaskClient
) -> None:
    teacher = factories.create_user(app, "instructor")
    with app.app_context():
        queued = create_job(_video(teacher.id, "Waiting", VideoState.UPLOADED)).id
        db.session.commit()
        replaced = _failed_job(teacher.id, "Replaced", "old failure")
        create_job(db.session.get(TranscodeJob, replaced).video)
        db.session.commit()
    auth = _sign_in_admin(client, app)
    token = auth.csrf("/admin")
    not_failed = client.post(
        f"/admin/jobs/transcode/{queued}/retry", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Only a failed job can be retried" in not_failed.get_data(as_text=True)
    old = client.post(
        f"/admin/jobs/transcode/{replaced}/retry", data={"csrf_token": token}, follow_redirects=True
    )
    assert "A newer job has replaced this one" in old.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TranscodeJob, replaced).state == JobState.FAILED
        assert db.session.get(TranscodeJob, queued).attempts == 0
    for url in ("/admin/jobs/nosuchkind/1/retry", "/admin/jobs/transcode/999999/retry"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert client.post(f"/admin/jobs/transcode/{replaced}/retry").status_code == 400  # CSRF


def test_a_retried_job_is_run_by_the_worker(
    app: Flask, client: FlaskClient, celery_worker, sample_clip: Path
) -> None:
    teacher = factories.create_user(app, "instructor")
    video_id, job_id = queued_job(app, teacher.id, sample_clip, "Second chance")
    with app.app_context():
        lifecycle.claim(TRANSCODE, job_id, FIVE_MIN)
        lifecycle.fail(TRANSCODE, job_id, "the disk was full", 1)
        db.session.commit()
    auth = _sign_in_admin(client, app)
    home = client.get("/admin").get_data(as_text=True)
    assert "the disk was full" in home
    response = client.post(
        f"/admin/jobs/transcode/{job_id}/retry", data={"csrf_token": auth.csrf("/admin")}
    )
    assert response.status_code == 302 and response.location.endswith("/admin")
    job = wait_for_job(app, job_id)
    assert job.state == JobState.READY, job.error
    assert job.attempts == 2  # the fencing token kept counting
    with app.app_context():
        assert db.session.get(Video, video_id).state == VideoState.READY
    assert f"/admin/jobs/transcode/{job_id}/retry" not in client.get("/admin").get_data(
        as_text=True
    )


def test_a_failed_clip_export_is_listed_and_retried_through_the_same_lifecycle(
    app: Flask, client: FlaskClient
) -> None:
    teacher = factories.create_user(app, "instructor")
    video_id = factories.listed_video(app, teacher.id, "Source")
    with app.app_context():
        clip = Clip(video_id=video_id, title="Excerpt", start=0, end=1, created_by=teacher.id)
        db.session.add(clip)
        db.session.flush()
        export = ClipExport(clip_id=clip.id, state=JobState.QUEUED)
        db.session.add(export)
        db.session.flush()
        lifecycle.fail(CLIP_EXPORT, export.id, "cut failed")
        db.session.commit()
        export_id = export.id
    _sign_in_admin(client, app)
    overview = client.get("/api/v1/admin/overview").get_json()
    assert [(j["kind"], j["id"], j["subject"]) for j in overview["failed_jobs"]] == [
        ("clip_export", export_id, "Excerpt")
    ]
    with app.app_context():
        services.retry_job("clip_export", export_id)
        assert db.session.get(ClipExport, export_id).state == JobState.QUEUED
        db.session.rollback()


# --------------------------------------------------------------------------- outbox


@pytest.fixture
def outbox_app(app: Flask, tmp_path: Path) -> Flask:
    """The app as ``make run`` has it: no ``MAIL_URL``, messages go to the outbox."""
    return create_app({"TESTING": True, **config.mail_settings({}, tmp_path)})


def test_the_outbox_lists_and_shows_the_messages_the_backend_wrote(
    app: Flask, outbox_app: Flask, tmp_path: Path
) -> None:
    with outbox_app.test_request_context():
        deliver_now(
            Message(
                to="first@example.com",
                subject="Plain one",
                text="Open https://learn.example/invitations/abc. Thanks",
                html="<p>Open <a href='https://learn.example/x'>it</a></p><script>bad()</script>",
            )
        )
        deliver_now(
            Message(
                to="second@example.com",
                subject="<script>alert(1)</script> offer",
                text="no links",
                html="<b>bold</b>",
            )
        )
    ids = message_ids(tmp_path / "outbox")
    assert len(ids) == 2
    client = outbox_app.test_client()
    _sign_in_admin(client, app)

    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "first@example.com" in listing and "second@example.com" in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt; offer" in listing
    assert "<script>alert" not in listing
    assert listing.index("second@example.com") < listing.index("first@example.com")  # newest first
    assert "MAIL_URL" in listing and "SMTP server" not in listing
    date = r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\w{3} \d\d \w{3} \d{4}, \d\d:\d\d UTC</time>'
    assert len(re.findall(date, listing)) == 2  # in the admin's zone (UTC: none chosen)

    shown = client.get(f"/admin/outbox/{ids[1]}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "<dd><bdi>first@example.com</bdi></dd>" in html
    link = '<a href="https://learn.example/invitations/abc" rel="noopener noreferrer"'
    assert link in html  # clickable, the full stop left out of the link
    # The HTML part only inside a sandbox with no permission, from its own strict policy.
    frame = re.search(r'<iframe [^>]*sandbox="" src="([^"]*)"', html)
    assert frame is not None and "<script>bad()" not in html
    part = client.get(frame.group(1))
    assert part.status_code == 200 and part.mimetype == "text/html"
    assert "<script>bad()</script>" in part.get_data(as_text=True)  # shown as sent, inert:
    policy = part.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy.split("; ")
    assert "script-src" not in policy and "frame-ancestors 'self'" in policy
    assert part.headers["X-Frame-Options"] == "SAMEORIGIN"
    # The page itself keeps the app's policy.
    assert "script-src 'self'" in shown.headers["Content-Security-Policy"]

    other = client.get(f"/admin/outbox/{ids[0]}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; offer" in other and "<script>alert" not in other


@pytest.mark.parametrize(
    "message_id",
    ["..", "..%2Fsecret", "..%2F..%2Fetc%2Fpasswd", "a%2Fb", "..%5Coutbox", ".hidden", "nope"],
)
def test_a_message_id_that_is_not_in_the_outbox_is_404(
    app: Flask, outbox_app: Flask, tmp_path: Path, message_id: str
) -> None:
    (tmp_path / "secret.eml").write_text("Subject: outside\n\nnot in the outbox\n")
    (tmp_path / "outbox").mkdir()
    client = outbox_app.test_client()
    _sign_in_admin(client, app)
    urls = (
        f"/admin/outbox/{message_id}",
        f"/admin/outbox/../{message_id}",
        f"/admin/outbox/{message_id}/html",
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "not in the outbox" not in response.get_data(as_text=True)


def test_with_mail_url_the_outbox_names_the_server_never_the_password(
    app: Flask, tmp_path: Path
) -> None:
    url = "smtp://mailer:s3cret-pass@mail.example.org:2525"
    smtp_app = create_app({"TESTING": True, **config.mail_settings({"MAIL_URL": url}, tmp_path)})
    client = smtp_app.test_client()
    _sign_in_admin(client, app)
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "<strong>mail.example.org</strong>" in html
    assert "s3cret" not in html and "mailer" not in html
    assert "The outbox is empty" in html


# --------------------------------------------------------------------------- menu


def _nav(html: str, label: str) -> str | None:
    found = re.search(rf'<nav aria-label="{label}"[^>]*>(.*?)</nav>', html, re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("role", ["learner", "instructor", "admin"])
def test_the_menu_shows_programs_and_masterclasses_to_all_and_admin_links_to_admins(
    app: Flask, client: FlaskClient, role: str
) -> None:
    user = factories.create_user(app, role)
    Auth(client).login(user.email)
    html = client.get("/programs").get_data(as_text=True)
    main = _nav(html, "Main")
    assert main is not None
    assert '<a href="/programs" aria-current="page">Programs</a>' in main
    assert ">Masterclasses</a>" in main and ">Library</a>" in main
    admin = _nav(html, "Admin")
    if role != "admin":
        assert admin is None and "/admin" not in html
        return
    assert admin is not None
    assert '<a href="/admin">Admin home</a>' in admin
    assert '<a href="/admin/outbox">Outbox</a>' in admin
    # Links to back-office pages that are not registered in this app render nothing.
    with app.app_context():
        endpoints = set(app.view_functions)
    for endpoint, label in [("people.users", "Users"), ("videos.index", "Videos")]:
        assert (f">{label}</a>" in admin) == (endpoint in endpoints)
    home = _nav(client.get("/admin").get_data(as_text=True), "Admin")
    assert home is not None and '<a href="/admin" aria-current="page">Admin home</a>' in home


def test_a_message_without_html_shows_its_text_only(
    app: Flask, outbox_app: Flask, tmp_path: Path
) -> None:
    with outbox_app.test_request_context():
        EmailBackend().send_messages([EmailMessage("Text only", "Just text", "a@b.c", ["d@e.f"])])
    (message_id,) = message_ids(tmp_path / "outbox")
    client = outbox_app.test_client()
    _sign_in_admin(client, app)
    html = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "Just text" in html and "<iframe" not in html
    assert client.get(f"/admin/outbox/{message_id}/html").status_code == 404
