"""Notes and bookmarks: the write rules, the JSON API and who may use it, the "My notes"
page, and the Markdown and PDF exports grouped by course."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from tests.support import factories
from tests.support.auth import Auth
from webapp.catalogue import services as catalogue
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import CohortMember, Enrollment, Note, User, Video
from webapp.notes import export
from webapp.notes.services import (
    MAX_BODY,
    NoteError,
    check_body,
    check_position,
    clean_body,
)
from webapp.timefmt import clock

# --------------------------------------------------------------------------- helpers


_video = factories.listed_video


def _notes_url(video_id: int) -> str:
    return f"/api/v1/videos/{video_id}/notes"


@dataclass
class Api:
    """JSON calls as the signed-in browser makes them (session cookie + CSRF header)."""

    client: FlaskClient
    auth: Auth
    headers: dict[str, str] | None = None

    def sign_in(self, user: factories.UserInfo) -> None:
        """Sign in as ``user`` (signing out whoever was signed in)."""
        self.auth.logout()
        self.auth.login(user.email)
        self.headers = self.auth.json_headers()

    def create(self, video_id: int, body: object, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(_notes_url(video_id), data=data, headers=self.headers)

    def add(self, video_id: int, position: float, body: str = "", kind: str = "note") -> int:
        response = self.create(video_id, {"kind": kind, "position": position, "body": body})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def listing(self, video_id: int):
        return self.client.get(_notes_url(video_id))

    def patch(self, note_id: int, body: object, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body)
        return self.client.patch(f"/api/v1/notes/{note_id}", data=data, headers=self.headers)

    def delete(self, note_id: int):
        return self.client.delete(f"/api/v1/notes/{note_id}", headers=self.headers)


@pytest.fixture
def api(client: FlaskClient, auth: Auth) -> Api:
    """JSON calls bound to the test client."""
    return Api(client, auth)


@pytest.fixture
def lesson(app: Flask, make_user, api: Api) -> tuple[factories.UserInfo, int]:
    """A signed-in learner and a 600 s lesson by another instructor."""
    instructor = make_user("instructor")
    video_id = _video(app, instructor.id, "Mean and variance")
    learner = make_user("learner")
    api.sign_in(learner)
    return learner, video_id


def _stored(app: Flask) -> list[tuple[int, int, str, float, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Note.user_id, Note.video_id, Note.kind, Note.position, Note.body).order_by(
                Note.id
            )
        ).all()
        return [tuple(r) for r in rows]


# --------------------------------------------------------------------------- rules (pure)


def test_body_is_cleaned_of_control_characters_and_outer_blank_space() -> None:
    assert clean_body("  first\r\nsecond\rthird\u2028fourth\x00\x07\tend \n") == (
        "first\nsecond\nthird\nfourth\tend"
    )
    assert clean_body("Cafe\u0301") == "Café"  # NFC
    assert clean_body(None) == ""


def test_a_note_needs_text_a_bookmark_does_not() -> None:
    assert check_body("", "bookmark") == ""
    assert check_body("x" * MAX_BODY, "note") == "x" * MAX_BODY
    with pytest.raises(NoteError, match="needs some text"):
        check_body(" \n\x00 ", "note")
    with pytest.raises(NoteError, match="5,000 character limit"):
        check_body("x" * (MAX_BODY + 1), "bookmark")


def test_position_bounds() -> None:
    video = Video(title="t", owner_id=1, duration=90.0)
    assert check_position(0, video) == 0.0
    assert check_position(90, video) == 90.0
    assert check_position(12.34567, video) == 12.346
    with pytest.raises(NoteError, match="past the end"):
        check_position(90.001, video)
    # A video still being processed has no duration yet: only the lower bound holds.
    assert check_position(5000, Video(title="t", owner_id=1, duration=None)) == 5000.0


def test_timestamps_read_like_the_player() -> None:
    """m:ss under an hour, h:mm:ss from an hour (webapp.timefmt.clock)."""
    assert [clock(s) for s in (0, 5.9, 65.4, 3599.99, 3725, 36000)] == [
        "0:00",
        "0:05",
        "1:05",
        "59:59",
        "1:02:05",
        "10:00:00",
    ]
    assert export.start_second(65.9) == 65


def test_markdown_escapes_what_would_become_html_links_or_blocks() -> None:
    assert export.escape_body("<script>x</script> [a](javascript:1)") == (
        "\\<script\\>x\\</script\\> \\[a\\](javascript:1)"
    )
    assert export.escape_body("# h\n- item\n1. one\n> quote\n*kept*") == (
        "\\# h\n\\- item\n1\\. one\n\\> quote\n*kept*"
    )
    assert export.escape_inline("A *b* <i>\n#1") == "A \\*b\\* \\<i\\> \\#1"


# --------------------------------------------------------------------------- API: CRUD


def test_create_list_edit_and_delete(app: Flask, api: Api, lesson) -> None:
    learner, video_id = lesson
    response = api.create(video_id, {"kind": "note", "position": 65.4, "body": " Variance\r\n"})
    assert response.status_code == 201
    note = response.get_json()
    assert note["kind"] == "note"
    assert note["position"] == 65.4
    assert note["body"] == "Variance"
    assert note["video_id"] == video_id
    assert note["url"] == f"/videos/{video_id}?t=65"
    bookmark = api.create(video_id, {"kind": "bookmark", "position": 12}).get_json()
    assert bookmark["body"] == ""
    # No kind: a note.
    third = api.create(video_id, {"position": 600, "body": "The end"}).get_json()
    assert third["kind"] == "note"

    listed = api.listing(video_id).get_json()["notes"]
    assert [(n["id"], n["position"]) for n in listed] == [
        (bookmark["id"], 12.0),
        (note["id"], 65.4),
        (third["id"], 600.0),
    ]

    edited = api.patch(note["id"], {"body": "Variance: mean squared deviation", "position": 70})
    assert edited.status_code == 200
    assert edited.get_json()["body"] == "Variance: mean squared deviation"
    assert edited.get_json()["position"] == 70.0
    labelled = api.patch(bookmark["id"], {"body": "Key formula"})
    assert labelled.get_json()["body"] == "Key formula"
    assert api.patch(bookmark["id"], {"body": ""}).get_json()["body"] == ""

    assert api.delete(third["id"]).status_code == 204
    assert api.delete(third["id"]).status_code == 404
    assert _stored(app) == [
        (learner.id, video_id, "note", 70.0, "Variance: mean squared deviation"),
        (learner.id, video_id, "bookmark", 12.0, ""),
    ]


BAD_CREATES = [
    ("not json", None, "send a JSON object"),
    ("a list", [], "send a JSON object"),
    ("unknown kind", {"kind": "comment", "position": 1, "body": "x"}, "kind: Input should be"),
    ("kind null", {"kind": None, "position": 1, "body": "x"}, "kind: Input should be"),
    ("no position", {"kind": "note", "body": "x"}, "position: Field required"),
    ("position as text", {"position": "12", "body": "x"}, "position: Input should be a valid"),
    ("position true", {"position": True, "body": "x"}, "position: Input should be a valid"),
    ("negative position", {"position": -0.5, "body": "x"}, "position: Input should be greater"),
    ("past the end", {"position": 600.5, "body": "x"}, "past the end of the video"),
    ("infinite", {"position": 1e400, "body": "x"}, "finite"),
    ("empty note", {"kind": "note", "position": 1, "body": ""}, "needs some text"),
    ("blank note", {"position": 1, "body": " \n\t "}, "needs some text"),
    ("note without body", {"position": 1}, "needs some text"),
    ("body a number", {"position": 1, "body": 5}, "body: Input should be a valid string"),
    ("body too long", {"position": 1, "body": "é" * (MAX_BODY + 1)}, "5,000 character limit"),
    ("user_id", {"position": 1, "body": "x", "user_id": 1}, "unknown field(s): user_id"),
    (
        "ids",
        {"position": 1, "body": "x", "video_id": 2, "id": 3},
        "unknown field(s): video_id, id; allowed: body, kind, position",
    ),
]


@pytest.mark.parametrize(
    ("payload", "message"),
    [pytest.param(p, m, id=name) for name, p, m in BAD_CREATES],
)
def test_create_refuses_bad_input(app: Flask, api: Api, lesson, payload, message) -> None:
    _, video_id = lesson
    raw = "kind=note" if payload is None else None
    response = api.create(video_id, payload, raw=raw)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert _stored(app) == []


def test_create_refuses_nan(app: Flask, api: Api, lesson) -> None:
    _, video_id = lesson
    response = api.create(video_id, None, raw='{"position": NaN, "body": "x"}')
    assert response.status_code == 400
    assert "finite" in response.get_json()["error"]


BAD_PATCHES = [
    ({}, 'send "body" and/or "position"'),
    ([], "send a JSON object"),
    ({"kind": "bookmark"}, "unknown field(s): kind; allowed: body, position"),
    ({"user_id": 1}, "unknown field(s): user_id"),
    ({"video_id": 1, "body": "moved"}, "unknown field(s): video_id"),
    ({"body": ""}, "needs some text"),
    ({"body": None}, "needs some text"),
    ({"body": "fine", "position": 601}, "past the end of the video"),
    ({"position": "soon"}, "position: Input should be a valid number"),
    ({"position": None}, "position must be a number"),
]


@pytest.mark.parametrize(("payload", "message"), BAD_PATCHES)
def test_edit_refuses_bad_input_and_changes_nothing(
    app: Flask, api: Api, lesson, payload, message
) -> None:
    learner, video_id = lesson
    note_id = api.add(video_id, 30, "Original")
    response = api.patch(note_id, payload)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert _stored(app) == [(learner.id, video_id, "note", 30.0, "Original")]


SCHEMA_FAULTS = [
    ("wrong type", "POST", {"position": "1"}, "position"),
    ("unknown field", "POST", {"position": 1, "body": "x", "user_id": 1}, "user_id"),
    ("too far", "POST", {"position": -1, "body": "x"}, "position"),
    ("not finite", "POST", {"position": 1e400, "body": "x"}, "position"),
    ("missing", "POST", {"body": "x"}, "position"),
    ("enum", "POST", {"kind": "comment", "position": 1}, "kind"),
    ("wrong type", "PATCH", {"body": ["x"]}, "body"),
    ("unknown field", "PATCH", {"kind": "bookmark"}, "kind"),
    ("out of range", "PATCH", {"position": -0.001}, "position"),
]


@pytest.mark.parametrize(
    ("method", "payload", "field"),
    [pytest.param(m, p, f, id=f"{m}-{name}") for name, m, p, f in SCHEMA_FAULTS],
)
def test_bad_input_is_a_problem_naming_the_field(
    app: Flask, api: Api, lesson, method: str, payload: dict, field: str
) -> None:
    _, video_id = lesson
    note_id = api.add(video_id, 30, "Original")
    response = api.create(video_id, payload) if method == "POST" else api.patch(note_id, payload)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert field in {error["field"] for error in problem["errors"]}
    assert problem["detail"] == problem["error"] and field in problem["detail"]
    assert len(_stored(app)) == 1


def test_the_end_of_the_video_is_a_valid_position(api: Api, lesson) -> None:
    _, video_id = lesson
    assert api.create(video_id, {"position": 600, "kind": "bookmark"}).status_code == 201
    assert api.create(video_id, {"position": 600.01, "kind": "bookmark"}).status_code == 400


# --------------------------------------------------------------------------- API: who


def test_notes_are_private_to_their_author(app: Flask, api: Api, lesson, make_user) -> None:
    learner, video_id = lesson
    note_id = api.add(video_id, 10, "Mine only")
    other = make_user("learner")
    api.sign_in(other)
    assert api.listing(video_id).get_json() == {"notes": []}
    for response in (
        api.patch(note_id, {"body": "Hijacked"}),
        api.patch(note_id, {}),  # 404 before any validation: nothing tells it exists
        api.delete(note_id),
    ):
        assert response.status_code == 404
        assert response.get_json() == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "No such note.",
            "error": "No such note.",
        }
    # The other learner's own note does not mix with the first one's.
    api.add(video_id, 20, "Theirs")
    assert [n["body"] for n in api.listing(video_id).get_json()["notes"]] == ["Theirs"]
    assert [row[4] for row in _stored(app)] == ["Mine only", "Theirs"]

    # Not even the video's owner or an admin reads a learner's notes through the API.
    admin = make_user("admin")
    api.sign_in(admin)
    assert api.listing(video_id).get_json() == {"notes": []}
    assert api.delete(note_id).status_code == 404


def test_unknown_note_and_video_ids_are_404(api: Api, lesson) -> None:
    _, video_id = lesson
    assert api.patch(999_999, {"body": "x"}).status_code == 404
    assert api.delete(999_999).status_code == 404
    assert api.listing(999_999).status_code == 404
    assert api.create(999_999, {"position": 1, "body": "x"}).status_code == 404


def test_cohort_private_recording_is_not_notable_by_outsiders(
    app: Flask, api: Api, make_user
) -> None:
    instructor = make_user("instructor")
    video_id = _video(app, instructor.id, "Week 1 class")
    member, outsider = make_user("learner"), make_user("learner")
    with app.app_context():
        cohort = factories.add_cohort_recording(video_id, "cohort-notes", datetime.now(UTC))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=member.id, role="learner"))
        db.session.commit()

    api.sign_in(member)
    note_id = api.add(video_id, 5, "Cohort insight")
    api.sign_in(outsider)
    assert api.listing(video_id).status_code == 404
    assert api.create(video_id, {"position": 5, "body": "x"}).status_code == 404
    assert api.patch(note_id, {"body": "x"}).status_code == 404

    # A learner who leaves the cohort can no longer edit, but may still delete their note.
    with app.app_context():
        db.session.execute(delete(CohortMember).where(CohortMember.user_id == member.id))
        db.session.commit()
    api.sign_in(member)
    assert api.listing(video_id).status_code == 404
    assert api.patch(note_id, {"body": "x"}).status_code == 404
    assert api.delete(note_id).status_code == 204
    assert _stored(app) == []


def test_signed_out_callers_get_401(client: FlaskClient, lesson, api: Api) -> None:
    _, video_id = lesson
    note_id = api.add(video_id, 1, "x")
    api.auth.logout()
    assert client.get(_notes_url(video_id)).status_code == 401
    assert client.post(_notes_url(video_id), json={"position": 1, "body": "x"}).status_code == 401
    assert client.delete(f"/api/v1/notes/{note_id}").status_code == 401
    assert client.get("/notes").status_code in (302, 401)
    assert client.get("/notes/export.md").status_code in (302, 401)


def test_session_writes_need_the_csrf_token(app: Flask, client: FlaskClient, api: Api, lesson):
    _, video_id = lesson
    note_id = api.add(video_id, 1, "Kept")
    plain = {"Content-Type": "application/json"}
    for response in (
        client.post(_notes_url(video_id), data='{"position": 2, "body": "x"}', headers=plain),
        client.patch(f"/api/v1/notes/{note_id}", data='{"body": "changed"}', headers=plain),
        client.delete(f"/api/v1/notes/{note_id}", headers=plain),
    ):
        assert response.status_code == 400
        assert response.get_json()["error"].startswith("CSRF check failed")
    assert [row[4] for row in _stored(app)] == ["Kept"]


def test_bearer_token_callers_need_no_csrf_token(app: Flask, client: FlaskClient, lesson) -> None:
    learner, video_id = lesson
    token = client.post(
        "/api/v1/tokens", json={"email": learner.email, "password": learner.password}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    response = client.post(
        _notes_url(video_id), json={"kind": "bookmark", "position": 3}, headers=bearer
    )
    assert response.status_code == 201
    assert client.get(_notes_url(video_id), headers=bearer).get_json()["notes"][0]["position"] == 3


# --------------------------------------------------------------------------- grouping + exports


@dataclass(frozen=True)
class Library:
    """Ids of the export fixture: two courses, two videos in none."""

    learner: factories.UserInfo
    other: factories.UserInfo
    mean: int
    sampling: int
    linear: int
    guest: int
    welcome: int
    statistics: int
    algebra: int


def _module_id(video_id: int) -> int:
    module = catalogue.module_of_video(video_id)
    assert module is not None
    return module.id


@pytest.fixture
def library(app: Flask, api: Api, make_user) -> Library:
    """Statistics (Sampling, then Mean and variance; in a program the learner follows),
    Algebra (Linear equations), and two videos in no course; notes added out of order,
    plus another learner's note."""
    instructor = make_user("instructor")
    mean = _video(app, instructor.id, "Mean and variance")
    sampling = _video(app, instructor.id, "Sampling", duration=4000.0)
    linear = _video(app, instructor.id, "Linear equations")
    guest = _video(app, instructor.id, "Guest talk", duration=300.0)
    welcome = _video(app, instructor.id, "Welcome", duration=100.0)
    learner, other = make_user("learner"), make_user("learner")
    with app.app_context():
        algebra = learning.create_course("algebra", "Algebra", [_module_id(linear)])
        statistics = learning.create_course(
            "statistics", "Statistics", [_module_id(sampling), _module_id(mean)]
        )
        program = learning.create_program("exam-prep", "Exam prep", ["statistics"])
        learning.enrol(db.session.get(User, learner.id), program)
        # Program content is for its members (audiences): the other learner is one too.
        learning.enrol(db.session.get(User, other.id), program)
        db.session.commit()
        algebra_id, statistics_id = algebra.id, statistics.id

    api.sign_in(other)
    api.add(mean, 1, "SECRET of another learner")
    api.sign_in(learner)
    api.add(welcome, 5, "Hi")
    api.add(mean, 65.4, "Variance is the mean of squared deviations")
    api.add(linear, 0, "Solve for x")
    api.add(guest, 30, "Great example", kind="bookmark")
    api.add(sampling, 3725, "Central limit theorem\nholds for large n")
    api.add(mean, 12, kind="bookmark")
    return Library(
        learner, other, mean, sampling, linear, guest, welcome, statistics_id, algebra_id
    )


