"""Engagement end to end through the real worker and SMTP server (issue 21): an answer
reaches the asker by e-mail with a link to the moment; a new question reaches the
instructor in the hourly digest, not one e-mail per question."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import factories
from tests.support.auth import Auth
from tests.support.questions import QuestionsApi
from tests.support.smtp import Mailbox, links, text_of
from webapp.notifications import digest

pytestmark = pytest.mark.worker


def test_an_answer_is_emailed_to_the_asker_and_questions_reach_the_instructor_in_a_digest(
    app: Flask, client: FlaskClient, auth: Auth, make_user, mailbox: Mailbox
) -> None:
    instructor, learner = make_user("instructor"), make_user("learner")
    video_id = factories.listed_video(app, instructor.id, "Regression basics")
    api = QuestionsApi(app, client)
    first = api.ask(learner, video_id, 42, "Why is the slope **negative**?")
    api.ask(learner, video_id, 50, "And the intercept?")
    assert api.answer(instructor, first, "Because the line falls.").status_code == 201

    answered = mailbox.wait_for(learner.email)
    # (A non-ASCII subject is folded onto its own line, which the parser reads as a space.)
    assert answered["Subject"].strip() == "Your question on “Regression basics” has an answer"
    base = app.config["PUBLIC_BASE_URL"]
    opened = [link for link in links(answered) if link.startswith(f"{base}/notifications/")]
    assert opened, text_of(answered)
    auth.login(learner.email)
    moment = client.get(opened[0].removeprefix(base)).headers["Location"]
    assert moment.startswith(f"/videos/{video_id}?t=42")
    auth.logout()

    with app.app_context():
        digest.send_due()
    summary = mailbox.wait_for(instructor.email)
    assert summary["Subject"] == "2 new notifications on Learnstream"
    assert len(mailbox.messages(instructor.email)) == 1
