"""Geometry for the server-rendered SVG charts (pure functions; the templates draw them).

Charts are inline SVG with presentation attributes only, so they need no script and no
inline style; every chart is paired with a data table in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from webapp.timefmt import clock

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 28
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Tick:
    """An axis label at a position in chart coordinates."""

    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    """A highlighted point (x, y) with a short label."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    """A 0–100 % line over time: the polyline, the filled area under it, axes, markers."""

    points: str
    area: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle and what it shows."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True)
class BarChart:
    """Bars (counts per day) and an optional cumulative line on a second scale."""

    bars: tuple[Bar, ...]
    line: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    line_max: int


@dataclass(frozen=True)
class Frame:
    """The chart's canvas and plot area, for the templates."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = LEFT + PLOT_W
    bottom: int = TOP + PLOT_H


FRAME = Frame()


def _x(fraction: float) -> float:
    return round(LEFT + PLOT_W * fraction, 1)


def _y(fraction: float) -> float:
    return round(TOP + PLOT_H * (1 - fraction), 1)


def _percent_ticks() -> tuple[Tick, ...]:
    return tuple(Tick(_y(f), f"{int(f * 100)}%") for f in (0.0, 0.25, 0.5, 0.75, 1.0))


def retention_chart(
    shares: Sequence[float], duration: float, drops: Sequence[tuple[int, str]] = ()
) -> LineChart:
    """A line through each bucket's midpoint at its share (0–1); ``drops`` are
    ``(bucket index, label)`` pairs marked on the line."""
    n = len(shares)
    if n == 0:
        return LineChart("", "", (), _percent_ticks(), ())
    xs = [_x((i + 0.5) / n) for i in range(n)]
    ys = [_y(max(0.0, min(1.0, s))) for s in shares]
    points = " ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))
    bottom = TOP + PLOT_H
    area = f"{xs[0]},{bottom} {points} {xs[-1]},{bottom}"
    x_ticks = tuple(Tick(_x(f), clock(round(duration * f))) for f in (0.0, 0.25, 0.5, 0.75, 1.0))
    markers = tuple(Marker(xs[i], ys[i], label) for i, label in drops if 0 <= i < n)
    return LineChart(points, area, x_ticks, _percent_ticks(), markers)


def _nice_max(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least ``value``."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def bar_chart(
    labels: Sequence[str], values: Sequence[float], cumulative: Sequence[int] = ()
) -> BarChart:
    """Bars for ``values`` (one per label, e.g. per day) and, if given, a line for the
    ``cumulative`` series scaled to its own maximum."""
    n = len(values)
    if n == 0:
        return BarChart((), "", (), (), 0)
    top = _nice_max(max(max(values), 1))
    slot = PLOT_W / n
    width = max(1.0, round(slot * 0.8, 1))
    bars = tuple(
        Bar(
            round(LEFT + slot * i + (slot - width) / 2, 1),
            _y(v / top),
            width,
            round(PLOT_H * v / top, 1),
            labels[i],
            v,
        )
        for i, v in enumerate(values)
    )
    line = ""
    line_max = max(cumulative) if cumulative else 0
    if line_max:
        line = " ".join(f"{_x((i + 0.5) / n)},{_y(c / line_max)}" for i, c in enumerate(cumulative))
    every = max(1, n // 6)
    x_ticks = tuple(Tick(round(LEFT + slot * (i + 0.5), 1), labels[i]) for i in range(0, n, every))
    halves = (0.0, 0.5, 1.0) if top % 2 == 0 else (0.0, 1.0)
    y_ticks = tuple(Tick(_y(f), str(int(top * f))) for f in halves)
    return BarChart(bars, line, x_ticks, y_ticks, line_max)
