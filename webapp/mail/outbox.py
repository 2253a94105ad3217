"""The default mail backend: each message becomes one ``.eml`` file in the instance's
outbox folder (written to a temporary name, then renamed, so a reader never sees half a
message). The admin's Outbox page lists them; ``make run`` needs no mail server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend

SUFFIX = ".eml"


def outbox_dir() -> Path:
    """Where the current app's outbox lives."""
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


class EmailBackend(BaseEmailBackend):
    """Flask-Mailman backend writing one file per message."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        """Write every message; the number written."""
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            final = folder / f"{stamp}-{uuid.uuid4().hex[:12]}{SUFFIX}"
            partial = final.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, final)
        return len(email_messages)


def message_ids(folder: Path) -> list[str]:
    """The outbox's messages, newest first (file stems: they sort by time)."""
    if not folder.is_dir():
        return []
    return sorted((p.stem for p in folder.glob(f"*{SUFFIX}")), reverse=True)


def read_message(folder: Path, message_id: str) -> ParsedMessage | None:
    """One message of the outbox, parsed; None for an unknown or malformed id."""
    if not message_id or "/" in message_id or "\\" in message_id or message_id.startswith("."):
        return None
    path = folder / f"{message_id}{SUFFIX}"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, ParsedMessage)
    return parsed
