"""Times (issue 19): the viewer's zone on every page with the cohort's beside it, across
DST changes in four zones; the browser's zone saved on the profile; the private .ics feed
and "Add to calendar" files; e-mail reminders before classes; the join-link window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from time_machine import TimeMachineFixture

from tests.support import factories
from tests.support.auth import Auth
from tests.support.smtp import Mailbox, text_of
from webapp import timefmt
from webapp.cohorts import reminders
from webapp.cohorts.timezones import localize
from webapp.extensions import db
from webapp.models import ClassReminder, Cohort, CohortMember, Exam, LiveClass, Program, User

BERLIN, LA, KOLKATA, ADELAIDE = (
    "Europe/Berlin",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Adelaide",
)


def utc(text: str) -> datetime:
    """``"2027-03-28 18:00"`` as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ------------------------------------------------------------------ pure formatting, DST

DST_CASES = [
    # Europe/Berlin: CET → CEST on 28 Mar 2027, back on 31 Oct 2027.
    (BERLIN, "2027-03-27 18:00", "Sat 27 Mar 2027, 19:00 CET"),
    (BERLIN, "2027-03-28 18:00", "Sun 28 Mar 2027, 20:00 CEST"),
    (BERLIN, "2027-10-30 18:00", "Sat 30 Oct 2027, 20:00 CEST"),
    (BERLIN, "2027-10-31 18:00", "Sun 31 Oct 2027, 19:00 CET"),
    # America/Los_Angeles: PST → PDT on 14 Mar 2027, back on 7 Nov 2027.
    (LA, "2027-03-13 18:00", "Sat 13 Mar 2027, 10:00 PST"),
    (LA, "2027-03-14 18:00", "Sun 14 Mar 2027, 11:00 PDT"),
    (LA, "2027-11-06 18:00", "Sat 06 Nov 2027, 11:00 PDT"),
    (LA, "2027-11-07 18:00", "Sun 07 Nov 2027, 10:00 PST"),
    # Asia/Kolkata: +5:30 all year, whatever Europe does.
    (KOLKATA, "2027-01-20 18:00", "Wed 20 Jan 2027, 23:30 IST"),
    (KOLKATA, "2027-03-28 18:00", "Sun 28 Mar 2027, 23:30 IST"),
    # Australia/Adelaide: ACDT (+10:30) → ACST (+9:30) on 4 Apr 2027, back on 3 Oct 2027.
    (ADELAIDE, "2027-04-03 08:00", "Sat 03 Apr 2027, 18:30 ACDT"),
    (ADELAIDE, "2027-04-04 08:00", "Sun 04 Apr 2027, 17:30 ACST"),
    (ADELAIDE, "2027-10-02 08:00", "Sat 02 Oct 2027, 17:30 ACST"),
    (ADELAIDE, "2027-10-03 08:00", "Sun 03 Oct 2027, 18:30 ACDT"),
]


@pytest.mark.parametrize(("zone", "instant", "shown"), DST_CASES)
def test_moments_across_dst_changes(zone: str, instant: str, shown: str) -> None:
    assert timefmt.moment(utc(instant), zone) == shown
    assert localize(utc(instant), zone).display == shown


def test_the_cohorts_zone_is_shown_beside_when_it_reads_differently() -> None:
    # A Berlin class at 19:00 local in the week between the US and the EU DST changes.
    start = utc("2027-03-20 18:00")
    assert timefmt.beside(start, LA, BERLIN) == "19:00 CET"
    assert localize(start, LA, BERLIN).display == "Sat 20 Mar 2027, 11:00 PDT"
    # Another day in Adelaide (and Adelaide has just left DST): the cohort's date too.
    late = utc("2027-04-03 18:00")
    assert timefmt.moment(late, ADELAIDE) == "Sun 04 Apr 2027, 03:30 ACST"
    assert timefmt.beside(late, ADELAIDE, BERLIN) == "Sat 03 Apr 2027, 20:00 CEST"
    # Same reading: nothing beside (another name for the same clock counts as the same).
    assert timefmt.beside(start, BERLIN, BERLIN) is None
    assert localize(start, BERLIN, BERLIN).beside is None


