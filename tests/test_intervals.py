"""Pure rules behind 'seconds actually watched': interval arithmetic and how heartbeats
change a standing. Hand-computed cases first, then properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.progress.beats import BadHeartbeat, Beat
from webapp.progress.intervals import clamp, merge, total
from webapp.progress.rules import (
    FIRST_BEAT_SECONDS,
    SLACK_SECONDS,
    WALL_TOLERANCE,
    Standing,
    apply_beat,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SHARE = 0.9
# Properties run without an example database (no .hypothesis/ in the tree) and without a
# per-example deadline (the machine is shared).
PROPERTY = settings(database=None, deadline=None, max_examples=200)


def at(seconds: float) -> datetime:
    """``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


# --------------------------------------------------------------------------- fixed data


def test_merge_joins_overlapping_and_touching() -> None:
    assert merge([(5, 8), (0, 2), (2, 3), (7, 10)]) == [(0.0, 3.0), (5.0, 10.0)]


def test_merge_drops_empty_intervals() -> None:
    assert merge([(4, 4), (6, 5)]) == []


def test_rewatching_does_not_count_twice() -> None:
    assert total(merge([(0, 10), (2, 6), (0, 10)])) == 10.0


def test_clamp_cuts_to_duration() -> None:
    assert clamp([(-1, 3), (8, 12), (15, 20)], 10) == [(0.0, 3.0), (8.0, 10.0)]


def test_a_viewing_session_by_hand() -> None:
    """Duration 100 s; the credit starts at 30 s and grows 1.5 s per second of wall time."""
    s = Standing()
    first = apply_beat(s, Beat(10, ((0, 10),), "a", 1), 100, at(0), SHARE)
    assert first.added == 10 and first.standing.credit == 20
    assert first.standing.intervals == ((0, 10),) and first.standing.position == 10
    # 10 s later: 20 + 15 = 35 s of credit, 15 s spent.
    second = apply_beat(first.standing, Beat(25, ((10, 25),), "a", 2), 100, at(10), SHARE)
    assert second.standing.watched_seconds == 25 and second.standing.credit == 20
    # Double speed: 40 s of media in 20 s of wall time.
    third = apply_beat(second.standing, Beat(65, ((25, 65),), "a", 3, 2.0), 100, at(20), SHARE)
    assert third.added == 40 and third.standing.credit == pytest.approx(15)
    # One second later 35 s more is impossible: 15 + 1.5 = 16.5 s of credit (+ 2 s slack).
    with pytest.raises(BadHeartbeat, match="more than is possible"):
        apply_beat(third.standing, Beat(100, ((65, 100),), "a", 4), 100, at(21), SHARE)
    # A seek back: position moves, nothing is added; then the gap is filled, 90 % is done.
    back = apply_beat(third.standing, Beat(70, ((65, 70),), "a", 4), 100, at(30), SHARE)
    assert back.standing.intervals == ((0, 70),) and not back.standing.completed
    done = apply_beat(back.standing, Beat(90, ((70, 90),), "a", 5), 100, at(45), SHARE)
    assert done.standing.completed_at == at(45) and done.standing.watched_seconds == 90


def test_each_new_player_session_counts_one_view() -> None:
    """A view is a page load of the player: its first beat; beats without a session
    (the foundation's position-only beat) and further beats of a session count none."""
    s = Standing()
    counts = []
    for t, (session, seq) in enumerate(
        [("a", 1), ("a", 2), ("b", 1), (None, 0), ("b", 2), ("a", 3)]
    ):
        s = apply_beat(s, Beat(t, (), session, seq), 100, at(10 * t), SHARE).standing
        counts.append(s.views)
    assert counts == [1, 1, 2, 2, 2, 3]


def test_scrubbing_to_the_end_only_moves_the_position() -> None:
    s = apply_beat(Standing(), Beat(95, ((0, 5),), "a", 1), 100, at(0), SHARE).standing
    end = apply_beat(s, Beat(100, ((99, 100),), "a", 2), 100, at(1), SHARE).standing
    assert end.position == 100 and end.watched_seconds == 6 and not end.completed


def test_intervals_beyond_the_duration_are_clamped() -> None:
    s = apply_beat(Standing(), Beat(500, ((0, 500),), "a", 1), 4, at(0), SHARE).standing
    assert s.intervals == ((0, 4),) and s.position == 4 and s.completed


# --------------------------------------------------------------------------- properties

