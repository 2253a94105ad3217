"""Who may watch what: one decision, the same answer on every surface (issue 19).

The content: a program "Data" of two courses, "SEO Basics" (a listed video) and
"Advanced SEO" (the target: a READY recording with captions, plus a clip of it), which
requires "SEO Basics". The target's modules have no audience of their own, so they are
program content (members only).

``EXPECTED`` has one row per role and one column per surface; a role is added by adding
its row and its account in ``_people``. The four organisation rows (``ORG_ROLES``) run in
``org_world``: the same content made private to organisation A (audience ORGANISATION).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import factories
from tests.support.auth import Auth
from webapp.catalogue import services as catalogue
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import (
    Audience,
    Clip,
    Cohort,
    CohortMember,
    Enrollment,
    Exam,
    ExamScope,
    Module,
    OrgRole,
    Program,
    User,
    Video,
    WatchProgress,
)
from webapp.organisations import services as organisations

LOCK = "Complete ‘SEO Basics’ first"
SURFACES = (
    "listing",
    "search",
    "watch",
    "master",
    "variant",
    "segment",
    "captions",
    "heartbeat",
    "clip",
    "notes",
    "api",
)
# listing/search: "playable", "locked" (shown with the reason, no link), "absent",
# "sign-in" (redirected). Everything else: the HTTP status.
EXPECTED: dict[str, dict[str, object]] = {
    "anonymous": dict(
        listing="sign-in", search="sign-in", watch=302, master=401, variant=401,
        segment=403, captions=401, heartbeat=401, clip=302, notes=401, api=401,
    ),
    "learner not enrolled": dict(
        listing="absent", search="absent", watch=404, master=403, variant=403,
        segment=403, captions=403, heartbeat=404, clip=404, notes=404, api=404,
    ),
    "enrolled": dict(
        listing="playable", search="playable", watch=200, master=200, variant=200,
        segment=200, captions=200, heartbeat=200, clip=200, notes=200, api=200,
    ),
    "enrolled, prerequisite missing": dict(
        listing="locked", search="locked", watch=403, master=403, variant=403,
        segment=403, captions=403, heartbeat=403, clip=403, notes=403, api=403,
    ),
    # The organisation rows run on the same content made private to organisation A
    # (``org_world``): its member (who completed SEO Basics) plays it; its manager sees it
    # but, like any learner, is locked by the prerequisite; B's people may not see it.
    "organisation member": dict(
        listing="playable", search="playable", watch=200, master=200, variant=200,
        segment=200, captions=200, heartbeat=200, clip=200, notes=200, api=200,
    ),
    "member of another organisation": dict(
        listing="absent", search="absent", watch=404, master=403, variant=403,
        segment=403, captions=403, heartbeat=404, clip=404, notes=404, api=404,
    ),
    "manager": dict(
        listing="locked", search="locked", watch=403, master=403, variant=403,
        segment=403, captions=403, heartbeat=403, clip=403, notes=403, api=403,
    ),
    "manager of another organisation": dict(
        listing="absent", search="absent", watch=404, master=403, variant=403,
        segment=403, captions=403, heartbeat=404, clip=404, notes=404, api=404,
    ),
    "instructor": dict(
        listing="playable", search="playable", watch=200, master=200, variant=200,
        segment=200, captions=200, heartbeat=200, clip=200, notes=200, api=200,
    ),
    "admin": dict(
        listing="playable", search="playable", watch=200, master=200, variant=200,
        segment=200, captions=200, heartbeat=200, clip=200, notes=200, api=200,
    ),
}  # fmt: skip

_SEGMENT = re.compile(r"^(?!#)(\S+)$", re.MULTILINE)
_VARIANT = re.compile(r"^(?!#)(\S+\.m3u8)$", re.MULTILINE)


@dataclass(frozen=True)
class World:
    """Ids of what the table touches; ``emails`` by role (None: signed out)."""

    emails: dict[str, str | None]
    target: int  # the recording in "Advanced SEO"
    module: int  # its whole-recording module
    clip: int
    basics_video: int


def _people(app: Flask) -> dict[str, factories.UserInfo | None]:
    return {
        "anonymous": None,
        "learner not enrolled": factories.create_user(app, "learner"),
        "enrolled": factories.create_user(app, "learner"),
        "enrolled, prerequisite missing": factories.create_user(app, "learner"),
        "instructor": factories.create_user(app, "instructor"),
        "admin": factories.create_user(app, "admin"),
        **{role: factories.create_user(app, "learner") for role in ORG_ROLES},
    }


# Role → (organisation, its role there): A owns the content in ``org_world``.
ORG_ROLES = {
    "organisation member": ("org-a", OrgRole.MEMBER),
    "manager": ("org-a", OrgRole.MANAGER),
    "member of another organisation": ("org-b", OrgRole.MEMBER),
    "manager of another organisation": ("org-b", OrgRole.MANAGER),
}


@pytest.fixture
def world(app: Flask, client: FlaskClient, auth: Auth, make_ready_video) -> World:
    """The program, its two courses, the people, and English captions on the target."""
    people = _people(app)
    owner = factories.create_user(app, "instructor")
    basics = factories.listed_video(app, owner.id, "Keyword research", duration=60.0)
    target = make_ready_video(owner.id, "Zephyr link building")
    with app.app_context():
        video = db.session.get(Video, target)
        module = catalogue.sync_video_module(video)
        clip = Clip(video_id=target, title="Zephyr anchors", start=0.0, end=2.0)
        clip.created_by = owner.id
        db.session.add(clip)
        db.session.flush()
        clip_module = catalogue.sync_clip_module(clip)
        basics_module = catalogue.module_of_video(basics)
        assert module is not None and basics_module is not None
        learning.create_course("seo-basics", "SEO Basics", [basics_module.id])
        advanced = learning.create_course(
            "advanced-seo", "Advanced SEO", [module.id, clip_module.id], requires=["seo-basics"]
        )
        instructor = people["instructor"]
        assert instructor is not None
        advanced.created_by = instructor.id
        program = learning.create_program("data", "Data", ["seo-basics", "advanced-seo"])
        for role in ("enrolled", "enrolled, prerequisite missing"):
            person = people[role]
            assert person is not None
            db.session.add(Enrollment(user_id=person.id, program_id=program.id))
        for done in (people["enrolled"], people["organisation member"]):
            assert done is not None
            db.session.add(
                WatchProgress(
                    user_id=done.id,
                    video_id=basics,
                    position=60.0,
                    intervals=[[0.0, 60.0]],
                    watched_seconds=60.0,
                    completed_at=datetime.now(UTC),
                )
            )
        db.session.commit()
        ids = (module.id, clip.id)
    auth.login(owner.email)
    response = client.post(
        f"/api/v1/videos/{target}/captions",
        json={"language": "en", "content": "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHi\n"},
        headers=auth.json_headers(),
    )
    assert response.status_code == 201, response.get_json()
    auth.logout()
    emails = {role: (p.email if p else None) for role, p in people.items()}
    return World(emails, target, ids[0], ids[1], basics)


@pytest.fixture
def org_world(app: Flask, world: World) -> World:
    """``world`` with the target recording, its module and its clip's module private to
    organisation A; the organisation roles' people in A and B."""
    with app.app_context():
        orgs = {
            slug: organisations.create_organisation(slug.upper(), slug)
            for slug in ("org-a", "org-b")
        }
        for role, (slug, org_role) in ORG_ROLES.items():
            user = db.session.scalar(db.select(User).where(User.email == world.emails[role]))
            assert user is not None
            organisations.add_member(orgs[slug], user, org_role)
        clip_module = db.session.scalar(db.select(Module).where(Module.clip_id == world.clip))
        for item in (
            db.session.get(Video, world.target),
            db.session.get(Module, world.module),
            clip_module,
        ):
            assert item is not None
            organisations.make_private(item, orgs["org-a"])
        db.session.commit()
    return world


