"""Instructor analytics: figures, retention curve and drop-off points on fixed data with
hand-computed answers, per video and per clip; who may see them; query counts."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from time_machine import TimeMachineFixture

from tests.support import factories
from tests.support.auth import Auth
from tests.support.querycount import count_queries
from webapp.analytics import charts
from webapp.analytics.modules import analyse
from webapp.analytics.retention import Bucket, bucket_count, drop_offs
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.models import (
    Clip,
    Cohort,
    LiveClass,
    Program,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.progress import WatchDay
from webapp.progress.intervals import merge

_HASH = hash_password(factories.PASSWORD)
DONE = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 20, 12, 0, tzinfo=UTC)  # the clock of every test here (see below)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _clock_at_now(clock: TimeMachineFixture) -> None:
    """The server's "today" is TODAY, even when the suite runs across midnight."""
    clock.move_to(NOW, tick=False)


@dataclass(frozen=True)
class Lesson:
    """Ids and e-mails of the fixed data set."""

    video: int
    clip: int
    other_video: int
    owner_email: str
    other_instructor_email: str
    learner_email: str
    admin_email: str


def _user(email: str, role: str = "learner") -> User:
    user = User(email=email, password_hash=_HASH, role=role)
    db.session.add(user)
    db.session.flush()
    return user


def _video(owner_id: int, title: str, duration: float) -> Video:
    video = Video(
        title=title,
        owner_id=owner_id,
        state=VideoState.READY.value,
        duration=duration,
        hls_prefix="videos/test/hls",  # playable; nothing is fetched here
    )
    db.session.add(video)
    db.session.flush()
    return video


