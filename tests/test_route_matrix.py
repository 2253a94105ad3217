"""Every route, called as every role, answers as ``tests/support/route_matrix.py`` says.

The world (``tests/support/matrix_world.py``) is built once for the module and wiped at its end;
each role signs in once. Requests that delete or consume something act on a throw-away
object made for that case (``Entry.fresh``), so the cases do not depend on their order.
Pages are called with the session cookie (and the CSRF token for unsafe methods), the
API with each role's bearer token, the media routes with the session cookie.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.support import factories
from tests.support.auth import Auth
from tests.support.matrix_callers import Caller
from tests.support.matrix_world import ACCOUNT_ROLES, ROLES, World
from tests.support.route_matrix import PENDING, TABLE, Entry, Kind, Outcome, app_routes
from webapp.learning.manage_views import VENDOR_FILES as SORTABLE_FILES
from webapp.playback.views import VENDOR_FILES
from webapp.uploads.views import UPPY_FILES

S3_MODE = os.environ.get("LEARNSTREAM_TEST_STORAGE", "local").strip().lower() == "s3"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
NPM_FILES = {**VENDOR_FILES, **UPPY_FILES, **SORTABLE_FILES}


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Replaces conftest's per-test wipe: ``world`` (tests/support/matrix_callers.py) is built
    once for the module and wiped at its end."""
    yield


# --------------------------------------------------------------------------- completeness


def test_every_route_has_an_entry(app: Flask) -> None:
    """A new route fails here until it is in the table (or, for a while, in PENDING)."""
    covered = {entry.key for entry in TABLE}
    missing = sorted(
        f"{method} {endpoint} ({rule})"
        for (endpoint, method), rule in app_routes(app).items()
        if (endpoint, method) not in covered and endpoint not in PENDING
    )
    assert not missing, "routes missing from tests/support/route_matrix.py:\n" + "\n".join(missing)


def test_every_entry_names_a_real_route(app: Flask) -> None:
    routes = app_routes(app)
    unknown = sorted({entry.label for entry in TABLE if entry.key not in routes})
    assert not unknown, f"entries for routes that do not exist: {unknown}"
    both = sorted({entry.endpoint for entry in TABLE} & set(PENDING))
    assert not both, f"in the table and still pending: {both}"


def test_every_entry_is_reachable_by_someone() -> None:
    """An entry nobody may call would test nothing but refusals."""
    idle = [e.label for e in TABLE if all(e.policy.outcome(r) != Outcome.OK for r in ROLES)]
    assert not idle


# --------------------------------------------------------------------------- the matrix


def request(app: Flask, caller: Caller, entry: Entry, world: World) -> TestResponse:
    """Call ``entry``'s route the way its real callers do."""
    fresh = {}
    if entry.fresh is not None:
        with app.app_context():
            fresh = entry.fresh(world)
    url = app.url_map.bind("localhost").build(
        entry.endpoint, entry.values(world, fresh), method=entry.method
    )
    headers = {}
    if entry.kind == Kind.API and caller.token is not None:
        headers["Authorization"] = f"Bearer {caller.token}"
    kwargs: dict = {"method": entry.method, "headers": headers, "buffered": True}
    if entry.json is not None:
        kwargs["json"] = entry.json(world)
    elif entry.data is not None:
        kwargs["data"] = entry.data
        headers["Content-Type"] = "application/octet-stream"
    elif entry.method not in SAFE and entry.kind != Kind.API:
        form = entry.form(world) if entry.form is not None else {}
        kwargs["data"] = {**form, "csrf_token": caller.csrf}
    return caller.client.open(url, **kwargs)


def expected_statuses(app: Flask, entry: Entry, role: str) -> frozenset[int]:
    """The statuses ``role`` may get from ``entry`` under its policy."""
    outcome = entry.policy.outcome(role)
    if outcome == Outcome.OK:
        if entry.needs_npm and not _npm_installed(app, entry):
            return frozenset({404})
        return entry.ok_on_s3 if S3_MODE and entry.ok_on_s3 else entry.ok
    if outcome == Outcome.AUTH:
        return frozenset({302 if entry.kind == Kind.PAGE else 401})
    if outcome == Outcome.DENY:
        return frozenset({403})
    return frozenset({403 if entry.kind == Kind.MEDIA else 404})


def _npm_installed(app: Flask, entry: Entry) -> bool:
    name = entry.values(None, {})["name"]  # type: ignore[arg-type]
    return (Path(app.config["NODE_MODULES"]) / NPM_FILES[name]).is_file()


def _signs_in(response: TestResponse) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


CASES = [
    pytest.param(entry, role, id=f"{entry.label.replace(' ', ':')}-{role}")
    for entry in TABLE
    for role in ROLES
]


def own_caller(app: Flask, role: str) -> Caller:
    """A new account of ``role``'s kind, signed in on its own client."""
    user = factories.create_user(app, ACCOUNT_ROLES[role])
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(user.email).status_code == 302
    return Caller(client, auth.csrf("/"), None)


