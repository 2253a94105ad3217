"""The one server formatter of times and dates, and its Jinja filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask, render_template_string

from transcoder.analysis import format_time
from webapp import timefmt


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "0:00"),
        (-3, "0:00"),
        (float("nan"), "0:00"),
        (0, "0:00"),
        (0.99, "0:00"),
        (5, "0:05"),
        (59.9, "0:59"),
        (60, "1:00"),
        (65, "1:05"),
        (75.4, "1:15"),
        (599, "9:59"),
        (3599.999, "59:59"),
        (3600, "1:00:00"),
        (3900, "1:05:00"),
        (3905.5, "1:05:05"),
        (36000, "10:00:00"),
        (90061, "25:01:01"),
    ],
)
def test_clock(seconds: float | None, text: str) -> None:
    assert timefmt.clock(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "0 s"),
        (0, "0 s"),
        (45, "45 s"),
        (59.4, "59 s"),
        (60, "1 min"),
        (450, "8 min"),
        (3569, "59 min"),
        (3570, "1 h 00 min"),
        (3900, "1 h 05 min"),
        (7500, "2 h 05 min"),
    ],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert timefmt.duration(seconds) == text


def test_dates() -> None:
    assert timefmt.day(date(2026, 1, 5)) == "Mon 5 Jan 2026"
    assert timefmt.long_day(date(2026, 11, 29)) == "29 November 2026"
    assert timefmt.day_month(date(2026, 9, 5)) == "05 Sep"


@pytest.mark.parametrize(
    ("zone", "text", "time"),
    [
        ("UTC", "Wed 20 Jan 2027, 18:00 UTC", "18:00"),
        ("Europe/Berlin", "Wed 20 Jan 2027, 19:00 CET", "19:00"),
        ("America/New_York", "Wed 20 Jan 2027, 13:00 EST", "13:00"),
        ("Asia/Kolkata", "Wed 20 Jan 2027, 23:30 IST", "23:30"),
        ("Pacific/Auckland", "Thu 21 Jan 2027, 07:00 NZDT", "07:00"),
    ],
)
def test_moments_in_zones(zone: str, text: str, time: str) -> None:
    instant = datetime(2027, 1, 20, 18, 0, tzinfo=UTC)
    assert timefmt.moment(instant, zone) == text
    assert timefmt.time_of_day(instant, zone) == time
    # A naive datetime (as SQLite returns them) means UTC.
    assert timefmt.moment(instant.replace(tzinfo=None), zone) == text


def test_summer_time_changes_the_abbreviation() -> None:
    summer = datetime(2027, 7, 1, 17, 0, tzinfo=UTC)
    assert timefmt.moment(summer, "Europe/Berlin") == "Thu 01 Jul 2027, 19:00 CEST"
    assert timefmt.zone_abbreviation(summer, "America/New_York") == "EDT"


def test_filters_in_templates() -> None:
    app = Flask(__name__)
    timefmt.init_app(app)
    with app.app_context():
        text = render_template_string(
            "{{ 3900 | clock }} {{ 65 | clock }} {{ 7500 | duration }} {{ d | day }}"
            " | {{ d | long_day }} | {{ d | day_month }}",
            d=date(2026, 1, 5),
        )
    assert text == "1:05:00 1:05 2 h 05 min Mon 5 Jan 2026 | 5 January 2026 | 05 Jan"


def test_the_transcoder_labels_follow_the_same_rule() -> None:
    """``transcoder`` is a library without the web app, so its suggestion labels have
    their own formatter; it must read like this one."""
    for seconds in (0, 0.99, 5, 65, 599, 3599.999, 3600, 3905.5, 90061):
        assert format_time(seconds) == timefmt.clock(seconds)