def test_reminder_offsets_are_due_once_their_moment_came() -> None:
    start = utc("2027-03-28 18:00")
    assert reminders.due_offsets(start, start - timedelta(hours=25), (24, 1)) == []
    assert reminders.due_offsets(start, start - timedelta(hours=24), (24, 1)) == [24]
    assert reminders.due_offsets(start, start - timedelta(minutes=30), (24, 1)) == [1, 24]
    assert reminders.due_offsets(start, start, (24, 1)) == []  # started: too late


# ------------------------------------------------------------------ world


@dataclass(frozen=True)
class World:
    cohort: int
    other_cohort: int
    learner: factories.UserInfo
    instructor: factories.UserInfo
    outsider: factories.UserInfo


@pytest.fixture
def world(app: Flask, make_user) -> World:
    """A Berlin cohort (a learner, an instructor) and another cohort (an outsider)."""
    learner, instructor, outsider = make_user(), make_user("instructor"), make_user()
    with app.app_context():
        program = Program(title="Marketing", slug="marketing-times")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(
            program_id=program.id,
            name="Berlin spring",
            starts_on=date(2027, 3, 1),
            time_zone=BERLIN,
        )
        other = Cohort(program_id=program.id, name="Elsewhere", starts_on=date(2027, 3, 1))
        db.session.add_all([cohort, other])
        db.session.flush()
        db.session.add_all(
            [
                CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"),
                CohortMember(cohort_id=cohort.id, user_id=instructor.id, role="instructor"),
                CohortMember(cohort_id=other.id, user_id=outsider.id, role="learner"),
            ]
        )
        db.session.commit()
        return World(cohort.id, other.id, learner, instructor, outsider)


def add_class(app: Flask, cohort_id: int | None, title: str, starts_at: datetime, **kw) -> int:
    with app.app_context():
        live = LiveClass(cohort_id=cohort_id, title=title, starts_at=starts_at, **kw)
        db.session.add(live)
        db.session.commit()
        return live.id


def set_zone(app: Flask, user_id: int, zone: str | None, pinned: bool = False) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.time_zone, user.time_zone_pinned = zone, pinned
        db.session.commit()


def user_row(app: Flask, user_id: int) -> tuple[str | None, bool, str | None]:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.time_zone, user.time_zone_pinned, user.calendar_secret


# ------------------------------------------------------------------ pages


PAGE_CASES = [
    (BERLIN, "2027-03-28 18:00", "Sun 28 Mar 2027, 20:00 CEST", None),
    (LA, "2027-03-20 18:00", "Sat 20 Mar 2027, 11:00 PDT", "19:00 CET"),
    (KOLKATA, "2027-03-28 18:00", "Sun 28 Mar 2027, 23:30 IST", "20:00 CEST"),
    (ADELAIDE, "2027-04-03 18:00", "Sun 04 Apr 2027, 03:30 ACST", "Sat 03 Apr 2027, 20:00 CEST"),
]


@pytest.mark.parametrize(("zone", "instant", "shown", "beside"), PAGE_CASES)
def test_class_pages_show_the_viewers_zone_and_the_cohorts_beside(
    app: Flask,
    client: FlaskClient,
    auth: Auth,
    world: World,
    clock: TimeMachineFixture,
    zone: str,
    instant: str,
    shown: str,
    beside: str | None,
) -> None:
    clock.move_to(utc(instant) - timedelta(days=3), tick=False)
    add_class(app, world.cohort, "Campaigns", utc(instant))
    set_zone(app, world.learner.id, zone)
    auth.login(world.learner.email)
    for url in (f"/cohorts/{world.cohort}", "/classes"):
        page = client.get(url).get_data(as_text=True)
        assert shown in page, url
        assert f'data-tz-shown="{zone}"' in page and "your time zone" in page
        if beside:
            assert f'<span class="tz-other">({beside}, {BERLIN})</span>' in page, url
        else:
            assert 'class="tz-other"' not in page


