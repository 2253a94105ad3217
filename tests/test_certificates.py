"""Certificates: issued once on completing a path, a real PDF that reads back, hostile
names that stay inert, public verification that shows only what it should, and who may
download the PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import ArrayObject
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.support import factories
from tests.support.auth import Auth
from tests.support.querycount import recorded_statements
from webapp.certificates import codes, names, queries
from webapp.certificates.completion import issue_due_certificates
from webapp.certificates.services import issue_certificate
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import (
    Certificate,
    Enrollment,
    Module,
    Program,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.base import as_utc

ISSUED = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
NAME = "Zoë Ångström-Łukasz"
PROGRAM = "Digital Marketing"

# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class World:
    """A learner enrolled in a two-course path, another learner, an admin."""

    learner: factories.UserInfo
    other: factories.UserInfo
    admin: factories.UserInfo
    modules: tuple[int, ...]  # the path's modules, in order
    program_id: int


def _module(owner_id: int, title: str, duration: float) -> Module:
    video = Video(title=title, owner_id=owner_id, state=VideoState.READY.value, duration=duration)
    db.session.add(video)
    db.session.flush()
    module = Module(video_id=video.id, title=title, duration=duration)
    db.session.add(module)
    db.session.flush()
    return module


def set_name(app: Flask, user_id: int, name: str) -> None:
    """Give the account a display name (as a profile form would)."""
    with app.app_context():
        db.session.get(User, user_id).name = name
        db.session.commit()


@pytest.fixture
def world(app: Flask, make_user: Callable[..., factories.UserInfo]) -> World:
    """'digital-marketing': SEO Basics (2 modules) then SEO Advanced (1 module); the
    learner is enrolled, and so is the other learner."""
    learner, other, admin = make_user("learner"), make_user("learner"), make_user("admin")
    owner = make_user("instructor")
    set_name(app, learner.id, NAME)
    set_name(app, other.id, "Other Learner")
    with app.app_context():
        m1, m2, m3 = (_module(owner.id, f"Lesson {i}", 100) for i in (1, 2, 3))
        learning.create_course("seo-basics", "SEO Basics", [m1.id, m2.id])
        learning.create_course("seo-advanced", "SEO Advanced", [m3.id], ["seo-basics"])
        program = learning.create_program(
            "digital-marketing",
            PROGRAM,
            ["seo-basics", "seo-advanced"],
            fee="499.00",
            certificate="Certified Digital Marketer",
            description="Secret internal description",
        )
        learning.create_program("acme-onboarding", "ACME Onboarding", ["seo-basics"], company=True)
        # Enrolled as the service leaves it, without its certificate check: these tests
        # issue by hand, and that check (a task, run by whichever worker an earlier test
        # of this process started) would race them.
        for person in (learner, other):
            db.session.add(Enrollment(user_id=person.id, program_id=program.id))
        db.session.commit()
        return World(learner, other, admin, (m1.id, m2.id, m3.id), program.id)


def complete(app: Flask, user_id: int, module_id: int) -> None:
    """Store a fully watched module (completed) the way the progress service leaves it."""
    with app.app_context():
        module = db.session.get(Module, module_id)
        db.session.add(
            WatchProgress(
                user_id=user_id,
                video_id=module.video_id,
                clip_id=module.clip_id,
                position=module.duration,
                intervals=[[0, module.duration]],
                watched_seconds=module.duration,
                completed_at=ISSUED,
            )
        )
        db.session.commit()


def finish_path(app: Flask, world: World, user_id: int | None = None) -> str:
    """Complete every module for the learner and issue; returns the certificate code."""
    user_id = user_id or world.learner.id
    for module_id in world.modules:
        complete(app, user_id, module_id)
    with app.app_context():
        issued = issue_due_certificates(user_id, now=ISSUED)
        db.session.commit()
        assert len(issued) == 1
        return issued[0].code


def pdf_text(data: bytes) -> str:
    """The text of a one-page PDF, as a reader extracts it."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def active_parts(data: bytes) -> list[str]:
    """Anything in the PDF that a viewer could act on: document or page actions,
    JavaScript name trees, annotations (links), forms. (An opening *view*, a destination
    array such as ``[page /FitH null]``, is not an action.)"""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    found = [key for key in ("/AA", "/AcroForm") if key in root]
    if "/OpenAction" in root and not isinstance(root["/OpenAction"].get_object(), ArrayObject):
        found.append("/OpenAction")
    if "/Names" in root and "/JavaScript" in root["/Names"]:
        found.append("/Names/JavaScript")
    for page in reader.pages:
        found += [f"page {key}" for key in ("/AA", "/Annots") if key in page]
    return found


