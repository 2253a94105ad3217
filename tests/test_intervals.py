"""Pure rules behind 'seconds actually watched': interval arithmetic and how heartbeats
change a standing. Hand-computed cases first, then properties (hypothesis)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.progress.beats import PLAYER_MAX_RATE, Beat, parse_beat
from webapp.progress.intervals import clamp, merge, subtract, take, total
from webapp.progress.rules import Standing, apply_beat

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OPENED = T0 - timedelta(minutes=10)  # a watch session (grant) begun well before T0
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


def test_subtract_leaves_the_parts_not_yet_covered() -> None:
    assert subtract([(0, 10), (20, 30)], [(2, 4), (5, 6), (9, 25)]) == [
        (0.0, 2.0),
        (4.0, 5.0),
        (6.0, 9.0),
        (25.0, 30.0),
    ]
    assert subtract([(0, 5)], []) == [(0, 5)] and subtract([(1, 2)], [(0, 3)]) == []


def test_take_keeps_the_earliest_seconds() -> None:
    assert take([(0, 2), (5, 10)], 4) == [(0, 2), (5, 7)]
    assert take([(0, 2)], 9) == [(0, 2)] and take([(0, 2)], 0) == [] and take([(0, 2)], -1) == []


def test_a_viewing_session_by_hand() -> None:
    """Duration 100 s, the watch session opened at T0: credit accrues at 2 x wall time."""
    s = Standing()
    first = apply_beat(s, Beat(10, ((0, 10),), "a", 1), 100, at(10), SHARE, T0)
    # 10 s since the grant: up to 20 s; 10 s of media spend 5 s of wall credit.
    assert first.added == 10 and first.standing.credit == 5
    assert first.standing.intervals == ((0, 10),) and first.standing.position == 10
    # 10 s later: 5 + 10 = 15 s of credit (30 s of media); 15 s of media spend 7.5.
    second = apply_beat(first.standing, Beat(25, ((10, 25),), "a", 2), 100, at(20), SHARE, T0)
    assert second.standing.watched_seconds == 25 and second.standing.credit == 7.5
    # A beat claiming 16x and 75 s of media, 10 s later: 17.5 s of credit cover 35 s,
    # the earliest of what it reports; the rest is not credited.
    fast = Beat(100, ((25, 100),), "a", 3, 16.0)
    third = apply_beat(second.standing, fast, 100, at(30), SHARE, T0)
    assert third.added == 35 and third.standing.intervals == ((0, 60),)
    assert third.standing.credit == 0 and third.standing.position == 100
    # A seek back: position moves, nothing is added; then the gap is filled, 90 % is done.
    back = apply_beat(third.standing, Beat(62, ((60, 62),), "a", 4), 100, at(31), SHARE, T0)
    assert back.standing.intervals == ((0, 62),) and not back.standing.completed
    done = apply_beat(back.standing, Beat(90, ((62, 90),), "a", 5), 100, at(45), SHARE, T0)
    assert done.standing.completed_at == at(45) and done.standing.watched_seconds == 90


def test_one_request_cannot_buy_a_video() -> None:
    """The issue's request: 150 s at 16x on a never-played 150 s video, as the first
    beat of a session opened by that very request, earns nothing; a second later, 2 s."""
    beat = Beat(150, ((0, 150),), None, None, 16.0)
    first = apply_beat(Standing(), beat, 150, T0, SHARE, T0)
    assert first.added == 0 and first.standing.watched_seconds == 0
    assert not first.standing.completed and first.standing.position == 150
    again = apply_beat(first.standing, beat, 150, at(1), SHARE, T0)
    assert again.added == PLAYER_MAX_RATE and again.standing.intervals == ((0, 2),)


def test_an_old_standing_does_not_pay_for_a_new_session() -> None:
    """Credit banked by days without beats counts only from the session's start."""
    idle = Standing(credit=0.0, credit_at=T0 - timedelta(days=7))
    beat = Beat(600, ((0, 600),), "new", 1)
    applied = apply_beat(idle, beat, 600, at(30), SHARE, T0)
    assert applied.added == 30 * PLAYER_MAX_RATE


def test_the_players_fastest_speed_is_the_servers_cap() -> None:
    """The speed menu (player_static/controls.js) and PLAYER_MAX_RATE say the same."""
    source = (Path(__file__).parents[1] / "player_static" / "controls.js").read_text()
    speeds = re.search(r"const SPEEDS = \[([^\]]*)\]", source)
    assert speeds is not None
    assert max(float(x) for x in speeds.group(1).split(",")) == PLAYER_MAX_RATE


