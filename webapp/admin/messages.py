"""The outbox as the admin's pages show it: parsed ``.eml`` files of the default mail
backend (``webapp.mail.outbox``), reduced to plain values a template renders inert."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.mail.outbox import message_ids, outbox_dir, read_message

LIST_LIMIT = 200
HEADERS = ("Date", "From", "To", "Cc", "Reply-To", "Subject")
# Links in the text part: http(s) only, up to the first space or angle bracket.
LINK = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}'"


@dataclass(frozen=True)
class Summary:
    """One line of the outbox list."""

    id: str
    date: datetime | None
    to: str
    subject: str


@dataclass(frozen=True)
class Shown:
    """One message: its headers, its text part, its HTML part (None when it has none)."""

    id: str
    headers: list[tuple[str, str]]
    text: str
    html: str | None


def mail_server() -> str | None:
    """The SMTP host mail goes to when ``MAIL_URL`` is set (never its credentials)."""
    url = current_app.config.get("MAIL_URL") or ""
    return urlsplit(url).hostname if url else None


def summaries(limit: int = LIST_LIMIT) -> tuple[list[Summary], int]:
    """The newest ``limit`` messages of the outbox, and how many it holds."""
    folder = outbox_dir()
    ids = message_ids(folder)
    found = []
    for message_id in ids[:limit]:
        message = read_message(folder, message_id)
        if message is not None:
            found.append(
                Summary(message_id, _date(message), str(message["To"] or ""), _subject(message))
            )
    return found, len(ids)


def show(message_id: str) -> Shown | None:
    """One message, or None for an unknown or unsafe id."""
    message = read_message(outbox_dir(), message_id)
    if message is None:
        return None
    headers = [(name, str(message[name])) for name in HEADERS if message[name] is not None]
    return Shown(message_id, headers, _part(message, "plain") or "", _part(message, "html"))


def linkify(text: str) -> Markup:
    """``text`` escaped, with its http(s) links made clickable (``rel=noopener``)."""
    out: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        start, end = match.start(), match.start() + len(url)
        out.append(escape(text[last:start]))
        safe = escape(url)
        out.append(f'<a href="{safe}" rel="noopener noreferrer" target="_blank">{safe}</a>')
        last = end
    out.append(escape(text[last:]))
    return Markup("".join(out))


def _subject(message: EmailMessage) -> str:
    return str(message["Subject"] or _("(no subject)"))


def _date(message: EmailMessage) -> datetime | None:
    raw = message["Date"]
    if raw is None:
        return None
    try:
        moment = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return None
    content = body.get_content()
    return content if isinstance(content, str) else None
