"""E-mail: rendered from templates (text + HTML), delivered by the Celery worker to a real
SMTP server on loopback; without ``MAIL_URL`` written to the instance outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

import config
from tests.support.smtp import Mailbox, html_of, text_of
from webapp import create_app
from webapp.mail import render, send
from webapp.mail.outbox import message_ids, read_message
from webapp.mail.send import deliver_now


def test_a_queued_message_arrives_at_the_smtp_server_with_text_and_html(
    app: Flask, mailbox: Mailbox
) -> None:
    with app.test_request_context():
        send("test", "someone@example.com", sender="Ada <b>Admin</b>")
    message = mailbox.wait_for("someone@example.com")
    assert message["Subject"] == "Learnstream test message"
    assert "sent by Ada <b>Admin</b>" in text_of(message)
    # Text typed by people is escaped in the HTML part.
    assert "Ada &lt;b&gt;Admin&lt;/b&gt;" in html_of(message)


def test_without_mail_url_messages_are_written_to_the_outbox(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, **config.mail_settings({}, tmp_path)})
    with app.test_request_context():
        deliver_now(render("test", "outbox@example.com"))
        deliver_now(render("test", "second@example.com"))
    folder = tmp_path / "outbox"
    ids = message_ids(folder)
    assert len(ids) == 2
    newest = read_message(folder, ids[0])
    assert newest is not None and newest["To"] == "second@example.com"
    assert read_message(folder, "../etc/passwd") is None
    assert read_message(folder, "nope") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 2525}),
        ("smtp://mail.example?starttls=1", {"MAIL_PORT": 25, "MAIL_USE_TLS": True}),
        (
            "smtps://user%40corp:s%3Acret@mail.example",
            {"MAIL_PORT": 465, "MAIL_USE_SSL": True, "MAIL_USERNAME": "user@corp"},
        ),
    ],
)
def test_mail_url_forms(url: str, expected: dict[str, object], tmp_path: Path) -> None:
    settings = config.mail_settings({"MAIL_URL": url}, tmp_path)
    assert settings["MAIL_BACKEND"] == "smtp"
    assert expected.items() <= settings.items()


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_a_mail_url_that_is_not_smtp_is_refused_at_start(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MAIL_URL"):
        config.mail_settings({"MAIL_URL": url}, tmp_path)