def certificate_count(app: Flask) -> int:
    """Certificates in the database."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Certificate))


# --------------------------------------------------------------------------- codes and names


def test_codes_are_random_base32_and_normalize_what_people_type() -> None:
    code = codes.new_code()
    assert len(code) == codes.LENGTH >= 16 and set(code) <= set(codes.ALPHABET)
    assert len({codes.new_code() for _ in range(200)}) == 200
    assert codes.display(code).replace("-", "") == code and codes.display(code).count("-") == 4
    assert codes.normalize(f"  {codes.display(code).lower()} ") == code
    for bad in ("", code[:-1], code + "A", code[:-1] + "1", "<script>", "x" * 10_000, None, 42):
        assert codes.normalize(bad) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Zoë   Ångström-Łukasz ", "Zoë Ångström-Łukasz"),
        ("Zoe\u0308", "Zoë"),  # NFC
        ("\u202eevil\u202c.pdf", "evil.pdf"),  # bidi override gone
        ("a\u2066b\u2069c\u200fd", "abcd"),  # isolates and marks gone
        ("line\nbreak\ttab\x00nul\x1b[31m", "line break tabnul[31m"),
        ("क्\u200dष", "क्\u200dष"),  # a joiner some scripts need stays
        ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),  # inert in a PDF: kept as typed
    ],
)
def test_clean_text_drops_invisible_controls(raw: str, clean: str) -> None:
    assert names.clean_text(raw, 120) == clean


def test_clean_text_cuts_long_text_with_an_ellipsis() -> None:
    cut = names.clean_text("word " * 100, 120)
    assert len(cut) == 120 and cut.endswith("…")


def test_learner_name_never_falls_back_to_the_whole_email() -> None:
    assert names.learner_name("", "zoe.a@example.com", 120) == "zoe.a"
    assert names.learner_name("\u202e\u200f", "x@example.com", 120) == "x"
    assert names.learner_name(" Ada ", "ada@example.com", 120) == "Ada"


# --------------------------------------------------------------------------- issuing


def test_certificate_is_issued_once_when_the_last_module_completes(
    app: Flask, world: World
) -> None:
    for module_id in world.modules[:-1]:
        complete(app, world.learner.id, module_id)
    with app.app_context():
        assert issue_due_certificates(world.learner.id) == []
    complete(app, world.learner.id, world.modules[-1])
    with app.app_context():
        issued = issue_due_certificates(world.learner.id, now=ISSUED)
        db.session.commit()
        assert [(c.learner_name, c.program_title) for c in issued] == [(NAME, PROGRAM)]
        assert issue_due_certificates(world.learner.id) == []
        db.session.commit()
    assert certificate_count(app) == 1
    # The company program contains finished 'SEO Basics' but the learner is not enrolled.
    with app.app_context():
        rows = db.session.scalars(select(Certificate)).all()
        assert [(r.user_id, r.program_id) for r in rows] == [(world.learner.id, world.program_id)]


def test_issue_is_idempotent_and_the_database_refuses_a_duplicate(app: Flask, world: World) -> None:
    finish_path(app, world)
    with app.app_context():
        user = db.session.get(User, world.learner.id)
        program = db.session.get(Program, world.program_id)
        again, created = issue_certificate(user, program)
        assert not created and as_utc(again.issued_at) == ISSUED
        code = codes.new_code()
        db.session.add(
            Certificate(
                code=code,
                code_digest=codes.digest(code),
                user_id=user.id,
                program_id=program.id,
                learner_name="x",
                program_title="x",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    assert certificate_count(app) == 1


def test_pages_show_an_issued_certificate_and_never_issue_one(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    """Issue-on-page-view is gone (certificates come from events, see
    test_certificate_rules.py): the pages list what was issued and issue nothing."""
    for module_id in world.modules:
        complete(app, world.learner.id, module_id)
    auth.login(world.learner.email)
    client.get("/home")
    client.get("/certificates")
    assert certificate_count(app) == 0
    with app.app_context():
        issue_due_certificates(world.learner.id, now=ISSUED)
        db.session.commit()
    assert "Download your certificate" in client.get("/home").get_data(as_text=True)
    html = client.get("/certificates").get_data(as_text=True)
    assert PROGRAM in html and html.count('class="certificate"') == 1
    assert certificate_count(app) == 1


def test_certificate_outlives_its_program(app: Flask, client: FlaskClient, world: World) -> None:
    code = finish_path(app, world)
    with app.app_context():
        db.session.delete(db.session.get(Program, world.program_id))
        db.session.commit()
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "genuine" in html and PROGRAM in html


# --------------------------------------------------------------------------- the PDF


def test_pdf_reads_back_with_name_program_date_and_code(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    code = finish_path(app, world)
    auth.login(world.learner.email)
    resp = client.get(f"/certificates/{code}.pdf")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"] == f'attachment; filename="certificate-{code}.pdf"'
    assert resp.data.startswith(b"%PDF-")
    text = pdf_text(resp.data)
    assert NAME in text and PROGRAM in text
    assert "Issued on 29 November 2026" in text
    assert codes.display(code) in text and f"/verify/{code}" in text
    assert client.get(f"/certificates/{code}.pdf").data == resp.data  # stable bytes


HOSTILE_NAMES = [
    "=cmd|' /C calc'!A0",
    "<script>alert('x')</script>",
    "Bob\u202egnp.exe\u202c Evil",
    "Ш" * 120,  # the longest name an account can hold, one unbreakable word
]


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_hostile_names_render_inertly(
    app: Flask, client: FlaskClient, auth: Auth, world: World, hostile: str
) -> None:
    set_name(app, world.learner.id, hostile)
    code = finish_path(app, world)
    expected = names.clean_text(hostile, 120)
    auth.login(world.learner.email)
    data = client.get(f"/certificates/{code}.pdf").data
    text = pdf_text(data)
    assert expected in text or expected in "".join(text.split())  # long names wrap
    assert "\u202e" not in text and "\u202c" not in text
    assert not active_parts(data)
    html = app.test_client().get(f"/verify/{code}").get_data(as_text=True)  # the public
    assert "<script>alert" not in html and "\u202e" not in html
    if "<" in hostile:
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    api = client.get(f"/api/v1/verify/{code}").get_json()
    assert api["learner_name"] == expected


# --------------------------------------------------------------------------- verification


def test_verification_shows_only_the_allowed_fields_without_sign_in(
    app: Flask, client: FlaskClient, world: World
) -> None:
    code = finish_path(app, world)
    resp = client.get(f"/verify/{codes.display(code).lower()}")
    assert resp.status_code == 200
    assert resp.headers["X-Robots-Tag"] == "noindex, nofollow"
    html = resp.get_data(as_text=True)
    labels = re.findall(r"<dt>([^<]+)</dt>", html)
    assert labels == ["Awarded to", "Program", "Issued on", "Code"]
    assert NAME in html and PROGRAM in html and "29 November 2026" in html
    for secret in (world.learner.email, "Secret internal description", "499", "Certified"):
        assert secret not in html
    api = client.get(f"/api/v1/verify/{code}")
    assert api.status_code == 200
    assert api.get_json() == {
        "valid": True,
        "status": "valid",
        "learner_name": NAME,
        "program_title": PROGRAM,
        "issued_on": "2026-11-29",
        "revoked_on": None,
        "revoked_reason": None,
    }


def test_verification_form_redirects_to_the_canonical_page(
    app: Flask, client: FlaskClient, world: World
) -> None:
    code = finish_path(app, world)
    assert "Verification code" in client.get("/verify").get_data(as_text=True)
    resp = client.get("/verify", query_string={"code": f" {codes.display(code)} "})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/verify/{code}")


@pytest.mark.parametrize(
    "typed",
    ["AAAAAAAAAAAAAAAAAAAA", "not-a-code", "<script>alert(1)", "A" * 81, "'; DROP--"],
)
def test_unknown_codes_answer_a_clear_not_found(
    app: Flask, client: FlaskClient, world: World, typed: str
) -> None:
    finish_path(app, world)
    resp = client.get(f"/verify/{typed}")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert "No certificate has this code" in html and NAME not in html
    assert "<script>alert" not in html
    assert client.get("/verify", query_string={"code": typed}).status_code in (302, 404)
    api = client.get(f"/api/v1/verify/{typed}")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    problem = api.get_json()
    assert problem["valid"] is False and problem["detail"] == "no certificate has this code"
    assert NAME not in api.get_data(as_text=True)


def test_malformed_codes_cost_no_query_and_good_ones_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    code = finish_path(app, world)
    with recorded_statements(app) as malformed:
        client.get("/verify/not-a-code")
    with recorded_statements(app) as wellformed:
        client.get(f"/verify/{code}")
    assert not [s for s in malformed if "certificates" in s]
    lookups = [s for s in wellformed if "certificates" in s]
    assert len(lookups) == 1 and "code_digest" in lookups[0]


# --------------------------------------------------------------------------- who may download


def test_only_the_learner_and_admins_download_the_pdf(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    code = finish_path(app, world)
    resp = client.get(f"/certificates/{code}.pdf")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    auth.login(world.other.email)
    assert client.get(f"/certificates/{code}.pdf").status_code == 403
    assert code not in client.get("/certificates").get_data(as_text=True)
    auth.logout()
    auth.login(world.admin.email)
    resp = client.get(f"/certificates/{code}.pdf")
    assert resp.status_code == 200 and NAME in pdf_text(resp.data)
    assert client.get("/certificates/AAAAAAAAAAAAAAAAAAAA.pdf").status_code == 404


def _bearer(client: FlaskClient, user: factories.UserInfo) -> dict[str, str]:
    resp = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_api_lists_and_serves_certificates(app: Flask, client: FlaskClient, world: World) -> None:
    finish_path(app, world)  # issued at the event now, never on listing
    assert client.get("/api/v1/me/certificates").status_code == 401
    mine = client.get("/api/v1/me/certificates", headers=_bearer(client, world.learner))
    assert mine.status_code == 200
    [entry] = mine.get_json()["certificates"]
    code = entry["code"]
    assert entry["learner_name"] == NAME and entry["program"] == "digital-marketing"
    assert entry["verify_url"].endswith(f"/verify/{code}")
    assert entry["pdf_url"] == f"/api/v1/certificates/{code}.pdf"
    learner_pdf = client.get(entry["pdf_url"], headers=_bearer(client, world.learner))
    assert learner_pdf.status_code == 200 and PROGRAM in pdf_text(learner_pdf.data)
    other = client.get(entry["pdf_url"], headers=_bearer(client, world.other))
    assert other.status_code == 403 and "error" in other.get_json()
    assert client.get(entry["pdf_url"], headers=_bearer(client, world.admin)).status_code == 200
    assert client.get(entry["pdf_url"]).status_code == 401
    others = client.get("/api/v1/me/certificates", headers=_bearer(client, world.other))
    assert others.get_json() == {"certificates": []}
    assert certificate_count(app) == 1


def test_by_code_looks_up_the_digest(app: Flask, world: World) -> None:
    code = finish_path(app, world)
    with app.app_context():
        found = queries.by_code(codes.display(code).lower())
        assert found is not None and found.code == code
        assert found.code_digest == codes.digest(code) != code
        assert queries.by_code(codes.new_code()) is None
