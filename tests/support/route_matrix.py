"""Who may call every route: one declarative table over the world of ``matrix_world.py``.

Every rule of ``app.url_map`` (endpoint and method, static files aside) has at least one
entry here, or is named in ``PENDING`` until the lead moves it in;
``tests/test_route_matrix.py`` fails on a route in neither, calls each entry as each role
and checks the outcome. Routes on videos and clips have two entries: on the public video
(anyone signed in may watch it) and on cohort A's private recording (its members only).

An entry's policy is a row of outcomes, one per role:

* ``ok``: allowed; the answer is the entry's success status (a 400 where the entry
  sends an empty body on purpose: the caller got past every access check);
* ``auth``: sign in first: 401 on the API and the media routes, a redirect to
  ``/login`` for pages;
* ``403``: the caller may know the object exists but may not do this;
* ``404``: the caller may not even know it exists (media routes answer 403 instead, for
  unknown ids too, see docs/security.md).

``python -m tests.support.route_matrix --markdown`` prints the table for docs/security.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from tests.support.matrix_world import (
    ROLES,
    World,
    fresh_caption,
    fresh_chapter,
    fresh_clip,
    fresh_note,
    fresh_suggestion,
    fresh_token,
    fresh_upload,
    signed_media,
)
from webapp import create_app


class Outcome(StrEnum):
    """What one role gets from one route."""

    OK = "ok"
    AUTH = "auth"
    DENY = "403"
    HIDE = "404"


class Kind(StrEnum):
    """How a route answers callers it turns away."""

    PAGE = "page"  # sign-in redirect; 403/404 pages
    API = "api"  # JSON 401/403/404
    MEDIA = "media"  # 401 without credentials; 403 for "may not" and for unknown ids


@dataclass(frozen=True)
class Policy:
    """A named row of outcomes, in ``ROLES`` order."""

    name: str
    who: str
    row: str  # e.g. "auth ok 404 ok 404 ok"

    def outcome(self, role: str) -> Outcome:
        """What ``role`` gets."""
        return Outcome(self.row.split()[ROLES.index(role)])


#                                                                    anon  la  lb   ia  ib  admin
PUBLIC = Policy("PUBLIC", "anyone, signed in or not", "ok ok ok ok ok ok")
ANY_USER = Policy("ANY_USER", "anyone signed in", "auth ok ok ok ok ok")
SELF = Policy("SELF", "anyone signed in, on their own data only", "auth ok ok ok ok ok")
VIEWER = Policy("VIEWER", "anyone signed in may watch the public video", "auth ok ok ok ok ok")
MEMBER = Policy("MEMBER", "cohort A's learners and instructors, admins", "auth ok 404 ok 404 ok")
OWNER_ONLY = Policy(
    "OWNER_ONLY", "an unpublished video: its instructor and admins", "auth 404 404 ok 404 ok"
)
INSTRUCTOR_OF = Policy(
    "INSTRUCTOR_OF", "the public video's instructor, admins", "auth 403 403 ok 403 ok"
)
INSTRUCTOR_OF_COHORT = Policy(
    "INSTRUCTOR_OF_COHORT",
    "the private recording's instructor, admins (members 403, outsiders 404)",
    "auth 403 404 ok 404 ok",
)
TEACHER = Policy(
    "TEACHER", "cohort A's instructors, admins (its learners 403)", "auth 403 404 ok 404 ok"
)
COHORT_LEARNER = Policy(
    "COHORT_LEARNER", "cohort A's learners (its instructors, admins 403)", "auth ok 404 403 404 403"
)
OWNER = Policy("OWNER", "learner A (the certificate's owner), admins", "auth ok 403 403 403 ok")
UPLOAD_OWNER = Policy(
    "UPLOAD_OWNER", "the upload's instructor only (learners 403)", "auth 403 403 ok 404 404"
)
UPLOADER = Policy("UPLOADER", "instructors and admins", "auth 403 403 ok ok ok")
REPORTER = Policy("REPORTER", "instructors (their cohorts) and admins", "auth 403 403 ok ok ok")
PATH_REPORTER = Policy(
    "PATH_REPORTER", "admins, instructors of a cohort of the path", "auth 403 403 ok 403 ok"
)
COHORT_REPORTER = Policy(
    "COHORT_REPORTER", "admins, cohort A's instructors (outsiders 404)", "auth 403 403 ok 404 ok"
)
ADMIN = Policy("ADMIN", "admins only", "auth 403 403 403 403 ok")
AUTHOR = Policy(
    "AUTHOR",
    "learner A, the note's author (everyone else 404, admins too)",
    "auth ok 404 404 404 404",
)
TOKEN_HOLDER = Policy(
    "TOKEN_HOLDER",
    "learner A, the API token's holder (everyone else 404, admins too)",
    "auth ok 404 404 404 404",
)

POLICIES = (
    PUBLIC,
    ANY_USER,
    SELF,
    VIEWER,
    MEMBER,
    OWNER_ONLY,
    INSTRUCTOR_OF,
    INSTRUCTOR_OF_COHORT,
    TEACHER,
    COHORT_LEARNER,
    OWNER,
    UPLOAD_OWNER,
    UPLOADER,
    REPORTER,
    PATH_REPORTER,
    COHORT_REPORTER,
    ADMIN,
    AUTHOR,
    TOKEN_HOLDER,
)

Values = Callable[[World, dict[str, Any]], dict[str, Any]]
Fresh = Callable[[World], dict[str, Any]]
Body = Callable[[World], Any]
MEDIA_ENDPOINTS = frozenset(
    {"playback.hls", "playback.poster", "captions.vtt", "clips.hls_master", "clips.hls_variant"}
)


def _no_values(world: World, fresh: dict[str, Any]) -> dict[str, Any]:
    return {}


def _at(const: dict[str, Any] | None = None, **names: str) -> Values:
    """URL values read from the world's attributes (``_at(slug="program_a")``), the
    ``const`` ones, and the values of the case's throw-away object."""

    def values(world: World, fresh: dict[str, Any]) -> dict[str, Any]:
        found = {key: getattr(world, name) for key, name in names.items()}
        return found | (const or {}) | fresh

    return values


