"""A small hand-written SVG line plot: log–log axes, several series, marked points.

Enough for the report's finite-difference error against step size (the truncation / round-off
"V"); no plotting library needed. Colours come from CSS classes (``series-0`` …, ``mark``), so
the plot follows the page's light or dark theme and prints in black on white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

__all__ = ["Series", "Mark", "line_plot_svg"]

WIDTH, HEIGHT = 560, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 24, 48 + 18


@dataclass(frozen=True)
class Series:
    """One polyline of ``(x, y)`` points; points with y <= 0 or non-finite are dropped."""

    label: str
    points: Sequence[tuple[float, float]]


@dataclass(frozen=True)
class Mark:
    """A vertical marker at ``x`` (e.g. the step the FD check chose), labelled."""

    x: float
    label: str
    points: Sequence[tuple[float, float]] = field(default_factory=tuple)


def _log_range(values: Sequence[float]) -> tuple[float, float]:
    logs = [math.log10(v) for v in values if v > 0 and math.isfinite(v)]
    if not logs:
        return -1.0, 1.0
    lo, hi = math.floor(min(logs)), math.ceil(max(logs))
    return (lo - 1.0, hi + 1.0) if lo == hi else (float(lo), float(hi))


def _ticks(lo: float, hi: float) -> list[int]:
    span = int(hi - lo)
    step = max(1, math.ceil(span / 8))
    return list(range(int(lo), int(hi) + 1, step))


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def line_plot_svg(series: Sequence[Series], *, title: str, xlabel: str, ylabel: str,
                  marks: Sequence[Mark] = ()) -> str:
    """An ``<svg>`` element (a string) plotting ``series`` on log–log axes, with ``marks``.

    >>> svg = line_plot_svg([Series("err", [(1e-8, 1e-7), (1e-4, 1e-9)])],
    ...                     title="t", xlabel="h", ylabel="error")
    >>> svg.startswith("<svg")
    True
    """
    clean = [[(x, y) for x, y in s.points if x > 0 and y > 0 and math.isfinite(x)
              and math.isfinite(y)] for s in series]
    xs = [x for pts in clean for x, _ in pts] + [m.x for m in marks if m.x > 0]
    ys = [y for pts in clean for _, y in pts] + [y for m in marks for _, y in m.points
                                                 if y > 0 and math.isfinite(y)]
    x0, x1 = _log_range(xs)
    y0, y1 = _log_range(ys)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (math.log10(x) - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return TOP + (y1 - math.log10(y)) / (y1 - y0) * ph

    out = [f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>",
           f'<rect class="frame" x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}"/>']
    for k in _ticks(x0, x1):
        x = _fmt(px(10.0 ** k))
        out.append(f'<line class="grid" x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + ph}"/>')
        out.append(f'<text class="tick" x="{x}" y="{TOP + ph + 16}" text-anchor="middle">'
                   f"1e{k}</text>")
    for k in _ticks(y0, y1):
        y = _fmt(py(10.0 ** k))
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{LEFT + pw}" y2="{y}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y}" text-anchor="end" '
                   f'dominant-baseline="middle">1e{k}</text>')
    for i, (s, pts) in enumerate(zip(series, clean)):
        if not pts:
            continue
        path = " ".join(f"{_fmt(px(x))},{_fmt(py(y))}" for x, y in sorted(pts))
        out.append(f'<polyline class="line series-{i % 4}" points="{path}"/>')
        out.extend(f'<circle class="dot series-{i % 4}" cx="{_fmt(px(x))}" '
                   f'cy="{_fmt(py(y))}" r="2.5"/>' for x, y in pts)
        # Legend in a row under the x-axis label, one swatch per series.
        lx = LEFT + i * (pw // max(1, len(series)))
        ly = HEIGHT - 6
        out.append(f'<line class="line series-{i % 4}" x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" '
                   f'y2="{ly - 4}"/>')
        out.append(f'<text class="legend" x="{lx + 22}" y="{ly}">{escape(s.label)}</text>')
    for m in marks:
        if not (m.x > 0 and math.isfinite(m.x)):
            continue
        x = _fmt(px(m.x))
        out.append(f'<line class="mark" x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + ph}"/>')
        anchor = "end" if px(m.x) > LEFT + 0.6 * pw else "start"
        shift = -4 if anchor == "end" else 4
        out.append(f'<text class="mark-label" x="{_fmt(px(m.x) + shift)}" y="{TOP + 14}" '
                   f'text-anchor="{anchor}">{escape(m.label)}</text>')
        out.extend(f'<circle class="mark-dot" cx="{_fmt(px(x0_))}" cy="{_fmt(py(y_))}" r="5"/>'
                   for x0_, y_ in m.points if x0_ > 0 and y_ > 0 and math.isfinite(y_))
    out.append(f'<text class="axis-label" x="{LEFT + pw / 2}" y="{TOP + ph + 34}" '
               f'text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text class="axis-label" x="14" y="{TOP + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {TOP + ph / 2})">{escape(ylabel)}</text>')
    out.append("</svg>")
    return "\n".join(out)