def _progress(
    user_id, video_id, intervals, watched, clip_id=None, completed=None, views=0
) -> WatchProgress:
    row = WatchProgress(
        view_count=views,
        user_id=user_id,
        video_id=video_id,
        clip_id=clip_id,
        position=0.0,
        intervals=intervals,
        watched_seconds=watched,
        completed_at=completed,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _day(row: WatchProgress, days_ago: int, seconds: float) -> None:
    db.session.add(
        WatchDay(
            progress_id=row.id,
            user_id=row.user_id,
            video_id=row.video_id,
            clip_id=row.clip_id,
            day=TODAY - timedelta(days=days_ago),
            seconds=seconds,
        )
    )


@pytest.fixture
def lesson(app: Flask) -> Lesson:
    """A 100 s video watched by A [0,90], B [0,40]+[60,70], C [0,40]+[45,47.5]; D opened
    it without watching; a 20 s clip (10–30 s) watched by E, F, G; noise elsewhere."""
    with app.app_context():
        owner = _user("owner@example.com", "instructor")
        other = _user("other@example.com", "instructor")
        admin = _user("admin@example.com", "admin")
        a, b, c, d, e, f, g = (_user(f"{n}@example.com") for n in "abcdefg")
        video = _video(owner.id, "Retention <b>lesson</b>", 100.0)
        other_video = _video(other.id, "Someone else's", 60.0)
        clip = Clip(
            video_id=video.id, title="Clip <i>one</i>", start=10.0, end=30.0, created_by=owner.id
        )
        db.session.add(clip)
        db.session.flush()
        pa = _progress(a.id, video.id, [[0, 90]], 90.0, completed=DONE, views=3)
        pb = _progress(b.id, video.id, [[0, 40], [60, 70]], 50.0, views=2)
        _progress(c.id, video.id, [[0, 40], [45, 47.5]], 42.5)
        _progress(d.id, video.id, [], 0.0)
        pe = _progress(e.id, video.id, [[0, 20]], 20.0, clip_id=clip.id, completed=DONE)
        _day(pa, 40, 30.0)  # before the 30-day window
        _day(pa, 1, 60.0)
        _day(pa, 0, 30.0)
        _day(pb, 0, 50.0)
        _day(pe, 0, 20.0)  # the clip's, not the video's
        _progress(f.id, video.id, [[0, 10]], 10.0, clip_id=clip.id)
        _progress(g.id, video.id, [[0, 20]], 25.0, clip_id=clip.id, completed=DONE)
        _progress(e.id, other_video.id, [[0, 60]], 60.0, completed=DONE)
        db.session.commit()
        return Lesson(
            video.id,
            clip.id,
            other_video.id,
            owner.email,
            other.email,
            a.email,
            admin.email,
        )


# --------------------------------------------------------------------------- the numbers

EXPECTED_VIDEO_CURVE = [3] * 8 + [1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0]


def test_buckets_are_five_seconds_up_to_a_hundred() -> None:
    assert bucket_count(0) == 0
    assert bucket_count(3) == 1
    assert bucket_count(100) == 20
    assert bucket_count(101) == 21
    assert bucket_count(500) == 100
    assert bucket_count(3600) == 100


def test_video_figures_curve_and_drop_offs(app: Flask, lesson: Lesson) -> None:
    with app.app_context():
        found = analyse(db.session.get(Video, lesson.video))
        # A played it in 3 page loads, B in 2; C and D (who never played a second) have rows
        # from before view counts (0): one view each.
        assert found.stats.views == 7
        assert found.stats.viewers == 3
        assert found.stats.average_share == pytest.approx((0.9 + 0.5 + 0.425) / 3)
        assert found.stats.completions == 1
        # 20 buckets of 5 s; a bucket counts the viewers covering its midpoint.
        assert [b.viewers for b in found.curve] == EXPECTED_VIDEO_CURVE
        assert (found.curve[9].start, found.curve[9].end) == (45.0, 50.0)
        assert found.curve[9].viewers == 2  # C's [45, 47.5] ends exactly at the midpoint
        assert found.curve[0].share == 1.0
        assert found.curve[8].share == pytest.approx(1 / 3)
        # Falls: 40 s (3→1), 50 s (2→1), 70 s (2→1), 90 s (1→0): the largest three, the
        # ties earliest first, so 90 s is left out.
        assert [(d.at, d.lost) for d in found.drops] == [(40.0, 2), (50.0, 1), (70.0, 1)]
        assert found.drops[0].before == 1.0
        assert found.drops[0].after == pytest.approx(1 / 3)


def test_daily_watch_time_from_watch_days(app: Flask, lesson: Lesson) -> None:
    with app.app_context():
        video = db.session.get(Video, lesson.video)
        days = analyse(video, today=TODAY).days
        assert len(days) == 30 and days[0].day == TODAY - timedelta(days=29)
        assert days[-1].day == TODAY
        assert (days[-1].seconds, days[-1].viewers) == (80.0, 2)  # A 30 s + B 50 s
        assert (days[-2].seconds, days[-2].viewers) == (60.0, 1)
        assert sum(d.seconds for d in days) == 140.0  # A's day 40 days ago is outside
        clip = db.session.get(Clip, lesson.clip)
        assert [d.seconds for d in analyse(video, clip, today=TODAY).days][-1] == 20.0
        earlier = analyse(video, today=TODAY - timedelta(days=1)).days
        assert earlier[-1].seconds == 60.0


def test_clip_figures_use_clip_time_and_cap_the_share(app: Flask, lesson: Lesson) -> None:
    with app.app_context():
        clip = db.session.get(Clip, lesson.clip)
        found = analyse(clip.video, clip)
        assert found.duration == 20.0
        assert (found.stats.views, found.stats.viewers, found.stats.completions) == (3, 3, 2)
        # E 20/20, F 10/20, G 25/20 capped at 1.
        assert found.stats.average_share == pytest.approx(2.5 / 3)
        assert [b.viewers for b in found.curve] == [3, 3, 2, 2]
        assert [(d.at, d.lost) for d in found.drops] == [(10.0, 1)]


def test_drop_offs_ignore_rises_and_flat_curves() -> None:
    def curve(counts: list[int]) -> list[Bucket]:
        return [Bucket(i, i * 5.0, i * 5.0 + 5, c, c / 4) for i, c in enumerate(counts)]

    assert drop_offs(curve([4, 4, 4])) == []
    assert drop_offs(curve([])) == []
    found = drop_offs(curve([2, 4, 1, 3, 0]))
    assert [(d.index, d.lost) for d in found] == [(2, 3), (4, 3)]


def test_no_viewers_means_no_curve(app: Flask, lesson: Lesson) -> None:
    with app.app_context():
        db.session.query(WatchProgress).delete()
        db.session.commit()
        found = analyse(db.session.get(Video, lesson.video))
        assert found.stats.views == 0 and found.curve == [] and found.drops == []


def test_retention_chart_geometry() -> None:
    chart = charts.retention_chart([1.0, 0.5], 10.0, [(1, "−50 pts")])
    first, second = chart.points.split()
    assert (first, second) == ("190.0,22.0", "482.0,107.0")  # plot area 584 x 170 at (44, 22)
    assert [t.label for t in chart.x_ticks] == ["0:00", "0:02", "0:05", "0:08", "0:10"]
    assert chart.markers[0].label == "−50 pts"
    bars = charts.bar_chart(["a", "b"], [3, 0], [1, 2])
    assert [b.height for b in bars.bars] == [round(charts.PLOT_H * 3 / 5, 1), 0.0]
    assert [t.label for t in bars.y_ticks] == ["0", "5"]
    assert bars.line_max == 2


# --------------------------------------------------------------------------- pages and API


def test_owner_sees_the_page_with_chart_table_and_clips(
    client: FlaskClient, auth: Auth, lesson: Lesson
) -> None:
    auth.login(lesson.owner_email)
    html = client.get(f"/analytics/videos/{lesson.video}").get_data(as_text=True)
    assert '<dd class="fig-views">7</dd>' in html
    assert '<dd class="fig-viewers">3</dd>' in html
    assert '<dd class="fig-share">60.8%</dd>' in html
    assert "<svg" in html and 'role="img"' in html and "<desc" in html
    assert html.count("<tr><td>") == 20  # the retention data table
    assert html.count("<tr data-day=") == 30  # the watch time data table
    assert html.count('class="drop-off"') == 3
    assert f"/videos/{lesson.video}?t=40.0" in html
    assert "Retention &lt;b&gt;lesson&lt;/b&gt;" in html and "<b>lesson" not in html
    assert "Clip &lt;i&gt;one&lt;/i&gt;" in html
    assert f'href="/analytics/clips/{lesson.clip}"' in html
    # No script of its own (the chart is SVG); only the site-wide zone detector and menu.
    scripts = re.findall(r"<script[^>]*>", html.split("</header>", 1)[1])
    assert scripts == [
        '<script type="module" src="/static/js/zone.js">',
        '<script type="module" src="/static/js/menu.js">',
    ]
    clip_html = client.get(f"/analytics/clips/{lesson.clip}").get_data(as_text=True)
    assert '<dd class="fig-share">83.3%</dd>' in clip_html


def test_index_lists_own_videos_or_all_for_admins(
    client: FlaskClient, auth: Auth, lesson: Lesson
) -> None:
    auth.login(lesson.owner_email)
    html = client.get("/analytics").get_data(as_text=True)
    assert f'data-video-id="{lesson.video}"' in html
    assert f'data-video-id="{lesson.other_video}"' not in html
    assert 'href="/analytics" aria-current="page">Analytics</a>' in html
    assert 'href="/reports">Reports</a>' in html
    auth.logout()
    auth.login(lesson.admin_email)
    html = client.get("/analytics").get_data(as_text=True)
    assert f'data-video-id="{lesson.other_video}"' in html
    auth.logout()
    auth.login(lesson.learner_email)
    assert client.get("/analytics").status_code == 403
    assert 'href="/analytics"' not in client.get("/home").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "video_status", "clip_status"),
    [("owner", 200, 200), ("admin", 200, 200), ("other", 403, 403), ("learner", 403, 403)],
)
def test_only_the_owner_and_admins_see_analytics(
    client: FlaskClient, auth: Auth, lesson: Lesson, who: str, video_status: int, clip_status: int
) -> None:
    email = {
        "owner": lesson.owner_email,
        "admin": lesson.admin_email,
        "other": lesson.other_instructor_email,
        "learner": lesson.learner_email,
    }[who]
    auth.login(email)
    assert client.get(f"/analytics/videos/{lesson.video}").status_code == video_status
    assert client.get(f"/analytics/clips/{lesson.clip}").status_code == clip_status
    api = client.get(f"/api/v1/videos/{lesson.video}/analytics")
    assert api.status_code == video_status
    assert client.get(f"/api/v1/clips/{lesson.clip}/analytics").status_code == clip_status
    assert client.get("/analytics/videos/999999").status_code == 404
    assert client.get("/api/v1/clips/999999/analytics").status_code == 404


