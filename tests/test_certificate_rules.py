"""Certificate rules (issue 19): each requirement alone and combined, issuing at the
event (heartbeat batch, attendance mark, exam result) exactly once and e-mailed, under
concurrent heartbeats, and revocation with the verification page saying so."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.support import factories
from tests.support.auth import Auth
from tests.support.smtp import Mailbox, links
from webapp.certificates import queries, services
from webapp.certificates.completion import issue_if_due
from webapp.certificates.events import PENDING
from webapp.certificates.exams import EXTENSION, use_exam_results
from webapp.certificates.rules import Facts, Rule, crossed, evaluate
from webapp.certificates.services import find_certificate
from webapp.cohorts import services as cohorts
from webapp.extensions import db
from webapp.learning import services as learning
from webapp.models import Certificate, Module, Program, User, Video, VideoState, WatchProgress
from webapp.models.base import utcnow
from webapp.progress.beats import Beat
from webapp.progress.rows import ModuleKey
from webapp.progress.store import Pending
from webapp.progress.writer import get_writer
from webapp.timefmt import long_day

SLUG = "data-basics"
TITLE = "Data Basics"
DURATION = 100.0

# --------------------------------------------------------------------------- the pure rule


def test_evaluate_each_requirement_and_what_is_left() -> None:
    rule = Rule(module_ids=(1, 2), min_share=0.9, min_classes=2, exam_ids=(7,))
    facts = Facts(
        watched={1: 95.0, 2: 50.0},
        durations={1: 100.0, 2: 100.0},
        module_titles={1: "One", 2: "Two"},
        classes_attended=1,
        exams_passed=(),
        exam_titles={7: "Final"},
    )
    verdict = evaluate(rule, facts)
    assert not verdict.met
    assert verdict.missing == (
        "Watch 90 % of ‘Two’ (now 50 %)",
        "Attend 1 more live class (1 of 2)",
        "Pass the exam ‘Final’",
    )
    done = Facts({1: 90.0, 2: 100.0}, {1: 100.0, 2: 100.0}, {}, 2, {7}, {})
    assert evaluate(rule, done).met and evaluate(rule, done).missing == ()
    assert evaluate(Rule(module_ids=(1,), min_share=0.5), Facts({1: 50.0}, {1: 100.0}, {})).met


def test_a_rule_that_asks_for_nothing_is_never_met() -> None:
    verdict = evaluate(Rule(module_ids=()), Facts({}, {}, {}, classes_attended=3))
    assert not verdict.met
    assert verdict.missing == ("The program has nothing to complete yet",)
    assert evaluate(Rule(module_ids=(), min_classes=1), Facts({}, {}, {}, 1)).met


def test_crossing_is_detected_only_once_per_share() -> None:
    assert crossed(80.0, 90.0, 100.0, {0.9})
    assert not crossed(90.0, 95.0, 100.0, {0.9})
    assert not crossed(10.0, 80.0, 100.0, {0.9})
    assert crossed(10.0, 80.0, 100.0, {0.9, 0.75})
    assert not crossed(50.0, 50.0, 100.0, {0.5})


# --------------------------------------------------------------------------- world


@dataclass(frozen=True)
class World:
    """A learner enrolled in a two-module program with a cohort, two past classes and
    an exam; an instructor of the cohort; an admin."""

    learner: factories.UserInfo
    admin: factories.UserInfo
    teacher: factories.UserInfo
    modules: tuple[int, int]
    videos: tuple[int, int]
    program_id: int
    classes: tuple[int, int]
    exam_id: int


def _module(owner_id: int, title: str) -> Module:
    video = Video(title=title, owner_id=owner_id, state=VideoState.READY.value, duration=DURATION)
    db.session.add(video)
    db.session.flush()
    module = Module(video_id=video.id, title=title, duration=DURATION)
    db.session.add(module)
    db.session.flush()
    return module


@pytest.fixture
def world(app: Flask, make_user: Callable[..., factories.UserInfo]) -> World:
    """The program 'data-basics' (one course, two 100 s modules)."""
    learner, admin, teacher = make_user("learner"), make_user("admin"), make_user("instructor")
    with app.app_context():
        m1, m2 = _module(teacher.id, "Tables"), _module(teacher.id, "Charts")
        learning.create_course("data-course", "Data course", [m1.id, m2.id])
        program = learning.create_program(SLUG, TITLE, ["data-course"])
        learner_row = db.session.get_one(User, learner.id)
        learning.enrol(learner_row, program, admin=True)
        cohort = cohorts.create_cohort(SLUG, "Spring", date(2026, 1, 5), "Europe/Berlin")
        cohorts.add_member(cohort, learner_row, "learner")
        cohorts.add_member(cohort, db.session.get_one(User, teacher.id), "instructor")
        start = utcnow() - timedelta(days=3)
        c1 = cohorts.add_class(cohort, "Live 1", start, 60, allow_past=True)
        c2 = cohorts.add_class(cohort, "Live 2", start + timedelta(days=1), 60, allow_past=True)
        exam = cohorts.add_exam(cohort, "Final exam", start + timedelta(days=30), [m1.id])
        # The enrolment queues a certificate check; a running worker would take it while
        # the test stores what was watched and issue first. Each test queues its own.
        db.session.info.pop(PENDING, None)
        db.session.commit()
        return World(
            learner,
            admin,
            teacher,
            (m1.id, m2.id),
            (m1.video_id, m2.video_id),
            program.id,
            (c1.id, c2.id),
            exam.id,
        )


def watch(app: Flask, user_id: int, video_id: int, seconds: float) -> None:
    """Store ``seconds`` watched from the start, as the writer leaves them."""
    with app.app_context():
        row = db.session.scalar(
            select(WatchProgress).where(
                WatchProgress.user_id == user_id, WatchProgress.video_id == video_id
            )
        )
        if row is None:
            row = WatchProgress(user_id=user_id, video_id=video_id, clip_id=None)
            db.session.add(row)
        row.intervals = [[0.0, seconds]] if seconds else []
        row.watched_seconds = seconds
        row.position = seconds
        row.completed_at = utcnow() if seconds >= 0.9 * DURATION else None
        db.session.commit()


def set_rule(app: Flask, world: World, **kw: object) -> None:
    """Store the program's rule (defaults for what ``kw`` leaves out)."""
    with app.app_context():
        program = db.session.get_one(Program, world.program_id)
        services.save_rule(
            program,
            min_watched_percent=int(kw.get("percent", 90)),  # type: ignore[call-overload]
            min_classes=int(kw.get("classes", 0)),  # type: ignore[call-overload]
            module_ids=list(kw.get("modules", [])),  # type: ignore[call-overload]
            exam_ids=list(kw.get("exams", [])),  # type: ignore[call-overload]
            allowed_modules=world.modules,
            allowed_exams=[world.exam_id],
        )
        db.session.commit()