@dataclass(frozen=True)
class Entry:
    """One route (endpoint + method) on one target, and who may call it."""

    endpoint: str
    method: str
    policy: Policy
    values: Values = _no_values  # URL values (extra keys become the query string)
    ok: frozenset[int] = frozenset({200})
    json: Body | None = None  # API body
    form: Body | None = None  # page body (the CSRF token is added)
    data: bytes | None = None  # raw body
    fresh: Fresh | None = None  # makes a throw-away target; its values reach ``values``
    variant: str = ""
    ok_on_s3: frozenset[int] | None = None  # when the S3 backend answers otherwise
    needs_npm: bool = False  # serves a file from node_modules (404 when not installed)
    # Called by a throw-away account of the role's kind (sign-out ends every session and
    # token of the account, which the role's shared caller still needs).
    own_account: bool = False
    kind: Kind = field(init=False)

    def __post_init__(self) -> None:
        if self.endpoint.startswith("api."):
            kind = Kind.API
        elif self.endpoint in MEDIA_ENDPOINTS:
            kind = Kind.MEDIA
        else:
            kind = Kind.PAGE
        object.__setattr__(self, "kind", kind)

    @property
    def key(self) -> tuple[str, str]:
        """The url_map rule this entry covers."""
        return self.endpoint, self.method

    @property
    def label(self) -> str:
        """``METHOD endpoint[variant]`` for test ids and messages."""
        suffix = f"[{self.variant}]" if self.variant else ""
        return f"{self.method} {self.endpoint}{suffix}"


def _e(endpoint: str, method: str, policy: Policy, values: Values = _no_values, **kw) -> Entry:
    ok = kw.pop("ok", 200)
    kw["ok"] = frozenset(ok if isinstance(ok, set | frozenset) else {ok})
    if "ok_on_s3" in kw:
        kw["ok_on_s3"] = frozenset({kw["ok_on_s3"]})
    return Entry(endpoint, method, policy, values, **kw)


# --------------------------------------------------------------------------- the table

TARGETS = ("public", "cohort")
VIEW = {"public": VIEWER, "cohort": MEMBER}
MANAGE = {"public": INSTRUCTOR_OF, "cohort": INSTRUCTOR_OF_COHORT}
POSITION = {"position": 1.0}