def test_classes_page_never_calls_utc_the_cohorts_zone(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    """The issue's report: /classes showed a Berlin class in UTC, "the cohort's time zone"."""
    clock.move_to(utc("2027-03-25 12:00"), tick=False)
    add_class(app, world.cohort, "Campaigns", utc("2027-03-28 18:00"))
    auth.login(world.learner.email)
    page = client.get("/classes").get_data(as_text=True)
    assert "Sun 28 Mar 2027, 18:00 UTC" in page and "(20:00 CEST, Europe/Berlin)" in page
    assert "the cohort&#39;s time zone" not in page and "the cohort's time zone" not in page
    # The cohort's own page falls back to the cohort's zone, and says so.
    page = client.get(f"/cohorts/{world.cohort}").get_data(as_text=True)
    assert "Sun 28 Mar 2027, 20:00 CEST" in page and "the cohort" in page


@pytest.mark.parametrize("cookie", ["Asia/Kolkata", "Asia%2FKolkata"])
def test_anonymous_viewers_get_the_cookies_zone(
    app: Flask, client: FlaskClient, clock: TimeMachineFixture, cookie: str
) -> None:
    """The cookie is read back, as the script writes it now and as it used to (encoded)."""
    clock.move_to(utc("2027-03-25 12:00"), tick=False)
    add_class(app, None, "Open masterclass", utc("2027-03-28 18:00"))
    client.set_cookie("tz", cookie)
    page = client.get("/masterclasses").get_data(as_text=True)
    assert "Sun 28 Mar 2027, 23:30 IST" in page and "your browser" in page
    assert 'data-viewer-zone="Asia/Kolkata"' in page


def test_other_pages_show_times_in_the_viewers_zone(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    set_zone(app, world.learner.id, KOLKATA)
    auth.login(world.learner.email)
    created = client.post(
        "/account/tokens", data={"name": "laptop", "csrf_token": auth.csrf("/account")}
    )
    assert created.status_code == 200
    with app.app_context():
        from webapp.models import ApiToken

        token = db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == world.learner.id)
        ).one()
        expected = timefmt.moment(token.created_at, KOLKATA)
    page = client.get("/account").get_data(as_text=True)
    assert expected in page and expected.endswith(" IST") and " UTC</time>" not in page


# ------------------------------------------------------------------ the browser's zone