def test_a_claimed_rate_above_the_players_counts_as_the_players() -> None:
    assert parse_beat({"position": 1, "rate": 16}).rate == PLAYER_MAX_RATE
    assert parse_beat({"position": 1, "rate": 1.5}).rate == 1.5


def test_each_new_player_session_counts_one_view() -> None:
    """A view is a page load of the player: its first beat; beats without a session
    (the foundation's position-only beat) and further beats of a session count none."""
    s = Standing()
    counts = []
    for t, (session, seq) in enumerate(
        [("a", 1), ("a", 2), ("b", 1), (None, 0), ("b", 2), ("a", 3)]
    ):
        s = apply_beat(s, Beat(t, (), session, seq), 100, at(10 * t), SHARE, OPENED).standing
        counts.append(s.views)
    assert counts == [1, 1, 2, 2, 2, 3]


def test_scrubbing_to_the_end_only_moves_the_position() -> None:
    s = apply_beat(Standing(), Beat(95, ((0, 5),), "a", 1), 100, at(0), SHARE, OPENED).standing
    end = apply_beat(s, Beat(100, ((99, 100),), "a", 2), 100, at(1), SHARE, OPENED).standing
    assert end.position == 100 and end.watched_seconds == 6 and not end.completed


def test_intervals_beyond_the_duration_are_clamped() -> None:
    s = apply_beat(Standing(), Beat(500, ((0, 500),), "a", 1), 4, at(0), SHARE, OPENED).standing
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
LONG_AGO = T0 - timedelta(days=365)
RICH = Standing(credit=0.0, credit_at=LONG_AGO)


def run(beats: list[Beat], duration: float, start: Standing = RICH) -> list[Standing]:
    """Standings after each beat, beats arriving a minute apart."""
    standings, s = [], start
    for i, beat in enumerate(beats):
        s = apply_beat(s, beat, duration, at(60 * i), SHARE, LONG_AGO).standing
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
        s = apply_beat(s, beat, duration, at(60 * i), share, LONG_AGO).standing
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
    moved = apply_beat(before, Beat(duration / 2, ()), duration, at(10_000), SHARE, LONG_AGO)
    assert moved.added == 0 and moved.standing.intervals == before.intervals
    assert moved.standing.position == duration / 2


@PROPERTY
@given(
    st.floats(0, 120),  # seconds since the last beat
    st.floats(0, 400),  # new seconds the beat reports
    st.sampled_from([0.5, 1.0, 2.0, 16.0]),  # the rate it claims: never counts
)
def test_new_watched_time_is_bounded_by_wall_time(elapsed, length, rate) -> None:
    last = Standing(credit=0.0, credit_at=at(0))
    beat = Beat(length, ((0, length),), "tab", 1, rate)
    added = apply_beat(last, beat, 1000, at(elapsed), SHARE, LONG_AGO).added
    # (a margin for the millisecond rounding of watched time)
    assert added == pytest.approx(min(length, PLAYER_MAX_RATE * elapsed), abs=2e-3)


# A script: beats at any moments, reporting anything, each presenting one of the grants
# it collected (sessions begun at any moment up to the beat).
script_st = st.lists(
    st.tuples(
        st.floats(0, 30),  # seconds since the previous beat
        st.floats(0, 60),  # how long before the beat its grant was issued
        intervals_st.map(lambda ps: tuple(ps[:3])),
    ),
    min_size=1,
    max_size=15,
)


@PROPERTY
@given(script_st)
def test_credit_never_outruns_the_player_since_the_first_session(script) -> None:
    """Whatever a script sends, however fast: the watched time never exceeds the
    player's fastest rate x the wall time since its earliest session began."""
    s, now, earliest = Standing(), T0, None
    for gap, grant_age, played in script:
        now += timedelta(seconds=gap)
        granted = now - timedelta(seconds=grant_age)
        earliest = granted if earliest is None else min(earliest, granted)
        s = apply_beat(s, Beat(0, played, "x", 1, 16.0), 10_000, now, SHARE, granted).standing
        wall = (now - earliest).total_seconds()
        assert s.watched_seconds <= PLAYER_MAX_RATE * wall + 1e-3


@PROPERTY
@given(st.floats(0, 600), st.floats(0, 600), st.floats(0, 700))
def test_a_first_beat_earns_at_most_what_its_session_allowed(age, start, length) -> None:
    beat = Beat(0, ((start, start + length),), "x", 1, 16.0)
    added = apply_beat(Standing(), beat, 1000, at(age), SHARE, T0).added
    assert added <= PLAYER_MAX_RATE * age + 1e-3
