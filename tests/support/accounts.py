"""Helpers of the accounts tests: post forms the way a browser does, set the sign-up
policy, make a cohort, and follow the link of a message the SMTP server received."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.auth import CSRF_META
from tests.support.smtp import Mailbox, links
from webapp.accounts import services
from webapp.cohorts.services import add_member
from webapp.extensions import db
from webapp.models import Cohort, Program, User

_programs = itertools.count(1)


def address(label: str = "someone") -> str:
    """A fresh address (the mailbox keeps every message of the run)."""
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def csrf_of(client: FlaskClient, page: str) -> str:
    """The CSRF token of a page (its meta tag), fetched with ``client``."""
    html = client.get(page).get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, f"no csrf meta on {page}"
    return match.group(1)


def post_form(
    client: FlaskClient, page: str, data: dict[str, Any], *, action: str | None = None
) -> TestResponse:
    """POST ``data`` (plus the page's CSRF token) to ``action`` (default: the page)."""
    token = csrf_of(client, page)
    return client.post(
        action or page, data={**data, "csrf_token": token}, content_type="multipart/form-data"
    )


def set_policy(app: Flask, policy: str, domains: str = "") -> None:
    """Store a sign-up policy through the service."""
    with app.app_context():
        services.set_signup_policy(policy, domains)
        db.session.commit()


@dataclass(frozen=True)
class CohortInfo:
    """A program and one cohort of it."""

    program_id: int
    program_slug: str
    cohort_id: int


def make_cohort(app: Flask, instructor_id: int | None = None) -> CohortInfo:
    """A program with one cohort; ``instructor_id`` teaches it."""
    with app.app_context():
        slug = f"program-{next(_programs)}-{uuid.uuid4().hex[:6]}"
        program = Program(title=f"Program {slug}", slug=slug, self_enrol=False)
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name=f"Cohort {slug}", starts_on=date(2026, 1, 5))
        db.session.add(cohort)
        db.session.flush()
        if instructor_id is not None:
            add_member(cohort, db.session.get(User, instructor_id), "instructor")
        db.session.commit()
        return CohortInfo(program.id, slug, cohort.id)


def link_path(mailbox: Mailbox, to: str, count: int = 1) -> str:
    """The path of the one link of the ``count``-th message to ``to``."""
    message = mailbox.wait_for(to, count)
    found = links(message)
    assert len(found) == 1, found
    parts = urlsplit(found[0])
    return parts.path


def flashes(response: TestResponse) -> str:
    """The page's text with tags removed (for message checks)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def multipart(fields: dict[str, Any]) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory: text fields, and files as ``(bytes,
    filename)``. (The test client spools a big body to a temporary file it never closes.)"""
    boundary = f"----learnstream{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if isinstance(value, tuple):
            content, filename = value
            head += f'; filename="{filename}"\r\nContent-Type: text/csv'
            parts.append(head.encode() + b"\r\n\r\n" + content + b"\r\n")
        else:
            parts.append(head.encode() + b"\r\n\r\n" + str(value).encode() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
