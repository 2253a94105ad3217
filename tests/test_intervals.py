"""Pure interval arithmetic behind 'seconds actually watched'."""

from webapp.progress.intervals import clamp, merge, total


def test_merge_joins_overlapping_and_touching() -> None:
    assert merge([(5, 8), (0, 2), (2, 3), (7, 10)]) == [(0.0, 3.0), (5.0, 10.0)]


def test_merge_drops_empty_intervals() -> None:
    assert merge([(4, 4), (6, 5)]) == []


def test_rewatching_does_not_count_twice() -> None:
    assert total(merge([(0, 10), (2, 6), (0, 10)])) == 10.0


def test_clamp_cuts_to_duration() -> None:
    assert clamp([(-1, 3), (8, 12), (15, 20)], 10) == [(0.0, 3.0), (8.0, 10.0)]
