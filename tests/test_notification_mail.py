"""Notification e-mails through the real worker and SMTP server: one right after the
commit (never after a rollback, once however often its task runs), the digest (at most
one an hour per user, even for concurrent runs), and each user's choice; no e-mail to
deactivated users; absolute links that open and mark the notification."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support.auth import Auth
from tests.support.notifications import make, state
from tests.support.smtp import Mailbox, html_of, links, text_of
from tests.support.waiting import wait_until
from webapp.extensions import db
from webapp.models import Delivery, EmailChoice, Notification, User
from webapp.models.base import utcnow
from webapp.notifications import digest
from webapp.notifications.events import EMAIL_TASK
from webapp.notifications.mailing import requeue_stale
from webapp.notifications.services import notify, set_email_choice

pytestmark = pytest.mark.worker


def _sentinel(app: Flask, make_user, mailbox: Mailbox) -> None:
    """A NOW e-mail to a bystander, sent after whatever the test queued before, has
    arrived: the worker has dealt with everything queued earlier."""
    bystander = make_user("learner")
    make(app, bystander.id, "Sentinel", email=Delivery.NOW)
    mailbox.wait_for(bystander.email)


def _choose(app: Flask, user_id: int, choice: EmailChoice) -> None:
    with app.app_context():
        set_email_choice(user_id, choice)
        db.session.commit()


def _run_digests(app: Flask) -> list[int]:
    with app.app_context():
        return digest.send_due()


def test_now_email_goes_once_after_the_commit_with_absolute_links(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    learner = make_user("learner")
    notification = make(
        app, learner.id, "Ada answered your question", url="/videos/3?t=42", email=Delivery.NOW
    )
    message = mailbox.wait_for(learner.email)
    assert message["Subject"] == "Ada answered your question"
    assert "Ada answered your question" in text_of(message)
    base = app.config["PUBLIC_BASE_URL"]
    assert f"{base}/notifications/{notification}" in links(message)
    assert f"{base}/notifications/settings" in links(message)
    wait_until(lambda: state(app, notification)[1] is not None, 30, "not marked e-mailed")
    # The queue may deliver a task twice: the second finds it e-mailed.
    app.extensions["celery"].send_task(EMAIL_TASK, args=[notification])
    _sentinel(app, make_user, mailbox)
    assert len(mailbox.messages(learner.email)) == 1
    # The link opens the page once signed in, and marks the notification read.
    auth.login(learner.email)
    opened = client.get(links(message)[0].removeprefix(base))
    assert opened.headers["Location"] == "/videos/3?t=42"
    assert state(app, notification)[0] is not None


def test_no_email_when_the_transaction_rolls_back(app: Flask, make_user, mailbox: Mailbox) -> None:
    learner = make_user("learner")
    with app.app_context():
        notify(learner.id, "test.event", "Rolled back", "/", email=Delivery.NOW)
        db.session.rollback()
    with app.app_context():
        db.session.commit()  # a later commit of the same session sends nothing either
    _sentinel(app, make_user, mailbox)
    assert mailbox.messages(learner.email) == []


def test_a_savepoints_rollback_keeps_the_others_email(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    learner = make_user("learner")
    with app.app_context():
        notify(learner.id, "test.event", "Kept", "/", email=Delivery.NOW)
        savepoint = db.session.begin_nested()
        notify(learner.id, "test.event", "Undone", "/", email=Delivery.NOW)
        savepoint.rollback()
        db.session.commit()
    assert mailbox.wait_for(learner.email)["Subject"] == "Kept"
    _sentinel(app, make_user, mailbox)
    assert [m["Subject"] for m in mailbox.messages(learner.email)] == ["Kept"]


def test_a_lost_task_is_queued_again_after_ten_minutes(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    learner, digest_only = make_user("learner"), make_user("learner")
    _choose(app, digest_only.id, EmailChoice.DIGEST)
    with app.app_context():
        # Rows as a commit leaves them when the queue was unreachable: no task.
        now = utcnow()
        for user_id, title, age in [
            (learner.id, "Lost in the queue", 11),
            (learner.id, "Just made", 1),
            (digest_only.id, "For the digest", 30),
        ]:
            db.session.add(
                Notification(
                    user_id=user_id,
                    kind="test.event",
                    title=title,
                    url="/",
                    delivery=Delivery.NOW,
                    created_at=now - timedelta(minutes=age),
                )
            )
        db.session.commit()
        assert requeue_stale(now) == 1
    assert mailbox.wait_for(learner.email)["Subject"] == "Lost in the queue"
    _sentinel(app, make_user, mailbox)
    assert len(mailbox.messages(learner.email)) == 1
    assert mailbox.messages(digest_only.email) == []


def test_digest_gathers_and_goes_at_most_once_an_hour(
    app: Flask, make_user, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    instructor = make_user("instructor")
    first = make(app, instructor.id, "New question: what is SEO?", email=Delivery.DIGEST)
    second = make(app, instructor.id, "New question: why <script>HLS?", email=Delivery.DIGEST)
    assert _run_digests(app) == [instructor.id]
    message = mailbox.wait_for(instructor.email)
    body = text_of(message)
    assert message["Subject"] == "2 new notifications on Learnstream"
    assert body.index("why <script>HLS?") < body.index("what is SEO?")  # newest first
    assert "why &lt;script&gt;HLS?" in html_of(message) and "<script>" not in html_of(message)
    base = app.config["PUBLIC_BASE_URL"]
    assert {f"{base}/notifications/{first}", f"{base}/notifications/{second}"} <= set(
        links(message)
    )
    assert state(app, first)[1] is not None and state(app, second)[1] is not None
    assert _run_digests(app) == []  # nothing new
    clock.shift(timedelta(minutes=10))
    third = make(app, instructor.id, "New question: which codec?", email=Delivery.DIGEST)
    assert _run_digests(app) == []
    clock.shift(timedelta(minutes=49))
    assert _run_digests(app) == []  # 59 minutes after the first digest
    assert state(app, third)[1] is None
    clock.shift(timedelta(minutes=1, seconds=1))
    assert _run_digests(app) == [instructor.id]
    later = mailbox.wait_for(instructor.email, count=2)
    assert later["Subject"] == "1 new notification on Learnstream"
    assert "which codec?" in text_of(later) and "HLS?" not in text_of(later)
    _sentinel(app, make_user, mailbox)
    assert len(mailbox.messages(instructor.email)) == 2


def test_concurrent_digest_runs_send_once(app: Flask, make_user, mailbox: Mailbox) -> None:
    instructor = make_user("instructor")
    for n in range(2):
        make(app, instructor.id, f"Question {n}", email=Delivery.DIGEST)
    start = threading.Barrier(2)
    sent: list[list[int]] = []

    def run() -> None:
        start.wait()
        sent.append(_run_digests(app))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [[], [instructor.id]]
    mailbox.wait_for(instructor.email)
    _sentinel(app, make_user, mailbox)
    assert len(mailbox.messages(instructor.email)) == 1


def test_email_off_sends_nothing_and_settles(app: Flask, make_user, mailbox: Mailbox) -> None:
    learner = make_user("learner")
    _choose(app, learner.id, EmailChoice.OFF)
    now = make(app, learner.id, "Answered", email=Delivery.NOW)
    later = make(app, learner.id, "New question", email=Delivery.DIGEST)
    wait_until(lambda: state(app, now)[1] is not None, 30, "NOW e-mail not settled")
    assert _run_digests(app) == []
    assert state(app, later)[1] is not None  # settled: it never arrives later
    _sentinel(app, make_user, mailbox)
    assert mailbox.messages(learner.email) == []


def test_digest_only_takes_now_notifications_into_the_digest(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    learner = make_user("learner")
    _choose(app, learner.id, EmailChoice.DIGEST)
    answered = make(app, learner.id, "Your question was answered", email=Delivery.NOW)
    _sentinel(app, make_user, mailbox)
    assert mailbox.messages(learner.email) == [] and state(app, answered)[1] is None
    make(app, learner.id, "Bell only", email=Delivery.NONE)
    assert _run_digests(app) == [learner.id]
    message = mailbox.wait_for(learner.email)
    assert "Your question was answered" in text_of(message)
    assert "Bell only" not in text_of(message)


def test_deactivated_users_get_no_email(app: Flask, make_user, mailbox: Mailbox) -> None:
    learner = make_user("learner")
    with app.app_context():
        user = db.session.get(User, learner.id)
        assert user is not None
        user.active = False
        db.session.commit()
    now = make(app, learner.id, "Answered", email=Delivery.NOW)
    make(app, learner.id, "New question", email=Delivery.DIGEST)
    wait_until(lambda: state(app, now)[1] is not None, 30, "NOW e-mail not settled")
    assert _run_digests(app) == []
    _sentinel(app, make_user, mailbox)
    assert mailbox.messages(learner.email) == []