def _tile(html: str, module_id: int, video_id: int | None = None) -> str:
    """ "playable", "locked" or "absent": a module's tile on a library page."""
    start = html.find(f'data-module-id="{module_id}"')
    if start < 0:
        return "absent"
    tile = html[start : html.index("</li>", start)]
    if "tile-locked" in tile:
        assert LOCK in tile
        assert f'href="/videos/{video_id}"' not in tile
        return "locked"
    return "playable"


def _listing(client: FlaskClient, path: str, w: World) -> object:
    response = client.get(path)
    if response.status_code == 302:
        return "sign-in"
    return _tile(response.get_data(as_text=True), w.module, w.target)


def _segment(client: FlaskClient, w: World) -> int:
    """Follow the variant's first segment link; without a variant, an unsigned link."""
    base = f"/videos/{w.target}/hls"
    master = client.get(f"{base}/master.m3u8")
    if master.status_code != 200:
        return client.get(f"/media/{w.target}/360p/seg_00000.ts").status_code
    variant_rel = _VARIANT.findall(master.get_data(as_text=True))[0]
    variant = client.get(f"{base}/{variant_rel}")
    link = _SEGMENT.findall(variant.get_data(as_text=True))[0]
    if link.startswith(("http://", "https://")):  # a presigned link of the S3 store
        try:
            with urllib.request.urlopen(link, timeout=30) as answer:  # noqa: S310 (loopback)
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return refused.code
    return client.get(link, buffered=True).status_code


