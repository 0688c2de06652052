"""Small server-side SVG charts (bars and lines over labelled intervals), no script, no CDN.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by a ``<desc>``
that reads every value, so a screen reader gets the figures the eye gets. Colours come from
the page's style sheet through classes (``chart-s0``, ``chart-s1``…; the CSP forbids inline
styles), so one chart looks alike on every page::

    chart = bar_chart(
        "Llamadas por cuarto de hora",
        labels=["10:00", "10:15"],
        series=[Series("Ofrecidas", [12, 9]), Series("Atendidas", [10, 9])],
        chart_id="llamadas",
    )
    # a Markup string to put into a template as it is: {{ chart }}

A missing value (None) leaves a gap: no bar, and a line broken there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 34, 46  # room for the axes' labels and the legend
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    """One named series of values, one per label (None: no value there)."""

    name: str
    values: Sequence[float | None]


Format = Callable[[float], str]


def plain(value: float) -> str:
    """A value as a whole number, or with one decimal when small (``3.5``)."""
    return f"{value:.1f}" if value != int(value) and abs(value) < 10 else f"{value:.0f}"


def percent(value: float) -> str:
    """A fraction as a percentage: ``0.853`` → ``85 %``."""
    return f"{value * 100:.0f} %"


def nice_max(value: float) -> float:
    """The axis's top: 1, 2, 2.5 or 5 times a power of ten, at least ``value``.

    >>> [nice_max(v) for v in (0, 7, 12, 0.83, 260)]
    [1.0, 10.0, 20.0, 1.0, 500.0]
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value))


def ticks(top: float) -> int:
    """How many steps divide the axis into round values (``2`` → 0.5 each, else fifths).

    >>> [ticks(t) for t in (1.0, 2.0, 5.0, 20.0, 25.0)]
    [5, 4, 5, 4, 5]
    """
    lead = top / 10 ** math.floor(math.log10(top))
    return 4 if round(lead, 6) == 2 else 5


def bar_chart(
    title: str,
    *,
    labels: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    fmt: Format = plain,
    top: float | None = None,
    whole: bool = False,
) -> Markup:
    """Grouped bars: per label, one bar of each series side by side (``whole``: counts, so
    the axis never shows fractions)."""
    frame = _Frame(labels, series, top, fmt, whole)
    slot = frame.slot
    bar = slot * 0.8 / max(len(series), 1)
    shapes = []
    for index, one in enumerate(series):
        for position, value in enumerate(one.values):
            if value is None or value <= 0:
                continue
            x = LEFT + position * slot + slot * 0.1 + index * bar
            y = frame.y(value)
            shapes.append(
                f'<rect class="chart-s{index}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{max(bar - 1, 1):.1f}" height="{frame.bottom - y:.1f}"/>'
            )
    return frame.svg(title, chart_id, "".join(shapes))


def line_chart(
    title: str,
    *,
    labels: Sequence[str],
    series: Sequence[Series],
    chart_id: str,
    fmt: Format = plain,
    top: float | None = None,
) -> Markup:
    """Lines through each series' values (a point where a value stands alone)."""
    frame = _Frame(labels, series, top, fmt, whole=False)
    shapes = []
    for index, one in enumerate(series):
        points = [
            None if value is None else (frame.x(position), frame.y(value))
            for position, value in enumerate(one.values)
        ]
        for run in _runs(points):
            if len(run) == 1:
                x, y = run[0]
                shapes.append(f'<circle class="chart-s{index}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
            else:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                shapes.append(f'<polyline class="chart-line chart-s{index}" points="{path}"/>')
    return frame.svg(title, chart_id, "".join(shapes))


def _runs(
    points: list[tuple[float, float] | None],
) -> list[list[tuple[float, float]]]:
    """The unbroken stretches of a line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


class _Frame:
    """The axes, the scale, the legend and the description shared by every chart."""

    def __init__(
        self,
        labels: Sequence[str],
        series: Sequence[Series],
        top: float | None,
        fmt: Format,
        whole: bool,
    ) -> None:
        self.labels, self.series, self.fmt = list(labels), list(series), fmt
        values = [v for one in series for v in one.values if v is not None]
        highest = max(values, default=0)
        self.top = top if top is not None else nice_max(max(highest, 5) if whole else highest)
        self.ticks = ticks(self.top)
        self.bottom = HEIGHT - BOTTOM
        self.slot = (WIDTH - LEFT - RIGHT) / max(len(self.labels), 1)

    def x(self, position: int) -> float:
        return LEFT + (position + 0.5) * self.slot

    def y(self, value: float) -> float:
        share = min(max(value / self.top, 0.0), 1.0)
        return self.bottom - share * (self.bottom - TOP)

    def svg(self, title: str, chart_id: str, shapes: str) -> Markup:
        ident = escape(chart_id)
        return Markup(
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" id="{ident}">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(self.description())}</desc>'
            f'<text class="chart-caption" x="4" y="16" aria-hidden="true">{escape(title)}</text>'
            f"{self.axes()}{shapes}{self.legend()}</svg>"
        )

    def axes(self) -> str:
        parts = []
        for tick in range(self.ticks + 1):
            value = self.top * tick / self.ticks
            y = self.y(value)
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                f'y1="{y:.1f}" y2="{y:.1f}"/>'
                f'<text class="chart-tick" x="{LEFT - 4}" y="{y + 4:.1f}" '
                f'text-anchor="end">{escape(self.fmt(value))}</text>'
            )
        every = max(math.ceil(len(self.labels) / MAX_X_LABELS), 1)
        for position, label in enumerate(self.labels):
            if position % every == 0:
                parts.append(
                    f'<text class="chart-tick" x="{self.x(position):.1f}" '
                    f'y="{self.bottom + 16}" text-anchor="middle">{escape(label)}</text>'
                )
        return f'<g aria-hidden="true">{"".join(parts)}</g>'

    def legend(self) -> str:
        parts, x = [], LEFT
        for index, one in enumerate(self.series):
            parts.append(
                f'<rect class="chart-s{index}" x="{x}" y="{HEIGHT - 14}" width="10" height="10"/>'
                f'<text class="chart-legend" x="{x + 14}" y="{HEIGHT - 5}">'
                f"{escape(one.name)}</text>"
            )
            x += 28 + 8 * len(one.name)
        return f'<g aria-hidden="true">{"".join(parts)}</g>'

    def description(self) -> str:
        """Every value in words: ``10:00: Ofrecidas 12, Atendidas 10; 10:15: …``."""
        if not self.labels:
            return "Sin datos."
        rows = []
        for position, label in enumerate(self.labels):
            cells = []
            for one in self.series:
                value = one.values[position] if position < len(one.values) else None
                cells.append(f"{one.name} {'sin dato' if value is None else self.fmt(value)}")
            rows.append(f"{label}: {', '.join(cells)}")
        return "; ".join(rows) + "."