def attend(app: Flask, class_id: int, user_id: int) -> None:
    """The instructor marks the learner present (the cohort service)."""
    with app.app_context():
        from webapp.models import LiveClass

        cohorts.mark_attendance(db.session.get_one(LiveClass, class_id), {user_id: True})
        db.session.commit()


def try_issue(app: Flask, world: World) -> Certificate | None:
    """Evaluate and issue now, in this process (what the task does)."""
    with app.app_context():
        issued = issue_if_due(world.learner.id, world.program_id)
        db.session.commit()
        if issued is None:
            return None
        db.session.refresh(issued)
        db.session.expunge(issued)
        return issued


def earned(app: Flask, world: World) -> Certificate | None:
    """Evaluate now and return the learner's certificate for the program, issued by
    this call or by a worker that took a queued check first (events queue them)."""
    with app.app_context():
        issue_if_due(world.learner.id, world.program_id)
        db.session.commit()
        found = find_certificate(world.learner.id, world.program_id)
        if found is not None:
            db.session.expunge(found)
        return found


def missing(app: Flask, world: World) -> tuple[str, ...]:
    """What the learner still lacks."""
    with app.app_context():
        return queries.verdict_of(world.learner.id, world.program_id).missing


def certificate_count(app: Flask) -> int:
    """Certificates in the database."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Certificate)) or 0


class PassedExams:
    """A graded-exam feature's answer, as it will plug in: these (user, exam) passed."""

    def __init__(self, passed: set[tuple[int, int]]) -> None:
        self.passes = passed

    def passed(self, user_id: int, exam_ids: Collection[int]) -> set[int]:
        """Which of ``exam_ids`` the learner passed."""
        return {e for e in exam_ids if (user_id, e) in self.passes}