def _request(client: FlaskClient, auth: Auth, surface: str, w: World) -> object:
    base = f"/videos/{w.target}/hls"
    api = f"/api/v1/videos/{w.target}"
    calls = {
        "listing": lambda: _listing(client, "/", w),
        "search": lambda: _listing(client, "/?q=zephyr", w),
        "watch": lambda: client.get(f"/videos/{w.target}").status_code,
        "master": lambda: client.get(f"{base}/master.m3u8").status_code,
        "variant": lambda: client.get(f"{base}/{_first_variant(client, w)}").status_code,
        "segment": lambda: _segment(client, w),
        "captions": lambda: client.get(f"/videos/{w.target}/captions/en.vtt").status_code,
        "heartbeat": lambda: (
            client.put(
                f"{api}/progress", json={"position": 1.0}, headers=auth.json_headers()
            ).status_code
        ),
        "clip": lambda: client.get(f"/clips/{w.clip}").status_code,
        "notes": lambda: client.get(f"{api}/notes").status_code,
        "api": lambda: client.get(api).status_code,
    }
    return calls[surface]()


def _first_variant(client: FlaskClient, w: World) -> str:
    """The first variant's path (read as an admin would see it: from storage names)."""
    with client.application.app_context():
        video = db.session.get(Video, w.target)
        assert video is not None and video.renditions
        return video.renditions[0].playlist


@pytest.mark.parametrize("role", list(EXPECTED))
def test_access_matrix(
    client: FlaskClient, auth: Auth, request: pytest.FixtureRequest, role: str
) -> None:
    """Every surface for one role (one world per role: building it is the slow part)."""
    world: World = request.getfixturevalue("org_world" if role in ORG_ROLES else "world")
    email = world.emails[role]
    if email is not None:
        assert auth.login(email).status_code == 302
    answers = {surface: _request(client, auth, surface, world) for surface in SURFACES}
    assert answers == EXPECTED[role]


def test_a_locked_answer_names_what_to_complete_first(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.emails["enrolled, prerequisite missing"] or "")
    page = client.get(f"/videos/{world.target}")
    assert page.status_code == 403 and LOCK in page.get_data(as_text=True)
    for path in (f"/api/v1/videos/{world.target}", f"/api/v1/clips/{world.clip}/progress"):
        problem = client.get(path)
        assert problem.status_code == 403
        assert problem.get_json()["detail"] == LOCK
    beat = client.put(
        f"/api/v1/videos/{world.target}/progress",
        json={"position": 1.0, "played": [[0, 1.0]]},
        headers=auth.json_headers(),
    )
    assert beat.status_code == 403 and beat.get_json()["detail"] == LOCK
    assert "X-Heartbeat-Grant" not in beat.headers  # no grant minted
    listed = client.get("/api/v1/modules?q=zephyr").get_json()["items"]
    assert {(i["id"], i["locked"], i["locked_reason"]) for i in listed} >= {
        (world.module, True, LOCK)
    }
    with client.application.app_context():
        stored = db.session.query(WatchProgress).filter_by(video_id=world.target).count()
    assert stored == 0  # locked content earned nothing