intervals_st = st.lists(
    st.tuples(st.floats(0, 500), st.floats(0, 60)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
)


@PROPERTY
@given(intervals_st, st.data())
def test_merge_ignores_order_and_duplicates(intervals, data) -> None:
    extra = data.draw(st.lists(st.sampled_from(intervals), max_size=6)) if intervals else []
    shuffled = data.draw(st.permutations(intervals + extra))
    merged = merge(intervals)
    assert merge(shuffled) == merged
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))


@PROPERTY
@given(intervals_st, st.floats(0, 600))
def test_coverage_never_exceeds_the_duration(intervals, duration) -> None:
    covered = clamp(merge(intervals), duration)
    assert total(covered) <= duration + 1e-9
    assert all(0 <= a < b <= duration for a, b in covered)


# One player session: beats numbered 1..n, each with what it played since the last.
beats_st = st.lists(
    st.tuples(st.floats(0, 700), intervals_st.map(lambda ps: tuple(ps[:3]))),
    min_size=1,
    max_size=8,
).map(lambda raw: [Beat(pos, played, "tab", i + 1) for i, (pos, played) in enumerate(raw)])

# Enough wall time for anything: the credit never binds in these properties.
RICH = Standing(credit=0.0, credit_at=T0 - timedelta(days=365))


def run(beats: list[Beat], duration: float, start: Standing = RICH) -> list[Standing]:
    """Standings after each beat, beats arriving a minute apart."""
    standings, s = [], start
    for i, beat in enumerate(beats):
        s = apply_beat(s, beat, duration, at(60 * i), SHARE).standing
        standings.append(s)
    return standings


@PROPERTY
@given(beats_st, st.floats(1, 600), st.data())
def test_any_order_and_duplication_gives_the_same_standing(beats, duration, data) -> None:
    in_order = run(beats, duration)[-1]
    extra = data.draw(st.lists(st.sampled_from(beats), max_size=6))
    arrival = data.draw(st.permutations(beats + extra))
    shuffled = run(arrival, duration)[-1]
    assert shuffled.intervals == in_order.intervals
    assert shuffled.watched_seconds == in_order.watched_seconds
    assert shuffled.position == in_order.position == min(beats[-1].position, duration)
    assert shuffled.seq == len(beats)


@PROPERTY
@given(beats_st, st.floats(1, 600))
def test_watched_time_is_the_union_within_the_duration(beats, duration) -> None:
    for s in run(beats, duration):
        assert s.watched_seconds == min(round(total(s.intervals), 3), duration)
        assert s.watched_seconds <= duration
        assert 0 <= s.position <= duration


@PROPERTY
@given(beats_st, st.floats(1, 600), st.floats(0.01, 1))
def test_completion_never_goes_back(beats, duration, share) -> None:
    s, completed_at = RICH, None
    for i, beat in enumerate(beats + beats):
        s = apply_beat(s, beat, duration, at(60 * i), share).standing
        if completed_at is not None:
            assert s.completed_at == completed_at
        completed_at = s.completed_at
        assert s.completed == (completed_at is not None)
        if s.watched_seconds >= share * duration:
            assert s.completed


@PROPERTY
@given(beats_st, st.floats(1, 600))
def test_position_only_beats_add_no_watched_time(beats, duration) -> None:
    before = run(beats, duration)[-1]
    moved = apply_beat(before, Beat(duration / 2, ()), duration, at(10_000), SHARE)
    assert moved.added == 0 and moved.standing.intervals == before.intervals
    assert moved.standing.position == duration / 2


@PROPERTY
@given(
    st.floats(0, 120),  # seconds since the last beat
    st.floats(0, 400),  # new seconds the beat reports
    st.sampled_from([0.5, 1.0, 1.5, 2.0]),
)
def test_new_watched_time_is_bounded_by_wall_time(elapsed, length, rate) -> None:
    last = Standing(credit=0.0, credit_at=at(0))
    beat = Beat(length, ((0, length),), "tab", 1, rate)
    allowed = (WALL_TOLERANCE * elapsed + SLACK_SECONDS) * rate
    # (a margin for the millisecond rounding of watched time)
    if length <= allowed - 0.01:
        added = apply_beat(last, beat, 1000, at(elapsed), SHARE).added
        assert added == pytest.approx(length, abs=1e-3)
    elif length > allowed + 0.01:
        with pytest.raises(BadHeartbeat):
            apply_beat(last, beat, 1000, at(elapsed), SHARE)
    first = apply_beat(Standing(), Beat(1, ((0, 1),), "tab", 1), 1000, at(0), SHARE)
    assert first.standing.credit == FIRST_BEAT_SECONDS - 1