def _link(video_id: int, t: int) -> str:
    return f"http://localhost/videos/{video_id}?t={t}"


def test_markdown_export_groups_by_course_then_video(client: FlaskClient, library) -> None:
    lib = library
    response = client.get("/notes/export.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-notes.md"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_data(as_text=True) == (
        "# My notes\n\n"
        "## Statistics\n\n"
        "### Sampling\n\n"
        f"- [1:02:05]({_link(lib.sampling, 3725)}) Central limit theorem\n"
        "  holds for large n\n\n"
        "### Mean and variance\n\n"
        f"- [0:12]({_link(lib.mean, 12)}) **Bookmark**\n"
        f"- [1:05]({_link(lib.mean, 65)}) Variance is the mean of squared deviations\n\n"
        "## Algebra\n\n"
        "### Linear equations\n\n"
        f"- [0:00]({_link(lib.linear, 0)}) Solve for x\n\n"
        "## Other videos\n\n"
        "### Guest talk\n\n"
        f"- [0:30]({_link(lib.guest, 30)}) **Bookmark** Great example\n\n"
        "### Welcome\n\n"
        f"- [0:05]({_link(lib.welcome, 5)}) Hi\n"
    )


def test_courses_outside_the_learners_programs_follow_by_title(
    app: Flask, client: FlaskClient, library
) -> None:
    with app.app_context():
        db.session.execute(delete(Enrollment))
        db.session.commit()
    text = client.get("/notes/export.md").get_data(as_text=True)
    assert text.index("## Algebra") < text.index("## Statistics") < text.index("## Other videos")


def test_a_video_in_two_courses_is_listed_under_each(
    app: Flask, client: FlaskClient, library
) -> None:
    with app.app_context():
        learning.create_course("revision", "Revision", [_module_id(library.mean)])
        db.session.commit()
    text = client.get("/notes/export.md").get_data(as_text=True)
    assert text.count("Variance is the mean of squared deviations") == 2
    revision = text[text.index("## Revision") :]
    assert revision.index("### Mean and variance") < revision.index("## Other videos")


def test_export_of_one_course(client: FlaskClient, library) -> None:
    response = client.get(f"/notes/export.md?course={library.algebra}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="my-notes-course-{library.algebra}.md"'
    )
    assert response.get_data(as_text=True) == (
        "# My notes: Algebra\n\n## Algebra\n\n### Linear equations\n\n"
        f"- [0:00]({_link(library.linear, 0)}) Solve for x\n"
    )
    for bad in ("999999", "abc", "-1", "1e3"):
        assert client.get(f"/notes/export.md?course={bad}").status_code == 404
        assert client.get(f"/notes?course={bad}").status_code == 404


def test_pdf_export_is_a_pdf_with_the_notes(client: FlaskClient, api: Api, library) -> None:
    api.add(library.welcome, 7, "Привет, Ελληνικά, naïve — <b>bold?</b>")
    response = client.get("/notes/export.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-notes.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for expected in (
        "My notes",
        "Statistics",
        "Sampling",
        "1:02:05",
        "Central limit theorem",
        "Variance is the mean of squared deviations",
        "Other videos",
        "Bookmark",
        "Привет, Ελληνικά, naïve — <b>bold?</b>",
    ):
        assert expected in text
    assert text.index("Statistics") < text.index("Algebra") < text.index("Other videos")
    assert "SECRET" not in text


def test_pdf_export_of_many_notes_runs_over_pages(
    app: Flask, client: FlaskClient, api: Api, lesson
) -> None:
    _, video_id = lesson
    for i in range(60):
        api.add(video_id, i * 10, f"Point {i}: " + "long text " * 30)
    data = client.get("/notes/export.pdf").get_data()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Point 0:" in text and "Point 59:" in text


def test_another_learners_notes_never_appear(client: FlaskClient, api: Api, library) -> None:
    assert "SECRET" not in client.get("/notes/export.md").get_data(as_text=True)
    assert "SECRET" not in client.get("/notes").get_data(as_text=True)
    api.sign_in(library.other)
    page = client.get("/notes").get_data(as_text=True)
    assert "SECRET of another learner" in page
    assert "Variance" not in page
    assert "Variance" not in client.get("/notes/export.md").get_data(as_text=True)


HEADINGS = re.compile(r"<h([23])[^>]*>(?:<a [^>]*>)?([^<]+)<")


def test_my_notes_page_lists_courses_videos_and_notes(client: FlaskClient, library) -> None:
    page = client.get("/notes").get_data(as_text=True)
    assert HEADINGS.findall(page) == [
        ("2", "Statistics"),
        ("3", "Sampling"),
        ("3", "Mean and variance"),
        ("2", "Algebra"),
        ("3", "Linear equations"),
        ("2", "Other videos"),
        ("3", "Guest talk"),
        ("3", "Welcome"),
    ]
    # The course filter offers the courses with notes, in the same order.
    assert re.findall(r'<option value="(\d+)"', page) == [
        str(library.statistics),
        str(library.algebra),
    ]
    assert f'href="/videos/{library.mean}?t=65"' in page
    assert ">1:05<" in page
    assert f'href="/notes/export.pdf?course={library.statistics}"' not in page
    filtered = client.get(f"/notes?course={library.statistics}").get_data(as_text=True)
    assert f'href="/notes/export.pdf?course={library.statistics}"' in filtered
    assert "Linear equations" not in filtered
    assert "Sampling" in filtered


def test_note_text_with_html_is_inert(client: FlaskClient, api: Api, lesson) -> None:
    _, video_id = lesson
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    note_id = api.add(video_id, 3, hostile)
    assert api.listing(video_id).get_json()["notes"][0]["body"] == hostile  # JSON is data
    page = client.get("/notes").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = client.get("/notes/export.md").get_data(as_text=True)
    assert '\\<script\\>alert(1)\\</script\\>\\<img src=x onerror="alert(2)"\\>' in markdown
    assert api.delete(note_id).status_code == 204


def test_the_watch_page_carries_the_panel(client: FlaskClient, lesson) -> None:
    _, video_id = lesson
    page = client.get(f"/videos/{video_id}").get_data(as_text=True)
    assert f'data-list-url="/api/v1/videos/{video_id}/notes"' in page
    assert 'data-note-url="/api/v1/notes/0"' in page
    assert "notes.js" in page and "notes.css" in page


def test_deleting_a_video_deletes_its_notes(app: Flask, api: Api, lesson) -> None:
    _, video_id = lesson
    api.add(video_id, 3, "gone with the video")
    with app.app_context():
        db.session.execute(delete(Video).where(Video.id == video_id))
        db.session.commit()
        assert db.session.scalar(select(func.count(Note.id))) == 0