def test_completing_the_prerequisite_unlocks(client: FlaskClient, auth: Auth, world: World) -> None:
    auth.login(world.emails["enrolled, prerequisite missing"] or "")
    assert client.get(f"/videos/{world.target}").status_code == 403
    with client.application.app_context():
        user = db.session.scalar(
            db.select(User).where(User.email == world.emails["enrolled, prerequisite missing"])
        )
        assert user is not None
        db.session.add(
            WatchProgress(
                user_id=user.id,
                video_id=world.basics_video,
                position=60.0,
                intervals=[[0.0, 60.0]],
                watched_seconds=60.0,
                completed_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    assert client.get(f"/videos/{world.target}").status_code == 200
    assert client.get(f"/clips/{world.clip}").status_code == 200


def _set(app: Flask, model: type, row_id: int, **values: object) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def test_free_preview_opens_a_program_module_to_every_signed_in_user(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.emails["learner not enrolled"] or "")
    assert client.get(f"/videos/{world.target}").status_code == 404
    _set(app, Module, world.module, free_preview=True)
    assert client.get(f"/videos/{world.target}").status_code == 200
    assert _listing(client, "/", world) == "playable"
    # The clip is a module of its own: not a preview, so still members only.
    assert client.get(f"/clips/{world.clip}").status_code == 404


def test_an_open_module_is_still_locked_by_its_prerequisites(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    _set(app, Module, world.module, audience=Audience.OPEN)
    auth.login(world.emails["learner not enrolled"] or "")
    page = client.get(f"/videos/{world.target}")
    assert page.status_code == 403 and LOCK in page.get_data(as_text=True)


def test_drafts_are_their_instructors_only(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    _set(app, Video, world.target, audience=Audience.INSTRUCTORS)
    for role, expected in (("enrolled", 404), ("instructor", 200), ("admin", 200)):
        auth.logout()
        auth.login(world.emails[role] or "")
        assert client.get(f"/videos/{world.target}").status_code == expected, role
        # A clip never reaches further than its recording.
        assert client.get(f"/clips/{world.clip}").status_code == expected, role
        assert (_listing(client, "/", world) == "absent") == (expected == 404), role


def test_company_program_content_stays_out_of_other_learners_library(
    app: Flask, client: FlaskClient, auth: Auth, make_user
) -> None:
    owner = make_user("instructor")
    video = factories.listed_video(app, owner.id, "Quarterly compliance")
    with app.app_context():
        module = catalogue.module_of_video(video)
        assert module is not None
        learning.create_course("compliance", "Compliance", [module.id])
        learning.create_program("acme", "Acme onboarding", ["compliance"], company=True)
        db.session.commit()
        module_id = module.id
    outsider = make_user("learner")
    auth.login(outsider.email)
    assert _tile(client.get("/?q=compliance").get_data(as_text=True), module_id) == "absent"
    assert client.get("/api/v1/modules?q=compliance").get_json()["items"] == []
    # The CLI's enrolment (the same service) makes it visible.
    with app.app_context():
        program = db.session.scalar(db.select(Program).where(Program.slug == "acme"))
        user = db.session.get(User, outsider.id)
        assert program is not None and user is not None
        learning.enrol(user, program, admin=True)
        db.session.commit()
    assert _tile(client.get("/?q=compliance").get_data(as_text=True), module_id) == "playable"


def test_course_instructors_see_their_drafts_in_the_listing(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    _set(app, Module, world.module, audience=Audience.INSTRUCTORS)
    auth.login(world.emails["instructor"] or "")
    assert _listing(client, "/", world) == "playable"
    auth.logout()
    auth.login(world.emails["enrolled"] or "")
    assert _listing(client, "/", world) == "absent"


def test_audiences_are_set_through_the_api(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    with app.app_context():
        owner = db.session.get(Video, world.target).owner  # type: ignore[union-attr]
        owner_email = owner.email
    auth.login(owner_email)
    headers = auth.json_headers()
    bad = client.patch(
        f"/api/v1/modules/{world.module}", json={"audience": "everyone"}, headers=headers
    )
    assert bad.status_code == 400
    bad = client.patch(
        f"/api/v1/videos/{world.target}", json={"audience": "organisation"}, headers=headers
    )
    assert bad.status_code == 400
    changed = client.patch(
        f"/api/v1/modules/{world.module}", json={"free_preview": True}, headers=headers
    )
    assert changed.status_code == 200 and changed.get_json()["free_preview"] is True
    assert changed.get_json()["audience"] is None  # kept: the default
    video = client.patch(
        f"/api/v1/videos/{world.target}", json={"audience": "instructors"}, headers=headers
    )
    assert video.status_code == 200 and video.get_json()["audience"] == "instructors"
    auth.logout()
    auth.login(world.emails["learner not enrolled"] or "")
    assert client.get(f"/videos/{world.target}").status_code == 404  # a draft now
    auth.logout()
    auth.login(owner_email)
    reopened = client.patch(
        f"/api/v1/videos/{world.target}", json={"audience": "open"}, headers=auth.json_headers()
    )
    assert reopened.status_code == 200
    auth.logout()
    auth.login(world.emails["learner not enrolled"] or "")
    assert client.get(f"/videos/{world.target}").status_code == 200  # the free preview


def _person(app: Flask, email: str | None) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def test_exam_review_shows_locked_modules_as_locked_and_hides_the_unseen(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    """The review page lists only what the learner may see; a locked module carries the
    reason and no link to play it."""
    learner = _person(app, world.emails["enrolled, prerequisite missing"])
    outsider_owner = factories.create_user(app, "instructor")
    elsewhere = factories.listed_video(app, outsider_owner.id, "Quarry logistics", duration=30.0)
    with app.app_context():
        private = catalogue.module_of_video(elsewhere)
        assert private is not None
        learning.create_course("quarries", "Quarries", [private.id])
        learning.create_program("mining", "Mining", ["quarries"])  # nobody here is a member
        program = db.session.scalar(select(Program).where(Program.slug == "data"))
        assert program is not None
        cohort = Cohort(program_id=program.id, name="Spring", starts_on=date(2027, 3, 1))
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"))
        exam = Exam(cohort_id=cohort.id, title="Final", starts_at=datetime(2027, 4, 1, tzinfo=UTC))
        db.session.add(exam)
        db.session.flush()
        basics = catalogue.module_of_video(world.basics_video)
        assert basics is not None
        for module_id in (basics.id, world.module, private.id):
            db.session.add(ExamScope(exam_id=exam.id, module_id=module_id))
        db.session.commit()
        exam_id = exam.id
    auth.login(learner.email)
    html = client.get(f"/exams/{exam_id}/review").get_data(as_text=True)
    assert "Keyword research" in html
    assert "Quarry logistics" not in html
    item = html[html.index(f'data-module-id="{world.module}"') :]
    item = item[: item.index("</li>")]
    assert "Locked" in item and LOCK in item and "<a " not in item


def test_continue_watching_lists_only_what_the_learner_may_still_see(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    learner = _person(app, world.emails["learner not enrolled"])
    owner = factories.create_user(app, "instructor")
    open_video = factories.listed_video(app, owner.id, "Open tides", duration=30.0)
    with app.app_context():
        for video_id in (world.target, open_video):
            db.session.add(
                WatchProgress(
                    user_id=learner.id,
                    video_id=video_id,
                    position=1.0,
                    intervals=[[0.0, 1.0]],
                    watched_seconds=1.0,
                )
            )
        db.session.commit()
    auth.login(learner.email)
    html = client.get("/home").get_data(as_text=True)
    assert "Open tides" in html
    assert "Zephyr link building" not in html  # the program's: not a member (any more)


def test_a_clips_audience_is_set_on_its_page_and_a_bad_choice_keeps_the_form(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    with app.app_context():
        clip_module = db.session.scalar(select(Module).where(Module.clip_id == world.clip))
        assert clip_module is not None
        module_id, owner = clip_module.id, clip_module.video.owner_id
        owner_email = db.session.get_one(User, owner).email
    auth.login(owner_email)
    video_page = client.get(f"/manage/videos/{world.target}").get_data(as_text=True)
    assert f"/manage/modules/{module_id}/audience" in video_page  # linked from its recording
    page = client.get(f"/manage/modules/{module_id}/audience")
    assert page.status_code == 200
    form = {"audience": "instructors", "free_preview": "y", "csrf_token": auth.csrf("/")}
    saved = client.post(f"/manage/modules/{module_id}/audience", data=form)
    assert saved.status_code == 302
    with app.app_context():
        module = db.session.get_one(Module, module_id)
        assert (module.audience, module.free_preview) == (Audience.INSTRUCTORS, True)
    refused = client.post(
        f"/manage/modules/{module_id}/audience",
        data={**form, "audience": "everyone-on-earth"},
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "audience must be one of" in html.lower()
    box = re.search(r'<input[^>]*id="free_preview"[^>]*>', html)
    assert box is not None and "checked" in box.group(0)  # kept as sent
    with app.app_context():
        assert db.session.get_one(Module, module_id).audience == Audience.INSTRUCTORS