@pytest.mark.parametrize(("entry", "role"), CASES)
def test_route_matrix(
    app: Flask, world: World, callers: dict[str, Caller], entry: Entry, role: str
) -> None:
    caller = callers[role]
    if entry.own_account and role != "anonymous":
        caller = own_caller(app, role)
    response = request(app, caller, entry, world)
    expected = expected_statuses(app, entry, role)
    body = response.get_data()[:300].decode("utf-8", "replace")
    outcome = entry.policy.outcome(role)
    assert response.status_code in expected, (
        f"{entry.label} as {role}: {response.status_code}, expected {sorted(expected)} "
        f"({entry.policy.name}: {outcome}) {body}"
    )
    assert "CSRF check failed" not in body
    signed_out = entry.own_account and outcome == Outcome.OK  # sign-out lands on /login
    if response.status_code == 302 and not signed_out:
        assert _signs_in(response) == (outcome == Outcome.AUTH), response.location


# --------------------------------------------------------------------------- private data


def _email_and_name(world: World, role: str) -> tuple[str, str]:
    return world.emails[role], role.replace("_", " ").title()


@pytest.mark.parametrize("reader", ["learner_b", "instructor_b"])
def test_learner_a_appears_nowhere_an_outsider_may_read(
    app: Flask, world: World, callers: dict[str, Caller], reader: str
) -> None:
    """Every GET route ``reader`` may call, on every target: learner A's e-mail address
    and name are in none of the answers (the public verification of A's certificate
    shows A's name by design, and only the name: checked below)."""
    email, name = _email_and_name(world, "learner_a")
    verify = {"certificates.verify_code", "api.verify_certificate"}
    read = 0
    for entry in TABLE:
        if entry.method != "GET" or entry.policy.outcome(reader) != Outcome.OK:
            continue
        response = request(app, callers[reader], entry, world)
        assert response.status_code in expected_statuses(app, entry, reader), entry.label
        text = response.get_data().decode("utf-8", "replace")
        assert email not in text, entry.label
        if entry.endpoint not in verify:
            assert name not in text, entry.label
        read += 1
    assert read > 30


def test_certificate_verification_shows_only_name_program_and_date(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    anonymous = callers["anonymous"].client
    api = anonymous.get(f"/api/v1/verify/{world.certificate}")
    assert api.status_code == 200
    assert set(api.get_json()) == {
        "valid",
        "status",
        "learner_name",
        "program_title",
        "issued_on",
        "revoked_on",  # null unless revoked; then with the reason (issue 19)
        "revoked_reason",
    }
    assert api.get_json()["learner_name"] == "Learner A"
    page = anonymous.get(f"/verify/{world.certificate}").get_data(as_text=True)
    assert "Learner A" in page and "Matrix program A" in page
    assert world.emails["learner_a"] not in page
    assert ".pdf" not in page  # no way from the public page to the certificate itself


def test_progress_is_always_the_callers_own(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    """Learner A has watched instructor B's public video; everyone else asking about it
    gets their own (empty) progress, whatever they send."""
    headers = {"Authorization": f"Bearer {world.tokens['learner_a']}"}
    client = callers["learner_a"].client
    assert (
        client.put(
            f"/api/v1/videos/{world.other_video}/progress",
            json={"position": 3.0, "played": [[0.0, 3.0]]},
            headers=headers,
        ).status_code
        == 200
    )
    mine = client.get(f"/api/v1/videos/{world.other_video}/progress", headers=headers)
    assert mine.get_json()["position"] == 3.0
    for role in ("learner_b", "instructor_b", "instructor_a", "admin"):
        token = {"Authorization": f"Bearer {world.tokens[role]}"}
        theirs = callers[role].client.get(
            f"/api/v1/videos/{world.other_video}/progress?user_id={world.users['learner_a']}",
            headers=token,
        )
        assert theirs.status_code == 200, role
        body = theirs.get_json()
        assert body["position"] == 0 and body["watched_seconds"] == 0, (role, body)


def test_outsiders_learn_nothing_of_cohort_a(
    app: Flask, world: World, callers: dict[str, Caller]
) -> None:
    """The cohort recording is in no list learner B or instructor B can read."""
    for role in ("learner_b", "instructor_b"):
        token = {"Authorization": f"Bearer {world.tokens[role]}"}
        client = callers[role].client
        modules = client.get("/api/v1/modules?per_page=100", headers=token).get_json()
        assert world.recording not in {m["video_id"] for m in modules["items"]}, role
        missed = client.get("/api/v1/me/missed-classes", headers=token).get_json()
        assert missed["missed_classes"] == [], role
        for page in ("/", "/classes", "/home"):
            html = client.get(page).get_data(as_text=True)
            assert "Matrix cohort A recording" not in html, (role, page)


# What instructor A's lists show of their own work; instructor B's show none of it.
INSTRUCTOR_LISTS = {
    "/analytics": ("Matrix public lesson", "Matrix cohort A recording"),
    "/upload": ("Matrix draft", "Matrix public lesson"),
    "/reports": ("Cohort A", "Matrix program A"),
}


@pytest.mark.parametrize("page", sorted(INSTRUCTOR_LISTS))
def test_instructor_b_lists_nothing_of_instructor_a(
    world: World, callers: dict[str, Caller], page: str
) -> None:
    own = callers["instructor_a"].client.get(page).get_data(as_text=True)
    other = callers["instructor_b"].client.get(page).get_data(as_text=True)
    for text in INSTRUCTOR_LISTS[page]:
        assert text in own, (page, text)
        assert text not in other, (page, text)