@pytest.fixture
def exam_results(app: Flask):
    """Install a source of exam results for the test; the app's own comes back after."""
    results = PassedExams(set())
    previous = app.extensions.get(EXTENSION)
    use_exam_results(app, results)
    yield results
    if previous is None:
        app.extensions.pop(EXTENSION, None)
    else:
        use_exam_results(app, previous)


# --------------------------------------------------------------------------- each rule


def test_default_rule_is_90_percent_of_every_module(app: Flask, world: World) -> None:
    watch(app, world.learner.id, world.videos[0], 100.0)
    watch(app, world.learner.id, world.videos[1], 89.0)
    assert missing(app, world) == ("Watch 90 % of ‘Charts’ (now 89 %)",)
    assert try_issue(app, world) is None
    watch(app, world.learner.id, world.videos[1], 90.0)
    assert missing(app, world) == ()
    assert earned(app, world) is not None
    assert try_issue(app, world) is None and certificate_count(app) == 1


def test_watch_rule_with_chosen_modules_and_share(app: Flask, world: World) -> None:
    set_rule(app, world, percent=50, modules=[world.modules[0]])
    watch(app, world.learner.id, world.videos[0], 49.0)
    assert missing(app, world) == ("Watch 50 % of ‘Tables’ (now 49 %)",)
    watch(app, world.learner.id, world.videos[0], 50.0)
    assert earned(app, world) is not None  # 'Charts' is not required


def test_live_classes_rule(app: Flask, world: World) -> None:
    set_rule(app, world, percent=1, modules=[world.modules[0]], classes=2)
    watch(app, world.learner.id, world.videos[0], 10.0)
    assert missing(app, world) == ("Attend 2 more live classes (0 of 2)",)
    attend(app, world.classes[0], world.learner.id)
    assert missing(app, world) == ("Attend 1 more live class (1 of 2)",)
    assert try_issue(app, world) is None
    attend(app, world.classes[1], world.learner.id)
    assert earned(app, world) is not None


def test_exam_rule_asks_the_exam_results_interface(
    app: Flask, world: World, exam_results: PassedExams
) -> None:
    set_rule(app, world, percent=1, modules=[world.modules[0]], exams=[world.exam_id])
    watch(app, world.learner.id, world.videos[0], 10.0)
    assert missing(app, world) == ("Pass the exam ‘Final exam’",)
    assert try_issue(app, world) is None
    exam_results.passes.add((world.learner.id, world.exam_id))
    assert earned(app, world) is not None


def test_all_rules_combined(app: Flask, world: World, exam_results: PassedExams) -> None:
    set_rule(app, world, percent=80, classes=1, exams=[world.exam_id])
    assert len(missing(app, world)) == 4
    watch(app, world.learner.id, world.videos[0], 80.0)
    watch(app, world.learner.id, world.videos[1], 80.0)
    attend(app, world.classes[0], world.learner.id)
    assert missing(app, world) == ("Pass the exam ‘Final exam’",)
    assert try_issue(app, world) is None
    exam_results.passes.add((world.learner.id, world.exam_id))
    assert earned(app, world) is not None