def _site_entries() -> Iterator[Entry]:
    """Public pages, the caller's own pages, uploads, certificates, paths, reports."""
    yield _e("health.healthz", "GET", PUBLIC)
    yield _e("api.openapi_document", "GET", PUBLIC)
    yield _e("apidocs.api_docs", "GET", PUBLIC)
    yield _e("apidocs.docs_asset", "GET", PUBLIC, _at({"name": "docs.js"}))
    yield _e("playback.player_static", "GET", PUBLIC, _at({"filename": "player.js"}))
    yield _e("playback.vendor", "GET", PUBLIC, _at({"name": "hls.mjs"}), needs_npm=True)
    yield _e("uploads.vendor", "GET", UPLOADER, _at({"name": "uppy.min.mjs"}), needs_npm=True)
    yield _e("certificates.verify_form", "GET", PUBLIC)
    yield _e("certificates.verify_code", "GET", PUBLIC, _at(code="certificate"))
    yield _e("api.verify_certificate", "GET", PUBLIC, _at(code="certificate"))
    yield _e("learning.programs", "GET", PUBLIC)
    yield _e("learning.program", "GET", PUBLIC, _at(slug="program_a"))
    yield _e("cohorts.masterclasses_page", "GET", PUBLIC)
    # A signed media link is the permission itself: whoever holds it may fetch that file.
    yield _e(
        "playback.media",
        "GET",
        PUBLIC,
        _at(),
        fresh=partial(signed_media, which="cohort"),
        variant="signed link",
    )
    yield _e("api.create_token", "POST", PUBLIC, ok=400, json=lambda w: {})
    yield _e("api.list_tokens", "GET", SELF)
    yield _e("api.delete_token", "DELETE", TOKEN_HOLDER, _at(), fresh=fresh_token, ok=204)

    # Sessions and sign-in: the form answers everyone (signed-in callers are sent on).
    yield _e("auth.login", "GET", PUBLIC, ok={200, 302})
    yield _e("auth.login", "POST", PUBLIC, ok={302, 401}, form=lambda w: {})
    yield _e("auth.logout", "POST", ANY_USER, ok=302, own_account=True)
    yield _e("auth.password", "GET", SELF)
    yield _e("auth.password", "POST", SELF, ok=400, form=lambda w: {})

    yield _e("library.index", "GET", ANY_USER)
    yield _e("learning.home", "GET", SELF)
    yield _e("learning.course", "GET", ANY_USER, _at(slug="course_a"))
    yield _e("learning.enrol_self", "POST", SELF, _at(slug="program_a"), ok=302)
    yield _e("certificates.my_certificates", "GET", SELF)
    yield _e("cohorts.my_classes", "GET", SELF)
    for endpoint in ("api.my_certificates", "api.my_missed_classes", "api.my_paths"):
        yield _e(endpoint, "GET", SELF)
    yield _e("notes.index", "GET", SELF)
    yield _e("notes.export_markdown", "GET", SELF)
    yield _e("notes.export_pdf", "GET", SELF)
    yield _e("api.get_preferences", "GET", SELF)
    yield _e("api.put_preferences", "PUT", SELF, json=lambda w: {})
    yield _e("api.list_modules", "GET", ANY_USER)
    yield _e("api.list_programs", "GET", ANY_USER)
    yield _e("api.get_program", "GET", ANY_USER, _at(slug="program_a"))
    yield _e("api.enrol_in_program", "POST", SELF, _at(slug="program_a"), ok={200, 201})
    yield _e(
        "api.enrol_someone",
        "POST",
        ADMIN,
        _at(slug="program_a"),
        ok={200, 201},
        json=lambda w: {"email": w.emails["learner_b"]},
    )

    # Certificates: the PDF is learner A's; verification (above) is public.
    yield _e("certificates.download", "GET", OWNER, _at(code="certificate"))
    yield _e("api.certificate_pdf", "GET", OWNER, _at(code="certificate"))

    # Uploads: instructors and admins; a session only for the instructor who opened it.
    yield _e("uploads.index", "GET", UPLOADER)
    yield _e("uploads.create", "POST", UPLOADER, ok=400, form=lambda w: {})
    # The body passes the schema (checked before the view) but not the upload rules: 400
    # once the caller is through.
    not_a_video = {"filename": "notes.txt", "type": "text/plain", "size": 1}
    yield _e("api.create_upload", "POST", UPLOADER, ok=400, json=lambda w: not_a_video)
    upload = _at(upload_id="upload")
    part = {"part_number": 1}
    yield _e("api.get_upload", "GET", UPLOAD_OWNER, upload)
    yield _e("api.list_upload_parts", "GET", UPLOAD_OWNER, upload)
    yield _e("api.sign_upload_part", "POST", UPLOAD_OWNER, _at(part, upload_id="upload"))
    yield _e(
        "api.put_upload_part",
        "PUT",
        UPLOAD_OWNER,
        _at(part),
        fresh=fresh_upload,
        data=b"x" * 64,
        ok_on_s3=409,  # parts go straight to the store there
    )
    # A part without an ETag (past the schema, refused by the upload rules): 400 once the
    # caller is through.
    no_etag = {"parts": [{"PartNumber": 1, "ETag": '""'}]}
    no_parts = {"fresh": fresh_upload, "ok": 400, "json": lambda w: no_etag}
    yield _e("api.complete_upload", "POST", UPLOAD_OWNER, _at(), **no_parts)
    yield _e("api.abort_upload", "DELETE", UPLOAD_OWNER, _at(), fresh=fresh_upload, ok=204)

    # Analytics and reports.
    yield _e("analytics.index", "GET", UPLOADER)
    yield _e("reports.index", "GET", REPORTER)
    for endpoint in ("reports.path_report", "reports.path_report_csv", "api.path_report_api"):
        yield _e(endpoint, "GET", PATH_REPORTER, _at(slug="program_a"))
    for endpoint in ("reports.cohort_report", "reports.cohort_report_csv", "api.cohort_report_api"):
        yield _e(endpoint, "GET", COHORT_REPORTER, _at(cohort_id="cohort_a"))


