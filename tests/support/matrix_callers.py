"""One signed-in client per role of the matrix world, and the module-scoped world itself.

Test modules that use the world define three small fixtures on top of these helpers (see
``tests/test_route_matrix.py``): ``world`` (built once, wiped at the module's end),
``callers``, and an autouse ``_clean_tables`` that replaces conftest's per-test wipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.auth import Auth
from tests.support.matrix_world import ROLES, World, build_world, wipe
from transcoder.pipeline import TranscodeResult


@dataclass(frozen=True)
class Caller:
    """A role's own client (signed in once), its CSRF token and its bearer token."""

    client: FlaskClient
    csrf: str
    token: str | None

    def api(self, method: str, url: str, **kwargs) -> TestResponse:
        """An API call with the bearer token (none for the anonymous caller)."""
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open(url, method=method, headers=headers, buffered=True, **kwargs)

    def form(self, url: str, data: dict) -> TestResponse:
        """A page form POST with the session cookie and the CSRF token."""
        return self.client.post(url, data={**data, "csrf_token": self.csrf}, buffered=True)


def module_world(app: Flask, ladder: tuple[Path, TranscodeResult]) -> Iterator[World]:
    """The world on an empty database, wiped afterwards (for a module-scoped fixture)."""
    wipe(app)
    yield build_world(app, ladder)
    wipe(app)


def sign_in_all(app: Flask, world: World) -> dict[str, Caller]:
    """One client per role; every signed-in role signs in through the form."""
    found = {}
    for role in ROLES:
        client = app.test_client()
        auth = Auth(client)
        if role != "anonymous":
            assert auth.login(world.emails[role]).status_code == 302
        page = "/login" if role == "anonymous" else "/"
        found[role] = Caller(client, auth.csrf(page), world.tokens.get(role))
    return found


# Fixtures (a plugin of conftest) for a test module that shares one world: ``world`` is
# built once per module and wiped at its end, so such a module also overrides
# conftest's per-test ``_clean_tables`` with one that does nothing.


@pytest.fixture(scope="module")
def world(app: Flask, transcoded_sample) -> Iterator[World]:
    """The matrix world (tests/support/matrix_world.py), built once per module."""
    yield from module_world(app, transcoded_sample)


@pytest.fixture(scope="module")
def callers(app: Flask, world: World) -> dict[str, Caller]:
    """One signed-in client per role."""
    return sign_in_all(app, world)
