"""The batched heartbeat writer under concurrency, with real threads on the real database:
every acknowledged beat is stored, whatever interleaves with it. And the helpers of
``bench/heartbeats.py`` (no timing)."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from bench import heartbeats
from tests.support import factories
from webapp.extensions import db
from webapp.models import Module, Video, VideoState, WatchProgress
from webapp.models.base import utcnow
from webapp.models.progress import WatchDay
from webapp.progress import sql_pg
from webapp.progress.beats import BadHeartbeat, Beat, parse_beat
from webapp.progress.rows import ModuleKey
from webapp.progress.rules import MAX_UNION_INTERVALS, Standing
from webapp.progress.store import Pending
from webapp.progress.writer import BeatWriter, WriterUnavailable, get_writer, sqlite_immediate

BEATS = 20  # per learner and module, one second of video each
SHARE = 0.9


@pytest.fixture
def world(app: Flask) -> tuple[list[int], list[int]]:
    """Four learners and three ready one-hour recordings, each a catalogue module."""
    owner = factories.create_user(app, "instructor")
    learners = [factories.create_user(app).id for _ in range(4)]
    with app.app_context():
        videos = [
            Video(
                title=f"Lecture {i}",
                owner_id=owner.id,
                state=VideoState.READY.value,
                duration=3600.0,
                hls_prefix=f"videos/lecture-{i}/v1",
            )
            for i in range(3)
        ]
        db.session.add_all(videos)
        db.session.flush()
        db.session.add_all(Module(video_id=v.id, title=v.title, duration=3600.0) for v in videos)
        db.session.commit()
        return learners, [v.id for v in videos]


@pytest.fixture
def own_writer(app: Flask) -> Iterator[Callable[..., BeatWriter]]:
    """Factory: a writer on its own engine, as a second web server worker process has one
    (``immediate``: SQLite's lock-at-BEGIN engine the app's writer uses); closed after."""
    made: list[tuple[BeatWriter, Engine]] = []

    def make(linger: float = 0.002, timeout: float = 30, immediate: bool = True) -> BeatWriter:
        with app.app_context():
            url = db.engine.url
        engine = create_engine(url)
        if url.get_backend_name() == "sqlite" and immediate:
            engine = sqlite_immediate(engine)
        writer = BeatWriter(engine, max_batch=50, linger=linger, timeout=timeout)
        made.append((writer, engine))
        return writer

    yield make
    for writer, engine in made:
        writer.close()
        engine.dispose()


def pending(key: ModuleKey, beat: Beat) -> Pending:
    """A beat of a one-hour module received now, in a watch session opened an hour ago."""
    now = utcnow()
    return Pending(key, 3600.0, beat, now, SHARE, now - timedelta(hours=1))


def run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Run every target in its own thread at once; the exceptions they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def wrap(target: Callable[[], None]) -> None:
        start.wait()
        try:
            target()
        except BaseException as exc:  # reported to the test, which fails on it
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_beats_from_two_writers_are_all_stored(app: Flask, world, own_writer) -> None:
    """One player per learner and module beats in sequence, alternating between two
    writers (two processes); meanwhile stale duplicates of the same session hit both.
    Every beat is acknowledged, so every one must be in the database."""
    learners, videos = world
    writers = [get_writer(app), own_writer()]
    keys = [ModuleKey(u, v, None) for u in learners for v in videos]
    acked: dict[ModuleKey, list[Standing]] = {key: [] for key in keys}

    def player(key: ModuleKey) -> Callable[[], None]:
        def play() -> None:
            for i in range(BEATS):
                beat = Beat(float(i + 1), ((float(i), float(i + 1)),), f"s{key.user_id}", i + 1)
                acked[key].append(writers[i % 2].submit(pending(key, beat)))

        return play

    def echo(seed: int) -> Callable[[], None]:
        rng = random.Random(seed)

        def resend() -> None:
            for _ in range(BEATS):
                key = rng.choice(keys)
                start = float(rng.randrange(BEATS))
                stale = Beat(0.0, ((start, start + 1),), f"s{key.user_id}", 0)
                rng.choice(writers).submit(pending(key, stale))

        return resend

    errors = run_threads([player(k) for k in keys] + [echo(seed) for seed in range(4)])
    assert errors == []
    assert all(len(standings) == BEATS for standings in acked.values())
    with app.app_context():
        rows = db.session.scalars(select(WatchProgress)).all()
        days = dict(
            db.session.execute(
                select(WatchDay.progress_id, func.sum(WatchDay.seconds)).group_by(
                    WatchDay.progress_id
                )
            ).all()
        )
        views = db.session.scalars(select(Module.views)).all()
    assert len(rows) == len(keys)
    for row in rows:
        assert row.intervals == [[0.0, float(BEATS)]]
        assert row.watched_seconds == BEATS and days[row.id] == pytest.approx(BEATS)
        assert (row.position, row.beat_seq) == (BEATS, BEATS)
    assert views == [len(learners)] * len(videos)  # each learner counted once per module


def test_one_failing_beat_does_not_fail_its_batch(app: Flask, world, own_writer) -> None:
    learners, videos = world
    writer = own_writer(linger=0.5)  # one batch for all
    good = [ModuleKey(u, videos[0], None) for u in learners]
    results: dict[ModuleKey, object] = {}

    def send(key: ModuleKey, beat: Beat) -> Callable[[], None]:
        def go() -> None:
            try:
                results[key] = writer.submit(pending(key, beat))
            except (WriterUnavailable, BadHeartbeat) as exc:
                results[key] = exc

        return go

    normal = Beat(5.0, ((0.0, 5.0),), "s", 1)
    # More separate ranges than a row keeps: refused, the rest of the batch is not.
    scattered = Beat(1.0, tuple((1.5 * i, 1.5 * i + 1) for i in range(MAX_UNION_INTERVALS + 1)))
    missing = ModuleKey(learners[0], 987654, None)  # no such video: the insert fails
    too_much = ModuleKey(learners[0], videos[1], None)
    errors = run_threads(
        [send(k, normal) for k in good] + [send(missing, normal), send(too_much, scattered)]
    )
    assert errors == []
    assert isinstance(results.pop(missing), WriterUnavailable)
    assert isinstance(results.pop(too_much), BadHeartbeat)
    assert all(isinstance(r, Standing) and r.watched_seconds == 5 for r in results.values())
    with app.app_context():
        stored = db.session.scalars(select(WatchProgress.video_id)).all()
    assert stored == [videos[0]] * len(learners)


def test_a_beat_that_waits_too_long_is_unavailable_then_stored(
    app: Flask, world, own_writer
) -> None:
    """A 503 means "not acknowledged", not "lost": the beat is stored once the
    database lets it, and sending it again changes nothing."""
    learners, videos = world
    key = ModuleKey(learners[0], videos[0], None)
    writer = own_writer(linger=0.0, timeout=0.5)
    first = writer.submit(pending(key, Beat(1.0, ((0.0, 1.0),), "s", 1)))
    assert first.watched_seconds == 1
    with app.app_context():
        engine = create_engine(db.engine.url)
    blocker = engine.connect()
    if engine.dialect.name == "sqlite":
        blocker.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock
    else:
        blocker.begin()
        blocker.execute(text("SELECT id FROM watch_progress FOR UPDATE"))  # the row lock
    beat = Beat(2.0, ((1.0, 2.0),), "s", 2)
    try:
        with pytest.raises(WriterUnavailable):
            writer.submit(pending(key, beat))
    finally:
        blocker.rollback()
        blocker.close()
        engine.dispose()
    again = writer.submit(pending(key, beat))
    assert again.watched_seconds == 2 and again.seq == 2
    with app.app_context():
        assert db.session.scalar(select(func.sum(WatchDay.seconds))) == pytest.approx(2)


def test_wall_time_counts_from_arrival_not_from_the_batch(app: Flask, world) -> None:
    """Credit is computed from when the request arrived, whatever the batch waited: 2 s
    of media per second of wall time since the session's grant, then since the last
    beat; what goes beyond is not credited."""
    learners, videos = world
    key = ModuleKey(learners[1], videos[2], None)
    writer = get_writer(app)
    opened = utcnow()
    start = opened + timedelta(seconds=15)

    def submit(beat: Beat, at: datetime) -> Standing:
        return writer.submit(Pending(key, 3600.0, beat, at, SHARE, opened))

    assert submit(Beat(30.0, ((0.0, 30.0),), "s", 1), start).watched_seconds == 30
    later = start + timedelta(seconds=20)  # 2 x 20 s = 40 s more may be reported
    assert submit(Beat(70.0, ((30.0, 70.0),), "s", 2), later).watched_seconds == 70
    cut = submit(Beat(99.0, ((70.0, 99.0),), "s", 3), later)
    assert cut.watched_seconds == 70 and cut.position == 99


# --------------------------------------------------------------------------- bench helpers


def test_bench_beats_are_what_the_api_accepts() -> None:
    learner = heartbeats.Learner(heartbeats.Viewer("tok", 7), "sess")
    request, seq, played = heartbeats.beat_request(learner, due=100.0, period=10.0)
    # Queued: the first beat is answered 2 s late, and the server's session opened then.
    heartbeats.acknowledge(learner, seq, played, "g", now=102.0)
    second, _, played_next = heartbeats.beat_request(learner, due=110.5, period=10.0)
    head, _, body = request.partition(b"\r\n\r\n")
    assert head.startswith(b"PUT /api/v1/videos/7/progress HTTP/1.1")
    assert b"Authorization: Bearer tok" in head and b"X-Heartbeat-Grant" not in head
    beat = parse_beat(json.loads(body))
    # The first beat opens the watch session: it reports nothing played.
    assert (beat.session, beat.seq, beat.played) == ("sess", seq, ((0.0, 0.0),))
    assert played == 0.0 and played_next == 8.5 and b"X-Heartbeat-Grant: g" in second
    assert learner.acked_seq == seq and learner.acked_seconds == 0.0


def test_bench_verification_catches_a_lost_beat() -> None:
    result = {"acked_seq": [3, 2, -1], "acked_seconds": [30.0, 20.0, 0.0]}
    db = {"seq": [3, 2, -1], "watched": [30.0, 20.0, 0.0], "days": 50.0, "rows": 2, "views": 2}
    assert heartbeats.verify(result, db)["every_ack_stored"] is True
    short = {**db, "seq": [3, 1, -1], "watched": [30.0, 10.0, 0.0], "days": 40.0}
    check = heartbeats.verify(result, short)
    assert check["every_ack_stored"] is False and check["rows_missing_an_acked_seq"] == 1
    steps = [
        {"offered_per_second": 500, "errors": 0, "p99_ms": 20.0},
        {"offered_per_second": 1000, "errors": 0, "p99_ms": 45.0},
        {"offered_per_second": 1500, "errors": 0, "p99_ms": 80.0},
        {"offered_per_second": 2000, "errors": 3, "p99_ms": 30.0},
    ]
    assert heartbeats.best_step(steps, 50.0) == 1000
    cost = heartbeats.CpuMeter.per_request(
        {"app": 1.0, "db": 0.0, "client": 0.0}, {"app": 1.5, "db": 0.1, "client": 0.1}, 1000
    )
    assert cost["total_ms"] == pytest.approx(0.7) and cost["per_second_on_2_cores"] == 2857


def test_array_literals_reach_postgresql_unchanged(app: Flask) -> None:
    """The writer's array parameters are literals the statement casts: every value,
    quotes, backslashes, braces, commas, NULLs, floats and times included, arrives as
    it was sent."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the PostgreSQL statements' parameters")
        texts = ['a"b', "c\\d", "{e,f}", "", "NULL", "é ü", None, "[[0.0, 1.5]]"]
        numbers = [0.1, 1e-07, 2.5e300, -0.0, 3, None, 2**53]
        moments = [utcnow(), None, utcnow().date()]
        with db.engine.connect() as conn:
            got_texts = conn.exec_driver_sql(
                "SELECT unnest(%(x)s::text[])", {"x": sql_pg._texts(texts)}
            ).scalars()
            got_numbers = conn.exec_driver_sql(
                "SELECT unnest(%(x)s::float8[])", {"x": sql_pg._numbers(numbers)}
            ).scalars()
            got_times = conn.exec_driver_sql(
                "SELECT unnest(%(x)s::timestamptz[])", {"x": sql_pg._texts(moments[:2])}
            ).scalars()
            got_days = conn.exec_driver_sql(
                "SELECT unnest(%(x)s::date[])", {"x": sql_pg._texts(moments[2:])}
            ).scalars()
            assert list(got_texts) == texts
            assert list(got_numbers) == numbers
            assert list(got_times) == moments[:2]
            assert list(got_days) == moments[2:]