def _mark_learner_a(world: World) -> dict[str, str]:
    return {f"present-{world.users['learner_a']}": "1"}


def _learner_a_present(world: World) -> dict[str, Any]:
    return {"user_id": world.users["learner_a"], "present": True}


def _cohort_entries() -> Iterator[Entry]:
    """Cohort A's pages, classes, attendance, check-in and exam; the masterclass."""
    cohort = _at(cohort_id="cohort_a")
    live, master = _at(class_id="live_class_a"), _at(class_id="masterclass")
    past, exam = _at(class_id="past_class_a"), _at(exam_id="exam_a")
    yield _e("cohorts.cohort_page", "GET", MEMBER, cohort)
    yield _e("api.cohort_detail", "GET", MEMBER, cohort)
    yield _e("api.cohort_schedule", "GET", MEMBER, cohort)
    yield _e("cohorts.exam_review", "GET", MEMBER, exam)
    yield _e("api.exam_review_api", "GET", MEMBER, exam)
    yield _e("cohorts.mark_attendance", "POST", TEACHER, live, ok=302, form=_mark_learner_a)
    yield _e("api.class_attendance", "POST", TEACHER, live, json=_learner_a_present)
    yield _e(
        "api.class_attendance",
        "POST",
        ADMIN,
        master,
        json=_learner_a_present,
        variant="masterclass",
    )
    yield _e("cohorts.check_in", "POST", COHORT_LEARNER, live, ok=302, form=lambda w: {})
    yield _e("api.class_check_in", "POST", COHORT_LEARNER, live)
    yield _e("api.class_check_in", "POST", ANY_USER, master, variant="masterclass")
    yield _e("cohorts.attach_recording", "GET", TEACHER, past)
    yield _e(
        "cohorts.attach_recording",
        "POST",
        TEACHER,
        past,
        ok=302,
        form=lambda w: {"video_id": str(w.recording)},
    )


# World attributes of each target's objects.
OBJECTS = {
    "public": {
        "video_id": "public_video",
        "clip_id": "public_clip",
        "chapter_id": "public_chapter",
        "module_id": "public_module",
    },
    "cohort": {
        "video_id": "recording",
        "clip_id": "private_clip",
        "chapter_id": "private_chapter",
        "module_id": "private_module",
    },
}


LEGAL_CLIP = {"title": "Cut", "start": 0, "end": 1}
LEGAL_CHAPTER = {"title": "Later", "start": 1.0}


