"""Charts drawn on the server as SVG: a forest plot, lines over time, bars. No script, no CDN.

Every function returns markup to embed in a page (labels escaped). Sizes are in SVG units;
the page's CSS scales the drawing to its column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Interval", "bar_chart", "forest_plot", "line_chart"]

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2")
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Interval:
    """One estimate with its interval, labelled (a row of a forest plot, a point of a look)."""

    label: str
    effect: float
    low: float | None
    high: float | None
    note: str = ""


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= step * factor:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-label="{escape(title)}">'
    )


def _empty(width: int, height: int, text: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" class="chart">'
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" {_FONT} fill="#6b7280">'
        f"{escape(text)}</text></svg>"
    )


def forest_plot(rows: Sequence[Interval], *, title: str, width: int = 640) -> str:
    """Return a forest plot: each row's effect as a dot with its interval, and a zero line."""
    if not rows:
        return _empty(width, 60, "no estimates yet")
    left, right, row_h, top = 220, 20, 26, 28
    height = top + row_h * len(rows) + 30
    values = _finite([v for r in rows for v in (r.effect, r.low, r.high)]) + [0.0]
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 0.05
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * (width - left - right)

    parts = [
        _open(width, height, title),
        f'<text x="{left}" y="16" {_FONT} font-weight="600">{escape(title)}</text>',
        f'<line x1="{x(0):.1f}" y1="{top - 4}" x2="{x(0):.1f}" y2="{height - 26}" '
        'stroke="#9ca3af" stroke-dasharray="4 3"/>',
    ]
    for tick in _ticks(low, high):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 10}" text-anchor="middle" {_FONT} '
            f'fill="#6b7280">{_fmt(tick)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        crosses = row.low is not None and row.high is not None and row.low <= 0 <= row.high
        color = "#6b7280" if crosses else (PALETTE[2] if row.effect > 0 else PALETTE[1])
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>'
            f"{escape(row.label[:34])}</text>"
        )
        if row.low is not None and row.high is not None:
            parts.append(
                f'<line x1="{x(row.low):.1f}" y1="{y:.1f}" x2="{x(row.high):.1f}" y2="{y:.1f}" '
                f'stroke="{color}" stroke-width="2"><title>{escape(row.label)}: '
                f"[{_fmt(row.low)}, {_fmt(row.high)}]</title></line>"
            )
        parts.append(
            f'<circle cx="{x(row.effect):.1f}" cy="{y:.1f}" r="4.5" fill="{color}">'
            f"<title>{escape(row.label)}: {_fmt(row.effect)} {escape(row.note)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    bands: Mapping[str, Sequence[tuple[float | None, float | None]]] | None = None,
) -> str:
    """Return lines over shared x labels; `bands` adds an interval (error bar) per point."""
    labels = list(dict.fromkeys(label for points in series.values() for label, _ in points))
    values = _finite([v for points in series.values() for _, v in points])
    for spans in (bands or {}).values():
        values += _finite([v for span in spans for v in span])
    if not labels or not values:
        return _empty(width, 80, f"{title}: no data yet")
    left, right, top, bottom = 56, 16, 28, 40
    low, high = min(values + [0.0]), max(values)
    if high == low:
        high = low + 1
    step = (width - left - right) / max(len(labels) - 1, 1)

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * (height - top - bottom)

    parts = [
        _open(width, height, title),
        f'<text x="{left}" y="16" {_FONT} font-weight="600">{escape(title)}</text>',
    ]
    for tick in _ticks(low, high, 4):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'{_FONT} fill="#6b7280">{_fmt(tick)}</text>'
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - 16}" text-anchor="middle" '
                f'{_FONT} fill="#6b7280">{escape(label)}</text>'
            )
    for n, (name, points) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        index = {label: i for i, label in enumerate(labels)}
        coords = [(left + index[lb] * step, y(v)) for lb, v in points if v is not None]
        for (label, value), span in zip(points, (bands or {}).get(name, []), strict=False):
            if value is None or span[0] is None or span[1] is None:
                continue
            cx = left + index[label] * step
            parts.append(
                f'<line x1="{cx:.1f}" y1="{y(span[0]):.1f}" x2="{cx:.1f}" y2="{y(span[1]):.1f}" '
                f'stroke="{color}" stroke-opacity="0.45" stroke-width="6"/>'
            )
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        for (cx, cy), (label, value) in zip(
            coords, [p for p in points if p[1] is not None], strict=True
        ):
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{color}"><title>'
                f"{escape(name)} {escape(label)}: {_fmt(float(value or 0))}</title></circle>"
            )
        parts.append(
            f'<text x="{width - right}" y="{16 + 14 * n}" text-anchor="end" {_FONT} '
            f'fill="{color}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    groups: Sequence[tuple[str, Sequence[float | None]]],
    *,
    names: Sequence[str],
    title: str,
    width: int = 640,
    height: int = 220,
    unit: str = "",
) -> str:
    """Return grouped bars: one group per label, one bar per name (e.g. p50 and p95)."""
    values = _finite([v for _, bars in groups for v in bars])
    if not groups or not values:
        return _empty(width, 80, f"{title}: no data yet")
    left, right, top, bottom = 56, 16, 28, 40
    high = max(values) or 1.0
    slot = (width - left - right) / len(groups)
    bar = min(28.0, slot * 0.8 / max(len(names), 1))

    def y(value: float) -> float:
        return top + (high - value) / high * (height - top - bottom)

    parts = [
        _open(width, height, title),
        f'<text x="{left}" y="16" {_FONT} font-weight="600">{escape(title)}</text>',
    ]
    for tick in _ticks(0.0, high, 4):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" '
            f'stroke="#e5e7eb"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'{_FONT} fill="#6b7280">{_fmt(tick)}</text>'
        )
    every = max(1, len(groups) // 10)
    for g, (label, bars) in enumerate(groups):
        start = left + g * slot + (slot - bar * len(names)) / 2
        for b, value in enumerate(bars):
            if value is None:
                continue
            parts.append(
                f'<rect x="{start + b * bar:.1f}" y="{y(value):.1f}" width="{bar - 2:.1f}" '
                f'height="{max(y(0) - y(value), 0.5):.1f}" fill="{PALETTE[b % len(PALETTE)]}">'
                f"<title>{escape(label)} {escape(names[b])}: {_fmt(value)}{escape(unit)}</title>"
                "</rect>"
            )
        if g % every == 0:
            parts.append(
                f'<text x="{left + g * slot + slot / 2:.1f}" y="{height - 16}" '
                f'text-anchor="middle" {_FONT} fill="#6b7280">{escape(label)}</text>'
            )
    for b, name in enumerate(names):
        parts.append(
            f'<text x="{width - right}" y="{16 + 14 * b}" text-anchor="end" {_FONT} '
            f'fill="{PALETTE[b % len(PALETTE)]}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