def test_a_private_cohort_recording_is_404_for_other_instructors(
    app: Flask, client: FlaskClient, auth: Auth, lesson: Lesson
) -> None:
    with app.app_context():
        program = Program(title="P", slug="p")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="C", starts_on=DONE.date())
        db.session.add(cohort)
        db.session.flush()
        db.session.add(
            LiveClass(cohort_id=cohort.id, title="L", starts_at=DONE, recording_id=lesson.video)
        )
        db.session.commit()
    auth.login(lesson.other_instructor_email)
    assert client.get(f"/analytics/videos/{lesson.video}").status_code == 404
    assert client.get(f"/api/v1/videos/{lesson.video}/analytics").status_code == 404


def test_api_shapes(client: FlaskClient, auth: Auth, lesson: Lesson) -> None:
    assert client.get(f"/api/v1/videos/{lesson.video}/analytics").status_code == 401
    auth.login(lesson.owner_email)
    body = client.get(f"/api/v1/videos/{lesson.video}/analytics").get_json()
    assert (body["views"], body["unique_viewers"], body["completions"]) == (7, 3, 1)
    assert body["average_share_watched"] == round(1.825 / 3, 4)
    assert body["duration"] == 100.0 and body["clip_id"] is None
    assert [b["viewers"] for b in body["retention"]] == EXPECTED_VIDEO_CURVE
    assert body["retention"][8] == {"start": 40.0, "end": 45.0, "viewers": 1, "share": 0.3333}
    assert body["drop_offs"][0] == {"at": 40.0, "before": 1.0, "after": 0.3333, "viewers_lost": 2}
    # Looked up by date, not position: the window ends at the server's today (TODAY).
    by_day = {d["day"]: d for d in body["watch_days"]}
    assert by_day[TODAY.isoformat()] == {"day": TODAY.isoformat(), "seconds": 80.0, "learners": 2}
    [clip] = body["clips"]
    assert clip["clip_id"] == lesson.clip and (clip["views"], clip["completions"]) == (3, 2)
    assert clip["average_share_watched"] == round(2.5 / 3, 4)
    body = client.get(f"/api/v1/clips/{lesson.clip}/analytics").get_json()
    assert [b["viewers"] for b in body["retention"]] == [3, 3, 2, 2]
    assert body["drop_offs"] == [{"at": 10.0, "before": 1.0, "after": 0.6667, "viewers_lost": 1}]