def _video_entries(which: str) -> Iterator[Entry]:
    """Everything on one video: watching, media, progress, captions, clips, chapters."""
    view, manage, names = VIEW[which], MANAGE[which], OBJECTS[which]
    video = _at(video_id=names["video_id"])
    caption = _at({"language": "en"}, video_id=names["video_id"])
    clip = _at(video_id=names["video_id"], clip_id=names["clip_id"])
    chapter = _at(video_id=names["video_id"], chapter_id=names["chapter_id"])

    def e(endpoint: str, method: str, policy: Policy, values: Values = video, **kw) -> Entry:
        return _e(endpoint, method, policy, values, variant=which, **kw)

    yield e("playback.watch", "GET", view)
    yield e("playback.hls", "GET", view, _at({"rel": "master.m3u8"}, video_id=names["video_id"]))
    yield e("playback.poster", "GET", view)
    yield e("captions.vtt", "GET", view, caption)
    yield e("api.get_video", "GET", view)
    yield e("api.get_progress_view", "GET", view)
    yield e("api.put_progress", "PUT", view, json=lambda w: POSITION)
    yield e("api.post_progress", "POST", view, json=lambda w: POSITION)
    yield e("api.list_captions", "GET", view)
    yield e("api.get_caption", "GET", view, caption)
    yield e("api.list_clips", "GET", view)
    yield e("api.list_notes", "GET", view)
    # Past the schema (checked before the view), refused by the note rules (a note needs
    # text): 400 once the caller is through.
    textless = {"kind": "note", "position": 1}
    yield e("api.create_note", "POST", view, ok=400, json=lambda w: textless)
    learner_a_note = partial(fresh_note, which=which)
    yield e(
        "api.update_note", "PATCH", AUTHOR, _at(), fresh=learner_a_note, ok=400, json=lambda w: {}
    )
    yield e("api.delete_note", "DELETE", AUTHOR, _at(), fresh=learner_a_note, ok=204)
    yield e("api.get_clip", "GET", view, clip)
    yield e("api.list_chapters", "GET", view)

    yield e("analytics.video", "GET", manage)
    yield e("api.video_analytics", "GET", manage)
    yield e("clips.editor", "GET", manage)
    yield e("captions.manage", "GET", manage)
    yield e("captions.upload", "POST", manage, ok=400, form=lambda w: {"language": "de"})
    yield e("captions.make_default", "POST", manage, caption, ok=302, form=lambda w: {})
    spare_track = partial(fresh_caption, which=which)
    yield e("captions.remove", "POST", manage, fresh=spare_track, ok=302, form=lambda w: {})
    yield e("api.upload_caption", "POST", manage, ok=400, json=lambda w: {})
    yield e("api.update_caption", "PATCH", manage, caption, json=lambda w: {"label": "English"})
    yield e("api.delete_caption", "DELETE", manage, fresh=spare_track, ok=204)
    # A legal body: the schema refuses an empty one (400) before any access check runs.
    yield e("api.create_clip", "POST", manage, ok=201, json=lambda w: LEGAL_CLIP)
    yield e("api.update_clip", "PATCH", manage, clip, json=lambda w: {})
    spare_clip = partial(fresh_clip, which=which)
    yield e("api.delete_clip", "DELETE", manage, fresh=spare_clip, ok=204)
    yield e("api.export_clip", "POST", manage, fresh=spare_clip, ok=202)
    yield e("api.get_export", "GET", manage, clip)
    yield e("api.create_chapter", "POST", manage, ok=201, json=lambda w: LEGAL_CHAPTER)
    yield e("api.update_chapter", "PATCH", manage, chapter, json=lambda w: {})
    spare_chapter = partial(fresh_chapter, which=which)
    yield e("api.delete_chapter", "DELETE", manage, fresh=spare_chapter, ok=204)
    yield e("api.chapter_to_clip", "POST", manage, fresh=spare_chapter, ok=201)
    yield e("api.list_suggestions", "GET", manage)
    yield e(
        "api.resolve_suggestion",
        "POST",
        manage,
        _at({"action": "accept"}, video_id=names["video_id"]),
        fresh=partial(fresh_suggestion, which=which),
    )
    yield e(
        "api.update_module", "PATCH", manage, _at(module_id=names["module_id"]), json=lambda w: {}
    )


