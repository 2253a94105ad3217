"""Organisations and managers (issue 19): seats and assignments, organisation-private
content and programs, the manager's dashboard and CSV, isolation between organisations,
the admin's forms, the learner's assignments and the weekly digest."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support.auth import Auth
from tests.support.organisations import Orgs, assign, build_orgs, watch
from tests.support.smtp import Mailbox, text_of
from webapp.calendar.services import reset_secret
from webapp.extensions import db
from webapp.models import (
    DigestSent,
    Enrollment,
    EnrollmentStatus,
    Module,
    Organisation,
    Program,
    User,
    Video,
)
from webapp.organisations import digest, services
from webapp.organisations.services import OrganisationError


@pytest.fixture
def orgs(app: Flask) -> Orgs:
    return build_orgs(app, seats=2)


def _org(slug: str) -> Organisation:
    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == slug))
    assert org is not None
    return org


# ----------------------------------------------------------------------------- services


def test_assigning_enrols_and_uses_a_seat(app: Flask, orgs: Orgs) -> None:
    assign(app, orgs, orgs.acme_member.id, date(2027, 1, 31))
    with app.app_context():
        enrolment = db.session.scalar(
            db.select(Enrollment).where(Enrollment.user_id == orgs.acme_member.id)
        )
        assert enrolment is not None and enrolment.program_id == orgs.program_id
        assert enrolment.enrolled_by == orgs.acme_manager.id
        assert services.seats_used(_org("acme").id, orgs.program_id) == 1
        # Assigning again only moves the due date (no second seat).
        org = _org("acme")
        program = db.session.get(Program, orgs.program_id)
        user = db.session.get(User, orgs.acme_member.id)
        assert program is not None and user is not None
        again, created = services.assign(org, user, program, date(2027, 2, 28), None)
        assert not created and again.due_on == date(2027, 2, 28)
        assert services.seats_used(org.id, orgs.program_id) == 1


def test_no_seat_left_refuses(app: Flask, orgs: Orgs) -> None:
    assign(app, orgs, orgs.acme_member.id, None)
    assign(app, orgs, orgs.acme_member2.id, None)
    with app.app_context():
        org = _org("acme")
        program = db.session.get(Program, orgs.program_id)
        manager = db.session.get(User, orgs.acme_manager.id)
        assert program is not None and manager is not None
        with pytest.raises(OrganisationError, match="No free seat"):
            services.assign(org, manager, program, None, None)
        with pytest.raises(OrganisationError, match="already assigned"):
            services.set_seats(org, program, 1)


def test_only_the_organisations_people_can_be_assigned(app: Flask, orgs: Orgs) -> None:
    with app.app_context():
        org = _org("acme")
        program = db.session.get(Program, orgs.program_id)
        outsider = db.session.get(User, orgs.globex_member.id)
        assert program is not None and outsider is not None
        with pytest.raises(OrganisationError, match="your organisation's people"):
            services.assign(org, outsider, program, None, None)
        # One organisation per person.
        with pytest.raises(OrganisationError, match="another organisation"):
            services.add_member(org, outsider)


def test_private_content_and_programs_are_the_organisations_only(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs
) -> None:
    with app.app_context():
        org = _org("acme")
        video = db.session.get(Video, orgs.video)
        module = db.session.get(Module, orgs.module)
        program = db.session.get(Program, orgs.program_id)
        assert video is not None and module is not None and program is not None
        services.make_private(video, org)
        services.make_private(module, org)
        services.make_private(program, org)
        db.session.commit()
    for who, seen in (
        (orgs.acme_member, True),
        (orgs.acme_manager, True),
        (orgs.globex_member, False),
        (orgs.globex_manager, False),
    ):
        auth.login(who.email)
        listing = client.get("/?q=forklift").get_data(as_text=True)
        assert (f'data-module-id="{orgs.module}"' in listing) is seen, who
        assert (client.get(f"/videos/{orgs.video}").status_code == 200) is seen, who
        assert client.get(f"/programs/{orgs.program}").status_code == (200 if seen else 404)
        assert ("Acme safety" in client.get("/programs").get_data(as_text=True)) is seen
        slugs = {p["slug"] for p in client.get("/api/v1/programs").get_json()["programs"]}
        assert (orgs.program in slugs) is seen
        assert client.get(f"/api/v1/programs/{orgs.program}").status_code == (200 if seen else 404)
        auth.logout()


# ----------------------------------------------------------------------------- dashboard


def test_dashboard_and_csv_show_progress_overdue_and_time(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs
) -> None:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assign(app, orgs, orgs.acme_member.id, yesterday)
    assign(app, orgs, orgs.acme_member2.id, yesterday + timedelta(days=30))
    watch(app, orgs.acme_member2.id, orgs.video, 60.0)  # completed
    watch(app, orgs.acme_member.id, orgs.video, 12.0)  # started, overdue
    auth.login(orgs.acme_manager.email)
    assert client.get("/org/").headers["Location"].endswith("/org/acme/")
    page = client.get("/org/acme/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 overdue" in html and "100 %" in html
    answer = client.get("/org/acme/dashboard.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(answer.get_data(as_text=True)))}
    done = rows[orgs.acme_member2.email]
    late = rows[orgs.acme_member.email]
    assert (done["progress_percent"], done["status"], done["overdue"]) == ("100", "completed", "no")
    assert (late["progress_percent"], late["overdue"], late["watched_seconds"]) == (
        "0",
        "yes",
        "12",
    )
    api = client.get("/api/v1/organisations/acme/dashboard").get_json()
    assert api["overdue"] == 1 and api["seats"] == [
        {"program": "acme-safety", "held": 2, "used": 2}
    ]
    assert {a["email"]: a["percent"] for a in api["assignments"]} == {
        orgs.acme_member.email: 0,
        orgs.acme_member2.email: 100,
    }


def test_manager_assigns_through_the_page_and_the_api(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs
) -> None:
    auth.login(orgs.acme_manager.email)
    assert client.get("/org/acme/assign").status_code == 200
    token = auth.csrf("/org/acme/assign")
    refused = client.post(
        "/org/acme/assign",
        data={"csrf_token": token, "user_id": str(orgs.acme_member.id), "program": "nope",
              "due_on": "2027-01-31"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert 'value="2027-01-31"' in refused.get_data(as_text=True)  # what was typed stays
    done = client.post(
        "/org/acme/assign",
        data={"csrf_token": token, "user_id": str(orgs.acme_member.id),
              "program": orgs.program, "due_on": "2027-01-31"},
    )  # fmt: skip
    assert done.status_code == 302
    made = client.post(
        "/api/v1/organisations/acme/assignments",
        json={"user_id": orgs.acme_member2.id, "program": orgs.program, "due_on": "2027-02-01"},
        headers=auth.json_headers(),
    )
    assert made.status_code == 201 and made.get_json()["created"] is True
    full = client.post(
        "/api/v1/organisations/acme/assignments",
        json={"user_id": orgs.acme_manager.id, "program": orgs.program},
        headers=auth.json_headers(),
    )
    assert full.status_code == 409
    # The learner sees it on their home page, in the API and in their calendar feed.
    auth.logout()
    auth.login(orgs.acme_member.email)
    home = client.get("/home").get_data(as_text=True)
    assert "Assigned to you" in home and "Acme safety" in home and 'datetime="2027-01-31"' in home
    mine = client.get("/api/v1/me/assignments").get_json()["assignments"]
    assert mine == [{"program": orgs.program, "program_title": "Acme safety",
                     "organisation": "Acme", "due_on": "2027-01-31"}]  # fmt: skip
    with app.app_context():
        user = db.session.get(User, orgs.acme_member.id)
        assert user is not None
        secret = reset_secret(user)
        db.session.commit()
    feed = client.get(f"/calendar/{secret}.ics").get_data(as_text=True)
    assert "SUMMARY:Due: Acme safety" in feed


# ----------------------------------------------------------------------------- isolation


def _org_urls(orgs: Orgs) -> list[tuple[str, str]]:
    return [
        ("GET", "/org/acme/"),
        ("GET", "/org/acme/dashboard.csv"),
        ("GET", "/org/acme/people"),
        ("GET", "/org/acme/assign"),
        ("POST", "/org/acme/assign"),
        ("GET", "/api/v1/organisations/acme/dashboard"),
        ("GET", "/api/v1/organisations/acme/people"),
        ("POST", "/api/v1/organisations/acme/assignments"),
    ]


@pytest.mark.parametrize("who", ["globex_manager", "acme_member", "globex_member"])
def test_another_organisations_manager_gets_404_everywhere(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs, who: str
) -> None:
    assign(app, orgs, orgs.acme_member2.id, None)
    auth.login(getattr(orgs, who).email)
    token = auth.csrf("/account")
    for method, url in _org_urls(orgs):
        if url.startswith("/api/"):
            body = {"user_id": orgs.acme_member.id, "program": orgs.program}
            answer = client.open(url, method=method, json=body if method == "POST" else None,
                                 headers=auth.json_headers())  # fmt: skip
        else:
            answer = client.open(url, method=method, data={"csrf_token": token})
        assert answer.status_code == 404, (method, url)
        assert orgs.acme_member2.email not in answer.get_data(as_text=True)
    for url in ("/admin/organisations", "/admin/organisations/acme"):
        assert client.get(url).status_code == 403
    if who == "globex_manager":
        own = client.get("/api/v1/organisations/globex/dashboard").get_json()
        assert own["assignments"] == []  # Acme's people never appear in Globex's data
        assert orgs.acme_member2.email not in client.get("/org/globex/dashboard.csv").get_data(
            as_text=True
        )
    else:
        assert client.get("/org/").status_code == 404


# ----------------------------------------------------------------------------- admin


def test_admin_creates_an_organisation_adds_people_and_seats(
    app: Flask, client: FlaskClient, auth: Auth, make_user, orgs: Orgs
) -> None:
    admin = make_user("admin")
    person = make_user("learner")
    auth.login(admin.email)
    token = auth.csrf("/admin/organisations")
    bad = client.post(
        "/admin/organisations",
        data={"csrf_token": token, "name": "Initech", "slug": "Not A Slug", "time_zone": "UTC"},
    )
    assert bad.status_code == 400 and 'value="Initech"' in bad.get_data(as_text=True)
    taken = client.post(
        "/admin/organisations",
        data={"csrf_token": token, "name": "Initech", "slug": "acme", "time_zone": "UTC"},
    )
    assert taken.status_code == 400 and "Another organisation" in taken.get_data(as_text=True)
    made = client.post(
        "/admin/organisations",
        data={"csrf_token": token, "name": "Initech", "slug": "initech", "time_zone": "UTC"},
    )
    assert made.status_code == 302
    nobody = client.post(
        "/admin/organisations/initech/people",
        data={"csrf_token": token, "email": "nobody@example.com", "role": "manager"},
    )
    assert nobody.status_code == 400 and 'value="nobody@example.com"' in nobody.get_data(
        as_text=True
    )
    added = client.post(
        "/admin/organisations/initech/people",
        data={"csrf_token": token, "email": person.email, "role": "manager"},
    )
    assert added.status_code == 302
    seats = client.post(
        "/admin/organisations/initech/seats",
        data={"csrf_token": token, "program": orgs.program, "seats": "3"},
    )
    assert seats.status_code == 302
    page = client.get("/admin/organisations/initech").get_data(as_text=True)
    assert person.email in page and "Acme safety" in page
    users = client.get(f"/admin/users?q={person.email}").get_data(as_text=True)
    assert "Initech (manager)" in users  # the admin user list names the organisation
    # The new manager reaches their dashboard; admins reach every organisation's.
    assert client.get("/org/acme/").status_code == 200
    auth.logout()
    auth.login(person.email)
    assert client.get("/org/initech/").status_code == 200
    assert client.get("/org/acme/").status_code == 404


# ----------------------------------------------------------------------------- digest


def _run(app: Flask) -> list[digest.Sent]:
    with app.app_context():
        return digest.send_due()


@pytest.mark.worker
def test_weekly_digest_goes_once_a_week_on_monday_morning(
    app: Flask, orgs: Orgs, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    assign(app, orgs, orgs.acme_member.id, date(2027, 3, 1))
    # Acme is in Europe/Berlin (its managers have no zone of their own): Monday 8 March
    # 2027 07:00 CET is 06:00 UTC.
    clock.move_to(datetime(2027, 3, 8, 5, 59, tzinfo=UTC), tick=False)
    sent = {(s.user_id, s.week) for s in _run(app)}
    assert (orgs.acme_manager.id, "2027-W10") not in sent  # 06:59 in Berlin: not yet
    clock.move_to(datetime(2027, 3, 8, 6, 1, tzinfo=UTC), tick=False)
    sent |= {(s.user_id, s.week) for s in _run(app)}
    assert (orgs.acme_manager.id, "2027-W10") in sent
    assert (orgs.globex_manager.id, "2027-W10") not in sent  # Globex is UTC: 06:01 there
    clock.move_to(datetime(2027, 3, 10, 12, 0, tzinfo=UTC), tick=False)
    later = {(s.user_id, s.week) for s in _run(app)}
    assert later == {(orgs.globex_manager.id, "2027-W10")}  # Acme's: once per week
    assert _run(app) == []
    message = mailbox.wait_for(orgs.acme_manager.email)
    body = text_of(message)
    assert "Acme" in message["Subject"] and "1 overdue" in body
    assert orgs.acme_member.email in body and "/org/acme/" in body
    clock.move_to(datetime(2027, 3, 15, 6, 30, tzinfo=UTC), tick=False)
    assert (orgs.acme_manager.id, "2027-W11") in {(s.user_id, s.week) for s in _run(app)}
    mailbox.wait_for(orgs.acme_manager.email, count=2)
    with app.app_context():
        weeks = db.session.scalars(
            db.select(DigestSent.week).where(DigestSent.user_id == orgs.acme_manager.id)
        ).all()
    assert sorted(weeks) == ["2027-W10", "2027-W11"]
    assert len(mailbox.messages(orgs.acme_manager.email)) == 2


def test_admin_makes_a_program_private_to_an_organisation(
    app: Flask, client: FlaskClient, auth: Auth, make_user, orgs: Orgs
) -> None:
    admin = make_user("admin")
    auth.login(admin.email)
    token = auth.csrf("/admin/organisations/acme")
    made = client.post(
        "/admin/organisations/acme/private",
        data={"csrf_token": token, "program": orgs.program, "private": "yes"},
    )
    assert made.status_code == 302
    taken = client.post(
        "/admin/organisations/globex/private",
        data={"csrf_token": token, "program": orgs.program, "private": "yes"},
    )
    assert taken.status_code == 400 and "Another organisation" in taken.get_data(as_text=True)
    auth.logout()
    # Acme's member sees the module without being assigned; Globex's people do not.
    for who, seen in ((orgs.acme_member, True), (orgs.globex_member, False)):
        auth.login(who.email)
        listing = client.get("/?q=forklift").get_data(as_text=True)
        assert (f'data-module-id="{orgs.module}"' in listing) is seen
        assert (client.get(f"/videos/{orgs.video}").status_code == 200) is seen
        auth.logout()
    auth.login(admin.email)
    released = client.post(
        "/admin/organisations/acme/private",
        data={"csrf_token": auth.csrf("/account"), "program": orgs.program, "private": "no"},
    )
    assert released.status_code == 302, released.get_data(as_text=True)[-2000:]
    with app.app_context():
        module = db.session.get(Module, orgs.module)
        program = db.session.get(Program, orgs.program_id)
        assert module is not None and program is not None
        assert module.audience is None and program.organisation_id is None


def test_an_invitation_can_place_the_invitee_in_an_organisation(
    app: Flask, client: FlaskClient, auth: Auth, make_user, orgs: Orgs
) -> None:
    from webapp.accounts import services as accounts  # noqa: PLC0415
    from webapp.accounts.services.common import NotAllowed  # noqa: PLC0415
    from webapp.models import OrgRole  # noqa: PLC0415

    admin = make_user("admin")
    auth.login(admin.email)
    answer = client.post(
        "/api/v1/invitations",
        json={"email": "new.boss@example.com", "organisation": "acme",
              "organisation_role": "manager"},
        headers=auth.json_headers(),
    )  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        org_id = _org("acme").id
    assert answer.get_json()["organisation_id"] == org_id
    unknown = client.post(
        "/api/v1/invitations",
        json={"email": "x@example.com", "organisation": "nope"},
        headers=auth.json_headers(),
    )
    assert unknown.status_code == 400
    with app.app_context():
        teacher = db.session.get(User, make_user("instructor").id)
        assert teacher is not None
        with pytest.raises(NotAllowed):
            accounts.target_from(teacher, "learner", "", "", "", "acme", "member")
        by = db.session.get(User, admin.id)
        assert by is not None
        what = accounts.target_from(by, "learner", "", "", "", "acme", "manager")
        _, token = accounts.invite(by, "second.boss@example.com", what)
        db.session.commit()
        user, _ = accounts.accept(token, "Second Boss", "a long pass phrase", "a long pass phrase")
        db.session.commit()
        membership = services.membership(user.id)
        assert membership is not None and membership.organisation_id == org_id
        assert membership.role == OrgRole.MANAGER


def test_instructors_make_one_video_or_module_an_organisations_own(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs
) -> None:
    """Not only whole programs: the recording's instructor names the organisation whose
    members may watch a video (API) or a module (its audience page)."""
    with app.app_context():
        video = db.session.get_one(Video, orgs.video)
        owner_email = video.owner.email
        module = db.session.get_one(Module, orgs.module)
        module.free_preview = True  # leaves the program's membership out of this test
        db.session.commit()
    auth.login(owner_email)
    headers = auth.json_headers()
    unknown = client.patch(
        f"/api/v1/videos/{orgs.video}",
        json={"audience": "organisation", "organisation": "initech"},
        headers=headers,
    )
    assert unknown.status_code == 400 and "initech" in unknown.get_json()["detail"]
    made = client.patch(
        f"/api/v1/videos/{orgs.video}",
        json={"audience": "organisation", "organisation": orgs.acme},
        headers=headers,
    )
    assert made.status_code == 200, made.get_json()
    page = client.post(
        f"/manage/modules/{orgs.module}/audience",
        data={"audience": "organisation", "organisation": orgs.acme, "csrf_token": auth.csrf("/")},
    )
    assert page.status_code == 302
    auth.logout()
    for who, status in ((orgs.acme_member, 200), (orgs.globex_member, 404)):
        auth.login(who.email)
        assert client.get(f"/videos/{orgs.video}").status_code == status, who
        auth.logout()
    with app.app_context():
        assert db.session.get_one(Video, orgs.video).organisation_id == _org("acme").id
        assert db.session.get_one(Module, orgs.module).organisation_id == _org("acme").id


def test_a_manager_takes_an_assignment_back_and_the_seat_is_free(
    app: Flask, client: FlaskClient, auth: Auth, orgs: Orgs
) -> None:
    assign(app, orgs, orgs.acme_member.id, date(2027, 1, 31))
    assign(app, orgs, orgs.acme_member2.id, None)
    remove = f"/org/{orgs.acme}/assignments/{orgs.acme_member.id}/{orgs.program}/remove"
    api = f"/api/v1/organisations/{orgs.acme}/assignments/{orgs.acme_member2.id}/{orgs.program}"
    auth.login(orgs.globex_manager.email)
    assert client.post(remove, data={"csrf_token": auth.csrf("/")}).status_code == 404
    assert client.delete(api, headers=auth.json_headers()).status_code == 404
    auth.logout()
    auth.login(orgs.acme_manager.email)
    dashboard = client.get(f"/org/{orgs.acme}/").get_data(as_text=True)
    assert remove in dashboard  # each row has its button
    assert client.post(remove, data={"csrf_token": auth.csrf("/")}).status_code == 302
    assert client.delete(api, headers=auth.json_headers()).status_code == 204
    assert client.delete(api, headers=auth.json_headers()).status_code == 404  # gone
    with app.app_context():
        assert services.seats_used(_org("acme").id, orgs.program_id) == 0
        statuses = set(
            db.session.scalars(
                db.select(Enrollment.status).where(Enrollment.program_id == orgs.program_id)
            )
        )
        assert statuses == {EnrollmentStatus.CANCELLED}