def test_the_browsers_zone_is_saved_unless_one_was_chosen(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    auth.login(world.learner.email)
    token = auth.csrf("/classes")
    page = client.get("/classes").get_data(as_text=True)
    assert 'data-zone-save="/account/time-zone"' in page and 'data-saved-zone=""' in page

    assert client.post("/account/time-zone", data={"zone": LA}).status_code == 400  # no CSRF
    assert user_row(app, world.learner.id)[0] is None
    bad = client.post("/account/time-zone", data={"zone": "Mars/Olympus", "csrf_token": token})
    assert bad.status_code == 400 and user_row(app, world.learner.id)[0] is None

    saved = client.post("/account/time-zone", data={"zone": LA, "csrf_token": token})
    assert saved.status_code == 205 and user_row(app, world.learner.id)[:2] == (LA, False)
    same = client.post("/account/time-zone", data={"zone": LA, "csrf_token": token})
    assert same.status_code == 204
    # Travelling: a detected zone follows the browser.
    moved = client.post("/account/time-zone", data={"zone": KOLKATA, "csrf_token": token})
    assert moved.status_code == 205 and user_row(app, world.learner.id)[0] == KOLKATA

    # A zone chosen on the profile wins over the browser's.
    profile = {
        "name": "Ann",
        "time_zone": ADELAIDE,
        "email": world.learner.email,
        "csrf_token": auth.csrf("/account"),
    }
    assert client.post("/account", data=profile).status_code in (200, 302)
    assert user_row(app, world.learner.id)[:2] == (ADELAIDE, True)
    assert 'data-zone-pinned="1"' in client.get("/classes").get_data(as_text=True)
    kept = client.post("/account/time-zone", data={"zone": LA, "csrf_token": token})
    assert kept.status_code == 204 and user_row(app, world.learner.id)[0] == ADELAIDE
    # Clearing it on the profile hands the zone back to the browser.
    profile["time_zone"] = ""
    client.post("/account", data=profile)
    assert user_row(app, world.learner.id)[:2] == (None, False)
    back = client.post("/account/time-zone", data={"zone": LA, "csrf_token": token})
    assert back.status_code == 205 and user_row(app, world.learner.id)[0] == LA


# ------------------------------------------------------------------ calendar files


def parse_events(body: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(body)
    return {
        str(e["summary"]): {
            "start": e.decoded("dtstart"),
            "end": e.decoded("dtend"),
            "uid": str(e["uid"]),
            "text": str(e.get("description", "")),
            "location": str(e.get("location", "")),
        }
        for e in cal.walk("VEVENT")
    }


def test_private_feed_lists_my_classes_and_exams_and_its_reset_kills_the_old_url(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    add_class(app, world.cohort, "Campaigns", utc("2027-03-28 18:00"), duration_minutes=90)
    add_class(app, world.other_cohort, "Not mine", utc("2027-03-29 18:00"))
    with app.app_context():
        db.session.add(
            Exam(cohort_id=world.cohort, title="Final", starts_at=utc("2027-04-10 08:00"))
        )
        db.session.commit()
    auth.login(world.learner.email)
    assert "Create my calendar link" in client.get("/account").get_data(as_text=True)
    assert client.post("/account/calendar", data={}).status_code == 400  # CSRF
    made = client.post("/account/calendar", data={"csrf_token": auth.csrf("/account")})
    assert made.status_code == 302
    secret = user_row(app, world.learner.id)[2]
    assert secret and len(secret) >= 40
    page = client.get("/account").get_data(as_text=True)
    url = re.search(r'<code id="calendar-feed-url">([^<]+)</code>', page)[1]
    path = url.split("localhost", 1)[1]
    assert path == f"/calendar/{secret}.ics"

    anonymous = app.test_client()  # calendar apps send no cookies
    answer = anonymous.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert "no-store" in answer.headers["Cache-Control"]
    events = parse_events(answer.data)
    assert set(events) == {"Campaigns", "Exam: Final"}
    assert events["Campaigns"]["start"] == utc("2027-03-28 18:00")
    assert events["Campaigns"]["end"] == utc("2027-03-28 19:30")
    assert events["Exam: Final"]["start"] == utc("2027-04-10 08:00")
    assert "Berlin spring" in events["Campaigns"]["text"]

    reset = client.post("/account/calendar", data={"csrf_token": auth.csrf("/account")})
    assert reset.status_code == 302
    new_secret = user_row(app, world.learner.id)[2]
    assert new_secret and new_secret != secret
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(f"/calendar/{new_secret}.ics").status_code == 200
    assert anonymous.get("/calendar/short.ics").status_code == 404
    with app.app_context():
        user = db.session.get(User, world.learner.id)
        assert user is not None
        user.active = False
        db.session.commit()
    assert anonymous.get(f"/calendar/{new_secret}.ics").status_code == 404


def test_add_to_calendar_file_of_one_class(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    clock.move_to(utc("2027-03-25 12:00"), tick=False)
    class_id = add_class(
        app,
        world.cohort,
        "Campaigns",
        utc("2027-03-28 18:00"),
        join_url="https://meet.example.com/c",
    )
    masterclass = add_class(app, None, "Open", utc("2027-03-28 10:00"))
    url = f"/classes/{class_id}/calendar.ics"
    assert client.get(url).status_code == 302  # sign in first
    auth.login(world.learner.email)
    assert url in client.get(f"/cohorts/{world.cohort}").get_data(as_text=True)
    answer = client.get(url)
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    [event] = parse_events(answer.data).values()
    assert event["start"] == utc("2027-03-28 18:00") and event["uid"].startswith(
        f"class-{class_id}@"
    )
    assert event["location"] == "https://meet.example.com/c"
    auth.logout()
    auth.login(world.outsider.email)
    assert client.get(url).status_code == 404
    assert app.test_client().get(f"/classes/{masterclass}/calendar.ics").status_code == 200
    assert app.test_client().get("/classes/999999/calendar.ics").status_code == 404


# ------------------------------------------------------------------ join-link window


def test_the_join_link_is_in_the_page_only_from_15_minutes_before(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    start = utc("2027-03-28 18:00")
    add_class(
        app, world.cohort, "Campaigns", start, join_url="https://meet.example.com/secret-room"
    )
    clock.move_to(start - timedelta(minutes=15, seconds=1), tick=False)
    auth.login(world.learner.email)
    for url in (f"/cohorts/{world.cohort}", "/classes"):
        page = client.get(url).get_data(as_text=True)
        assert "Campaigns" in page and "secret-room" not in page
    clock.move_to(start - timedelta(minutes=15), tick=False)
    for url in (f"/cohorts/{world.cohort}", "/classes"):
        assert 'href="https://meet.example.com/secret-room"' in client.get(url).get_data(
            as_text=True
        )
    clock.move_to(start + timedelta(minutes=61), tick=False)  # over (60 min)
    page = client.get(f"/cohorts/{world.cohort}").get_data(as_text=True)
    assert "Campaigns" in page and "secret-room" not in page


# ------------------------------------------------------------------ reminders


def run_reminders(app: Flask) -> list[reminders.Due]:
    with app.app_context():
        return reminders.send_due()


def reminder_rows(app: Flask, class_id: int) -> set[tuple[int, int, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(ClassReminder).where(ClassReminder.class_id == class_id))
        return {(r.user_id, r.hours, r.sent) for r in rows}


@pytest.mark.worker
def test_reminders_go_24h_and_1h_before_exactly_once(
    app: Flask, world: World, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    start = utc("2027-03-28 18:00")  # 20:00 CEST in Berlin, the day Berlin moved to DST
    class_id = add_class(
        app, world.cohort, "Campaigns", start, join_url="https://meet.example.com/room-42"
    )
    set_zone(app, world.learner.id, LA)
    assert app.config["CLASS_REMINDER_HOURS"] == (24, 1)

    clock.move_to(start - timedelta(hours=24, minutes=1), tick=False)
    assert run_reminders(app) == []
    clock.move_to(start - timedelta(hours=23, minutes=59), tick=False)
    sent = run_reminders(app)
    assert {(d.user_id, d.hours) for d in sent} == {
        (world.learner.id, 24),
        (world.instructor.id, 24),
    }
    assert run_reminders(app) == []  # recorded: never twice
    first = mailbox.wait_for(world.learner.email)
    body = text_of(first)
    assert "Campaigns" in first["Subject"] and "in 24 hours" in first["Subject"]
    assert "Sun 28 Mar 2027, 11:00 PDT (America/Los_Angeles)" in body
    assert "20:00 CEST in the cohort's zone (Europe/Berlin)" in body
    assert "https://meet.example.com/room-42" in body
    assert f"/classes/{class_id}/calendar.ics" in body
    mailbox.wait_for(world.instructor.email)

    clock.move_to(start - timedelta(minutes=59), tick=False)
    assert [(d.user_id, d.hours) for d in run_reminders(app) if d.user_id == world.learner.id] == [
        (world.learner.id, 1)
    ]
    assert run_reminders(app) == []
    second = mailbox.wait_for(world.learner.email, count=2)
    assert "in 59 minutes" in second["Subject"]
    mailbox.wait_for(world.instructor.email, count=2)
    clock.move_to(start + timedelta(minutes=1), tick=False)
    assert run_reminders(app) == []
    assert len(mailbox.messages(world.learner.email)) == 2
    assert reminder_rows(app, class_id) == {
        (world.learner.id, 24, True),
        (world.learner.id, 1, True),
        (world.instructor.id, 24, True),
        (world.instructor.id, 1, True),
    }


@pytest.mark.worker
def test_a_late_class_gets_only_the_closest_reminder(
    app: Flask, world: World, mailbox: Mailbox, clock: TimeMachineFixture
) -> None:
    start = utc("2027-10-31 18:00")  # 19:00 CET, the day Berlin left DST
    clock.move_to(start - timedelta(minutes=30), tick=False)
    class_id = add_class(app, world.cohort, "Late addition", start)
    sent = run_reminders(app)
    assert {(d.user_id, d.hours) for d in sent} == {
        (world.learner.id, 1),
        (world.instructor.id, 1),
    }
    message = mailbox.wait_for(world.learner.email)
    assert "in 30 minutes" in message["Subject"]
    assert "Sun 31 Oct 2027, 19:00 CET (Europe/Berlin)" in text_of(message)
    assert "join link will be on the class page 15 minutes" in text_of(message)
    assert (world.learner.id, 24, False) in reminder_rows(app, class_id)
    assert run_reminders(app) == []
    assert len(mailbox.messages(world.learner.email)) == 1


def test_the_schedule_api_takes_the_profiles_zone_like_the_pages(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    clock.move_to(utc("2027-03-25 12:00"), tick=False)
    add_class(app, world.cohort, "Campaigns", utc("2027-03-28 18:00"))
    set_zone(app, world.learner.id, KOLKATA)
    auth.login(world.learner.email)
    answer = client.get(f"/api/v1/cohorts/{world.cohort}/schedule").get_json()
    assert answer["time_zone"] == KOLKATA
    assert (
        client.get(f"/api/v1/cohorts/{world.cohort}/schedule?tz={LA}").get_json()["time_zone"] == LA
    )