def _clip_entries(which: str) -> Iterator[Entry]:
    """A clip's page, virtual playlists, download, progress and analytics."""
    view, manage, names = VIEW[which], MANAGE[which], OBJECTS[which]
    clip = _at(clip_id=names["clip_id"])
    half = {"position": 0.5}

    def e(endpoint: str, method: str, policy: Policy, values: Values = clip, **kw) -> Entry:
        return _e(endpoint, method, policy, values, variant=which, **kw)

    yield e("clips.watch", "GET", view)
    yield e("clips.hls_master", "GET", view)
    yield e("clips.hls_variant", "GET", view, _at(clip_id=names["clip_id"], variant="variant"))
    yield e("clips.download", "GET", view)
    yield e("api.get_clip_progress", "GET", view)
    yield e("api.put_clip_progress", "PUT", view, json=lambda w: half)
    yield e("api.beacon_clip_progress", "POST", view, json=lambda w: half)
    yield e("analytics.clip", "GET", manage)
    yield e("api.clip_analytics", "GET", manage)


def _draft_entries() -> Iterator[Entry]:
    """A video that is not published yet: only its instructor and admins know it."""
    draft = _at(video_id="draft_video")
    yield _e("playback.watch", "GET", OWNER_ONLY, draft, variant="draft")
    yield _e("api.get_video", "GET", OWNER_ONLY, draft, variant="draft")


def _table() -> tuple[Entry, ...]:
    from tests.support import matrix_backoffice  # its modules import this one

    entries = [*_site_entries(), *_cohort_entries(), *_draft_entries()]
    entries += matrix_backoffice.entries()
    for which in TARGETS:
        entries += [*_video_entries(which), *_clip_entries(which)]
    return tuple(entries)


TABLE: tuple[Entry, ...] = _table()

# Routes served by Flask's static file handlers: files, not decisions.
STATIC_SUFFIX = "static"

# Routes of features other helpers are building right now (sessions and sign-in, notes):
# the completeness test accepts them without an entry. The lead moves each one into TABLE
# (with its policy) and out of here once its feature has landed.
PENDING: dict[str, str] = {}


def is_static(endpoint: str) -> bool:
    """``static`` and any blueprint's ``<name>.static``."""
    return endpoint == STATIC_SUFFIX or endpoint.endswith("." + STATIC_SUFFIX)


def app_routes(app: Any) -> dict[tuple[str, str], str]:
    """Every (endpoint, method) of ``app.url_map`` but static files, HEAD and OPTIONS,
    with its rule."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if is_static(rule.endpoint):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes[(rule.endpoint, method)] = rule.rule
    return routes


# --------------------------------------------------------------------------- markdown

SYMBOLS = {Outcome.OK: "✓", Outcome.AUTH: "sign in", Outcome.DENY: "403", Outcome.HIDE: "404"}


def markdown(app: Any) -> str:
    """The table as Markdown: a summary, the policies, then one row per entry."""
    routes = app_routes(app)
    covered = {e.key for e in TABLE}
    lines = [
        f"{len(covered)} routes (endpoint × method) in {len(TABLE)} entries, "
        f"{len(ROLES)} roles, {len(TABLE) * len(ROLES)} cases; "
        f"pending: {', '.join(sorted(PENDING)) or 'none'}. ✓: allowed, with the route's "
        "success status (a 400 where the case sends an empty body on purpose); sign in: 401 "
        "(API, media) or a redirect to /login (pages).",
        "",
        "| Policy | Who | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for policy in POLICIES:
        cells = [SYMBOLS[policy.outcome(r)] for r in ROLES]
        lines.append(f"| {policy.name} | {policy.who} | " + " | ".join(cells) + " |")
    lines += ["", "| Method | Path | Policy (target) | Success |", "|---|---|---|---|"]
    rows: dict[tuple[str, str], list[Entry]] = {}
    for entry in TABLE:
        rows.setdefault((routes.get(entry.key, "?"), entry.method), []).append(entry)
    for (path, method), entries in sorted(rows.items()):
        policies = " · ".join(
            e.policy.name + (f" ({e.variant})" if e.variant else "") for e in entries
        )
        ok = "/".join(str(s) for s in sorted(set().union(*(e.ok for e in entries))))
        lines.append(f"| {method} | `{path}` | {policies} | {ok} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """``--markdown``: print the table (the app is built on a throw-away instance dir)."""
    if argv != ["--markdown"]:
        print("usage: python -m tests.support.route_matrix --markdown", file=sys.stderr)
        return 2
    os.environ.setdefault("LEARNSTREAM_INSTANCE", tempfile.mkdtemp(prefix="route-matrix-"))
    sys.stdout.write(markdown(create_app({"TESTING": True})))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