def test_only_enrolled_learners_are_certified(
    app: Flask, world: World, make_user: Callable[..., factories.UserInfo]
) -> None:
    stranger = make_user("learner")
    for video_id in world.videos:
        watch(app, stranger.id, video_id, DURATION)
    with app.app_context():
        assert issue_if_due(stranger.id, world.program_id) is None


def test_racing_issuers_insert_one_certificate(app: Flask, world: World) -> None:
    """Eight sessions evaluate and insert at once: exactly one is told it created it."""
    for video_id in world.videos:
        watch(app, world.learner.id, video_id, DURATION)
    created: list[bool] = []
    start = threading.Barrier(8)

    def issue() -> None:
        start.wait()
        for _ in range(20):  # SQLite may refuse a concurrent writer: the task retries too
            try:
                with app.app_context():
                    user = db.session.get_one(User, world.learner.id)
                    program = db.session.get_one(Program, world.program_id)
                    _, was_created = services.issue_certificate(user, program)
                    db.session.commit()
                    created.append(was_created)
                    return
            except OperationalError:
                continue

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(created) == 8 and created.count(True) == 1
    assert certificate_count(app) == 1


# --------------------------------------------------------------------------- at the event


@pytest.mark.worker
def test_twenty_parallel_beats_crossing_the_threshold_issue_one_certificate_and_one_mail(
    app: Flask, world: World, mailbox: Mailbox
) -> None:
    watch(app, world.learner.id, world.videos[0], DURATION)
    watch(app, world.learner.id, world.videos[1], 85.0)
    writer = get_writer(app)
    key = ModuleKey(world.learner.id, world.videos[1], None)
    start = threading.Barrier(20)
    errors: list[BaseException] = []
    session_began = utcnow() - timedelta(minutes=10)  # time enough to have played it all

    def beat(n: int) -> None:
        start.wait()
        try:
            played = ((80.0 + n * 0.1, 100.0),)
            writer.submit(Pending(key, DURATION, Beat(99.0, played), utcnow(), 0.9, session_began))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=beat, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    message = mailbox.wait_for(world.learner.email)
    assert TITLE in message["Subject"]
    assert certificate_count(app) == 1
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    assert any(link.endswith(f"/verify/{code}") for link in links(message))
    # A later beat (nothing crossed) and a duplicate evaluation send nothing more.
    writer.submit(
        Pending(key, DURATION, Beat(100.0, ((0.0, 100.0),)), utcnow(), 0.9, session_began)
    )
    with app.app_context():
        app.extensions["celery"].send_task("certificates.evaluate", args=[world.learner.id, None])
    sentinel = "sentinel@example.com"
    with app.app_context():
        from webapp.mail import send

        with app.test_request_context():
            send("test", sentinel)
    mailbox.wait_for(sentinel)  # the worker is serial: anything earlier was handled
    assert len(mailbox.messages(world.learner.email)) == 1 and certificate_count(app) == 1


@pytest.mark.worker
def test_an_attendance_mark_issues_the_certificate(
    app: Flask, client: FlaskClient, auth: Auth, world: World, mailbox: Mailbox
) -> None:
    set_rule(app, world, classes=1)
    for video_id in world.videos:
        watch(app, world.learner.id, video_id, DURATION)
    assert certificate_count(app) == 0
    auth.login(world.teacher.email)
    resp = client.post(
        f"/api/v1/classes/{world.classes[0]}/attendance",
        headers=auth.json_headers(),
        json={"user_id": world.learner.id, "present": True},
    )
    assert resp.status_code == 200, resp.get_json()
    mailbox.wait_for(world.learner.email)
    assert certificate_count(app) == 1


