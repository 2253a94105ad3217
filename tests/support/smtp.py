"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

One per pytest process, started before the app and the Celery worker: ``instance_dir``
puts its address in ``MAIL_URL``, so every message the app sends (through the worker, as
in production) arrives here. Tests wait for a message to an address and follow its links.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.ports import free_port
from tests.support.waiting import wait_until

LINK = re.compile(r"https?://[^\s<>\"')]+")


class Mailbox:
    """What the server received, in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """aiosmtpd's hook: keep the message."""
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self._messages.append(parsed)
        return "250 Message accepted for delivery"

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Every message so far, or those addressed to ``to``."""
        with self._lock:
            found = list(self._messages)
        if to is None:
            return found
        return [m for m in found if to.lower() in str(m["To"]).lower()]

    def wait_for(self, to: str, count: int = 1, timeout: float = 60.0) -> EmailMessage:
        """The ``count``-th message to ``to`` once it has arrived (fails after ``timeout``)."""
        wait_until(
            lambda: len(self.messages(to)) >= count,
            timeout,
            lambda: (
                f"no message #{count} to {to}; received: "
                + ", ".join(f"{m['To']}: {m['Subject']}" for m in self.messages())
            ),
        )
        return self.messages(to)[count - 1]


def text_of(message: EmailMessage) -> str:
    """The plain-text part."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    """The HTML part."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return part.get_content()


def links(message: EmailMessage) -> list[str]:
    """The distinct links of the plain-text part, in order."""
    seen: dict[str, None] = {}
    for url in LINK.findall(text_of(message)):
        seen.setdefault(url.rstrip(".,;"), None)
    return list(seen)


class SmtpServer:
    """The running server and its mailbox."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """``MAIL_URL`` for the app."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (returns once it accepts connections)."""
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """This process's SMTP server."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer, celery_worker: Any) -> Mailbox:
    """The mailbox, with the worker that delivers running."""
    return smtp_server.mailbox