def test_query_count_does_not_grow_with_viewers(
    app: Flask, client: FlaskClient, auth: Auth, lesson: Lesson
) -> None:
    auth.login(lesson.owner_email)
    url = f"/analytics/videos/{lesson.video}"
    few = count_queries(app, lambda: client.get(url))
    with app.app_context():
        for i in range(30):
            user = _user(f"extra{i}@example.com")
            _progress(user.id, lesson.video, [[0, i]], float(i))
            clip_user = _user(f"clipper{i}@example.com")
            _progress(clip_user.id, lesson.video, [[0, 5]], 5.0, clip_id=lesson.clip)
        db.session.commit()
    many = count_queries(app, lambda: client.get(url))
    assert few == many
    with app.app_context():
        video = db.session.get(Video, lesson.video)
        assert count_queries(app, lambda: analyse(video)) == 3  # figures, curve, days


def test_the_sql_curve_matches_the_definition_on_random_data(app: Flask, lesson: Lesson) -> None:
    """Many viewers with random merged intervals: the one-statement curve equals a
    plain Python count of viewers covering each bucket's midpoint."""
    rng = random.Random(7)
    duration = 123.4
    with app.app_context():
        video = _video(db.session.get(Video, lesson.video).owner_id, "Random", duration)
        spans_of = []
        for i in range(40):
            cuts = sorted(rng.uniform(0, duration) for _ in range(2 * rng.randint(1, 4)))
            spans = merge(zip(cuts[::2], cuts[1::2], strict=True))
            spans_of.append(spans)
            user = _user(f"random{i}@example.com")
            _progress(user.id, video.id, [list(s) for s in spans], sum(b - a for a, b in spans))
        db.session.commit()
        found = analyse(video)
    n = bucket_count(duration)
    step = duration / n
    expected = [
        sum(any(a <= (i + 0.5) * step <= b for a, b in spans) for spans in spans_of)
        for i in range(n)
    ]
    assert [b.viewers for b in found.curve] == expected
    assert found.stats.viewers == 40