@pytest.mark.worker
def test_a_loosened_rule_issues_to_learners_who_now_meet_it(
    app: Flask, client: FlaskClient, auth: Auth, world: World, mailbox: Mailbox
) -> None:
    watch(app, world.learner.id, world.videos[0], DURATION)
    auth.login(world.admin.email)
    resp = client.put(
        f"/api/v1/programs/{SLUG}/certificate-rule",
        headers=auth.json_headers(),
        json={"modules": [world.modules[0]], "min_watched_percent": 90},
    )
    assert resp.status_code == 200 and resp.get_json()["modules"] == [world.modules[0]]
    mailbox.wait_for(world.learner.email)
    assert certificate_count(app) == 1


def test_pages_and_lists_issue_nothing(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    """Certificates come from events only; the pages show what is left."""
    watch(app, world.learner.id, world.videos[0], DURATION)
    auth.login(world.learner.email)
    html = client.get("/certificates").get_data(as_text=True)
    assert "What is left" in html and "Watch 90 % of ‘Charts’ (now 0 %)" in html
    program_page = client.get(f"/programs/{SLUG}").get_data(as_text=True)
    assert "For the certificate, still to do" in program_page
    assert "Watch 90 % of ‘Charts’ (now 0 %)" in program_page
    client.get("/home")
    client.get("/api/v1/me/certificates")
    status = client.get(f"/api/v1/me/programs/{SLUG}/certificate").get_json()
    assert status["met"] is False and status["missing"] == ["Watch 90 % of ‘Charts’ (now 0 %)"]
    assert certificate_count(app) == 0


# --------------------------------------------------------------------------- rule editing


def test_admin_edits_the_rule_on_its_page(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.learner.email)
    assert client.get(f"/manage/programs/{SLUG}/certificate").status_code == 403
    auth.logout()
    auth.login(world.admin.email)
    page = client.get(f"/manage/programs/{SLUG}/certificate")
    assert page.status_code == 200 and "Tables" in page.get_data(as_text=True)
    assert client.get("/manage/programs/nope/certificate").status_code == 404
    token = auth.csrf(f"/manage/programs/{SLUG}/certificate")
    bad = client.post(
        f"/manage/programs/{SLUG}/certificate",
        data={"csrf_token": token, "min_watched_percent": "101", "min_classes": "2"},
    )
    assert bad.status_code == 400 and 'value="101"' in bad.get_data(as_text=True)
    ok = client.post(
        f"/manage/programs/{SLUG}/certificate",
        data={
            "csrf_token": token,
            "min_watched_percent": "75",
            "min_classes": "2",
            "modules": [str(world.modules[1])],
            "exams": [str(world.exam_id)],
        },
    )
    assert ok.status_code == 302
    rule = client.get(f"/api/v1/programs/{SLUG}/certificate-rule").get_json()
    assert rule == {
        "program": SLUG,
        "min_watched_percent": 75,
        "modules": [world.modules[1]],
        "all_modules": False,
        "min_classes": 2,
        "exams": [world.exam_id],
        "projects": [],  # issue 21: projects to pass
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_watched_percent": "90"}, "min_watched_percent"),
        ({"min_watched_percent": 0}, "min_watched_percent"),
        ({"min_watched_percent": 101}, "min_watched_percent"),
        ({"min_classes": -1}, "min_classes"),
        ({"modules": "all"}, "modules"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_rule_api_refuses_bad_input(
    app: Flask, client: FlaskClient, auth: Auth, world: World, body: dict, field: str
) -> None:
    auth.login(world.admin.email)
    resp = client.put(
        f"/api/v1/programs/{SLUG}/certificate-rule", headers=auth.json_headers(), json=body
    )
    assert resp.status_code == 400 and field in resp.get_data(as_text=True)
    assert client.get(f"/api/v1/programs/{SLUG}/certificate-rule").get_json()["all_modules"]


def test_rule_api_refuses_foreign_modules_and_non_admins(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.admin.email)
    resp = client.put(
        f"/api/v1/programs/{SLUG}/certificate-rule",
        headers=auth.json_headers(),
        json={"modules": [999999]},
    )
    assert resp.status_code == 422 and "not modules of this program" in resp.get_json()["detail"]
    auth.logout()
    auth.login(world.teacher.email)
    assert client.get(f"/api/v1/programs/{SLUG}/certificate-rule").status_code == 403
    assert (
        client.put(
            f"/api/v1/programs/{SLUG}/certificate-rule", headers=auth.json_headers(), json={}
        ).status_code
        == 403
    )


# --------------------------------------------------------------------------- revoking


def test_revoke_then_verify_says_revoked_and_nothing_is_reissued(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    for video_id in world.videos:
        watch(app, world.learner.id, video_id, DURATION)
    issued = earned(app, world)
    assert issued is not None
    code = issued.code
    auth.login(world.learner.email)
    assert client.get(f"/manage/certificates/{code}/revoke").status_code == 403
    assert (
        client.post(
            f"/api/v1/certificates/{code}/revoke", headers=auth.json_headers(), json={"reason": "x"}
        ).status_code
        == 403
    )
    auth.logout()
    auth.login(world.admin.email)
    token = auth.csrf(f"/manage/certificates/{code}/revoke")
    empty = client.post(
        f"/manage/certificates/{code}/revoke", data={"csrf_token": token, "reason": " "}
    )
    assert empty.status_code == 400 and "Give the reason." in empty.get_data(as_text=True)
    reason = "Exam answers were copied"
    done = client.post(
        f"/manage/certificates/{code}/revoke", data={"csrf_token": token, "reason": reason}
    )
    assert done.status_code == 302
    again = client.post(
        f"/api/v1/certificates/{code}/revoke", headers=auth.json_headers(), json={"reason": "again"}
    )
    assert again.status_code == 409
    auth.logout()
    page = client.get(f"/verify/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This certificate was revoked" in html
    assert reason in html and "genuine" not in html and world.learner.email not in html
    api = client.get(f"/api/v1/verify/{code}").get_json()
    assert api["valid"] is False and api["status"] == "revoked"
    assert api["revoked_reason"] == reason and api["revoked_on"] == utcnow().date().isoformat()
    assert try_issue(app, world) is None and certificate_count(app) == 1
    auth.login(world.learner.email)
    pdf = client.get(f"/certificates/{code}.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"REVOKED on {long_day(utcnow().date())}" in " ".join(text.split())


def test_api_revoke(app: Flask, client: FlaskClient, auth: Auth, world: World) -> None:
    for video_id in world.videos:
        watch(app, world.learner.id, video_id, DURATION)
    issued = earned(app, world)
    assert issued is not None
    auth.login(world.admin.email)
    resp = client.post(
        f"/api/v1/certificates/{issued.code}/revoke",
        headers=auth.json_headers(),
        json={"reason": "Mistake"},
    )
    assert resp.status_code == 200 and resp.get_json()["revoked"] is True
    missing_code = "A" * 20
    assert (
        client.post(
            f"/api/v1/certificates/{missing_code}/revoke",
            headers=auth.json_headers(),
            json={"reason": "x"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/certificates/{issued.code}/revoke", headers=auth.json_headers(), json={}
        ).status_code
        == 400
    )


def test_a_delayed_pass_of_an_older_save_does_nothing(app: Flask, world: World) -> None:
    """The second pass after a save runs only while the rule is still that save: it must
    not act on a rule saved again since (or on another program that took its id)."""
    from webapp.certificates.tasks import program_changed
    from webapp.models import CertificateRule

    for video_id in world.videos:
        watch(app, world.learner.id, video_id, DURATION)
    with app.app_context():
        # The rule as a save leaves it, stored directly: a save through the service would
        # queue its own passes, which a worker of an earlier test could run meanwhile.
        db.session.add(CertificateRule(program_id=world.program_id, revision="the-current-save"))
        db.session.commit()
        assert program_changed.run(world.program_id, "an-older-save") == 0
        assert certificate_count(app) == 0
        assert program_changed.run(world.program_id, "the-current-save") == 1
    assert certificate_count(app) == 1
