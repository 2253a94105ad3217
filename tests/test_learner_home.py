"""The learner's home on fixed data with hand-computed answers: continue watching, path
progress bars, completed modules, and this week's watch time (a fixed ``now``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support import factories
from tests.support.auth import Auth
from tests.support.querycount import recorded_statements
from webapp.extensions import db
from webapp.learning import queries
from webapp.learning import services as learning
from webapp.models import Clip, Module, User, Video, VideoState, WatchProgress
from webapp.models.base import utcnow
from webapp.models.progress import WatchDay

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday; its ISO week starts 23 Nov


def at(day: int, hour: int = 12) -> datetime:
    """A fixed instant in November 2026, UTC."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """Module ids by name, the learner, another learner."""

    learner: factories.UserInfo
    other: factories.UserInfo
    m: dict[str, int]
    clip4: int


def _video(owner_id: int, title: str, duration: float) -> Video:
    video = Video(title=title, owner_id=owner_id, state=VideoState.READY.value, duration=duration)
    db.session.add(video)
    db.session.flush()
    return video


def _module(owner_id: int, title: str, duration: float) -> Module:
    module = Module(video_id=_video(owner_id, title, duration).id, title=title, duration=duration)
    db.session.add(module)
    db.session.flush()
    return module


def _progress(user_id: int, module: Module, position: float, watched: float, **when) -> int:
    row = WatchProgress(
        user_id=user_id,
        video_id=module.video_id,
        clip_id=module.clip_id,
        position=position,
        intervals=[[0, watched]] if watched else [],
        watched_seconds=watched,
        completed_at=when.get("completed_at"),
        updated_at=when["updated_at"],
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def _days(user_id: int, module: Module, progress_id: int, *days: tuple[date, float]) -> None:
    for day, seconds in days:
        db.session.add(
            WatchDay(
                progress_id=progress_id,
                user_id=user_id,
                video_id=module.video_id,
                clip_id=module.clip_id,
                day=day,
                seconds=seconds,
            )
        )


@pytest.fixture
def world(app: Flask, make_user: Callable[..., factories.UserInfo]) -> World:
    """Two paths sharing 'Link building', modules outside any path, and progress:

    ============  ========  =========  ========  =============  =====================
    module        duration  position   watched   last watched   new seconds per day
    ============  ========  =========  ========  =============  =====================
    keywords      100       100        100 done  20 Nov         20 Nov: 100
    on-page       100       30         40        25 Nov 09:00   22 Nov: 40
    links         200       150        150       26 Nov 08:00   23 Nov: 100, 26: 50
    audit (clip)  50        10         10        24 Nov 12:00   24 Nov: 10
    analytics     100       5          5         26 Nov 11:00   30 Nov: 5
    untouched     100       0          0         26 Nov 11:30   —
    email         60        60         60 done   25 Nov 20:00   25 Nov: 60
    ============  ========  =========  ========  =============  =====================

    The other learner watched 'on-page' last (26 Nov 11:59, 24 Nov: 50 s).
    """
    learner, other = make_user("learner"), make_user("learner")
    owner = make_user("instructor")
    d = date.fromisoformat
    with app.app_context():
        mod = {
            name: _module(owner.id, title, duration)
            for name, title, duration in [
                ("keywords", "Keywords", 100),
                ("onpage", "On-page SEO", 100),
                ("links", "Link building", 200),
                ("analytics", "Analytics intro", 100),
                ("untouched", "Untouched", 100),
                ("email", "Email basics", 60),
            ]
        }
        recording = _video(owner.id, "Recording 4", 300)
        clip = Clip(video_id=recording.id, title="Audit", start=10, end=60, created_by=owner.id)
        db.session.add(clip)
        db.session.flush()
        mod["audit"] = Module(
            video_id=recording.id, clip_id=clip.id, title="Technical audit", duration=50
        )
        db.session.add(mod["audit"])
        db.session.flush()
        ids = {name: m.id for name, m in mod.items()}
        learning.create_course("seo-basics", "SEO Basics", [ids["keywords"], ids["onpage"]])
        learning.create_course(
            "seo-advanced", "SEO Advanced", [ids["links"], ids["audit"]], ["seo-basics"]
        )
        learning.create_course("links", "Links", [ids["links"]])
        path_a = learning.create_program(
            "digital-marketing", "Digital Marketing", ["seo-basics", "seo-advanced"]
        )
        path_b = learning.create_program("link-building", "Link Building", ["links"])
        user = db.session.get(User, learner.id)
        learning.enrol(user, path_a, admin=True)
        learning.enrol(user, path_b, admin=True)

        me = learner.id
        p = _progress(me, mod["keywords"], 100, 100, completed_at=at(20, 10), updated_at=at(20, 10))
        _days(me, mod["keywords"], p, (d("2026-11-20"), 100))
        p = _progress(me, mod["onpage"], 30, 40, updated_at=at(25, 9))
        _days(me, mod["onpage"], p, (d("2026-11-22"), 40))
        p = _progress(me, mod["links"], 150, 150, updated_at=at(26, 8))
        _days(me, mod["links"], p, (d("2026-11-23"), 100), (d("2026-11-26"), 50))
        p = _progress(me, mod["audit"], 10, 10, updated_at=at(24, 12))
        _days(me, mod["audit"], p, (d("2026-11-24"), 10))
        p = _progress(me, mod["analytics"], 5, 5, updated_at=at(26, 11))
        _days(me, mod["analytics"], p, (d("2026-11-30"), 5))
        _progress(me, mod["untouched"], 0, 0, updated_at=datetime(2026, 11, 26, 11, 30, tzinfo=UTC))
        p = _progress(me, mod["email"], 60, 60, completed_at=at(25, 20), updated_at=at(25, 20))
        _days(me, mod["email"], p, (d("2026-11-25"), 60))
        p = _progress(
            other.id, mod["onpage"], 50, 50, updated_at=datetime(2026, 11, 26, 11, 59, tzinfo=UTC)
        )
        _days(other.id, mod["onpage"], p, (d("2026-11-24"), 50))
        db.session.commit()
        return World(learner, other, ids, clip.id)


# --------------------------------------------------------------------------- queries


def test_continue_watching_is_unfinished_modules_most_recent_first(
    app: Flask, world: World
) -> None:
    with app.app_context():
        resume = queries.continue_watching(world.learner.id)
        assert [(r.module.id, r.position, r.percent) for r in resume] == [
            (world.m["analytics"], 5, 5),
            (world.m["links"], 150, 75),
            (world.m["onpage"], 30, 40),
            (world.m["audit"], 10, 20),
        ]
        assert resume[0].updated_at == at(26, 11)
        assert len(queries.continue_watching(world.learner.id, limit=2)) == 2
        assert [r.module.id for r in queries.continue_watching(world.other.id)] == [
            world.m["onpage"]
        ]


def test_path_progress_percents(app: Flask, world: World) -> None:
    with app.app_context():
        home = queries.learner_home(world.learner.id, NOW)
        rows = [
            (s.program.slug, s.completed_modules, s.total_modules, s.percent, s.watched_percent)
            for s in home.paths
        ]
    # A: 1 of 4 done → 25 %; (100 + 40 + 150 + 10) / 450 s → 66.7 % floored to 66.
    # B: 0 of 1 done; 150 / 200 s → 75 %.
    assert rows == [("digital-marketing", 1, 4, 25, 66), ("link-building", 0, 1, 0, 75)]


def test_completed_modules_latest_first_with_total(app: Flask, world: World) -> None:
    with app.app_context():
        completed, total = queries.completed_modules(world.learner.id)
        assert [(c.module.id, c.completed_at) for c in completed] == [
            (world.m["email"], at(25, 20)),
            (world.m["keywords"], at(20, 10)),
        ]
        assert total == 2
        few, total = queries.completed_modules(world.learner.id, limit=1)
        assert len(few) == 1 and total == 2
        assert queries.completed_modules(world.other.id) == ([], 0)


@pytest.mark.parametrize(
    ("now", "monday", "seconds"),
    [
        # 23 Nov: links 100; 24: audit 10; 25: email 60; 26: links 50 (22 and 30 Nov are out).
        (NOW, date(2026, 11, 23), 220.0),
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), date(2026, 11, 23), 220.0),
        (datetime(2026, 11, 29, 23, 59, tzinfo=UTC), date(2026, 11, 23), 220.0),
        # Week of 16 Nov: keywords 100 on 20 Nov, on-page 40 on Sunday 22 Nov.
        (datetime(2026, 11, 22, 23, 59, tzinfo=UTC), date(2026, 11, 16), 140.0),
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), date(2026, 11, 30), 5.0),
        # Monday 00:30 in Berlin is still Sunday in UTC: weeks are UTC weeks.
        (
            datetime(2026, 11, 30, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")),
            date(2026, 11, 23),
            220.0,
        ),
        (datetime(2026, 12, 9, tzinfo=UTC), date(2026, 12, 7), 0.0),
    ],
)
def test_time_spent_this_week(
    app: Flask, world: World, now: datetime, monday: date, seconds: float
) -> None:
    with app.app_context():
        assert queries.week_start(now) == monday
        assert queries.seconds_this_week(world.learner.id, now) == seconds
        home = queries.learner_home(world.learner.id, now)
        assert (home.week_start, home.week_seconds) == (monday, seconds)
    with app.app_context():
        assert queries.seconds_this_week(world.other.id, NOW) == 50.0


# --------------------------------------------------------------------------- the page


def _ids(html: str, list_class: str) -> list[int]:
    section = html.split(f'class="item-list {list_class}"', 1)[1].split("</ol>", 1)[0]
    return [int(i) for i in re.findall(r'data-module-id="(\d+)"', section)]


def test_home_page_shows_resume_links_bars_and_completed(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    auth.login(world.learner.email)
    html = client.get("/home").get_data(as_text=True)
    m = world.m
    assert _ids(html, "resume-list") == [m["analytics"], m["links"], m["onpage"], m["audit"]]
    assert f'href="/clips/{world.clip4}">Technical audit</a>' in html
    assert "Resume at 2:30 of 3:20" in html and "75% watched" in html
    assert 'aria-label="Progress in Digital Marketing"' in html
    assert re.search(
        r'Progress in Digital Marketing"\s+aria-valuemin="0" aria-valuemax="100" '
        r'aria-valuenow="25"',
        html,
    )
    assert "1 of 4 modules completed · 66% watched" in html
    assert "0 of 1 module completed · 75% watched" in html
    assert _ids(html, "completed-list") == [m["email"], m["keywords"]]
    assert "2 modules completed" in html
    monday = queries.week_start(utcnow())
    assert f'<time datetime="{monday.isoformat()}">' in html and "(UTC)" in html
    assert "Untouched" not in html


def test_home_page_counts_this_weeks_time(
    app: Flask, client: FlaskClient, auth: Auth, world: World, clock: TimeMachineFixture
) -> None:
    """The page asks for the real current week; rows dated in it are summed. (The clock
    stands still: the week cannot turn, Sunday to Monday, while the page is built.)"""
    auth.login(world.learner.email)
    monday = queries.week_start(utcnow())
    with app.app_context():
        row = db.session.query(WatchProgress).filter_by(user_id=world.learner.id).first()
        db.session.query(WatchDay).filter(WatchDay.day >= monday).delete()
        db.session.add(
            WatchDay(
                progress_id=row.id,
                user_id=world.learner.id,
                video_id=row.video_id,
                clip_id=row.clip_id,
                day=monday,
                seconds=754.4,
            )
        )
        db.session.commit()
    html = client.get("/home").get_data(as_text=True)
    assert 'data-seconds="754"' in html and "13 min" in html


def test_home_costs_the_same_with_more_progress(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    """No N+1: more resume points and completed modules add no statements."""
    auth.login(world.learner.email)
    client.get("/home")
    with recorded_statements(app) as before:
        client.get("/home")
    with app.app_context():
        owner_id = db.session.get(Video, db.session.get(Module, world.m["links"]).video_id).owner_id
        for i in range(5):
            module = _module(owner_id, f"Extra {i}", 100)
            _progress(world.learner.id, module, 10, 10, updated_at=at(27))
            done = _module(owner_id, f"Done {i}", 100)
            _progress(world.learner.id, done, 100, 100, completed_at=at(27), updated_at=at(27))
        db.session.commit()
    with recorded_statements(app) as after:
        html = client.get("/home").get_data(as_text=True)
    assert "Extra 4" in html and "7 modules completed" in html
    assert len(after) == len(before)
