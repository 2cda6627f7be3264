"""Server-rendered SVG charts of the outcome reports (ADR 0015: no JavaScript chart library, no CDN).

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` (named by `aria-labelledby`), so that a
screen reader announces what it shows; the numbers themselves are in the data table the page prints beside
the chart. Series differ by line style and marker shape as well as by colour (WCAG 1.4.1), and a suppressed
or missing point is a gap in the line, never a zero. Charts only draw what `services.run_report` published:
a suppressed figure has no value, so there is nothing secret to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from math import ceil, floor, log10

from django.utils.safestring import SafeString, mark_safe

from stella.reporting.numbers import de_number

Number = Decimal | float | int | None

#: Colours with at least 3:1 contrast on white (WCAG 1.4.11); series also differ in dash and marker.
COLOURS = ("#0a4d8c", "#8a4b00", "#1e6b34", "#6b2a86")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "diamond", "triangle")


def _nice_max(value: float) -> float:
    """A round upper bound for the y axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exp = floor(log10(value))
    for step in (1, 2, 2.5, 5, 10):
        bound = step * 10**exp
        if bound >= value:
            return float(bound)
    return float(10 ** (exp + 1))


def _ticks(top: float, n: int = 5) -> list[float]:
    """Five equal steps: for the bounds of `_nice_max` (1, 2, 2.5, 5 × 10^n) each step is round too."""
    return [top * i / n for i in range(n + 1)]


def _tick_digits(top: float) -> int:
    step = top / 5
    return 0 if abs(step - round(step)) < 1e-9 else 1


def _marker(shape: str, x: float, y: float, colour: str, r: float = 3.5) -> str:
    if shape == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'fill="{colour}"/>')
    if shape == "diamond":
        return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} '
                f'{x - r - 1:.1f},{y:.1f}" fill="{colour}"/>')
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y + r:.1f} {x - r - 1:.1f},{y + r:.1f}" '
                f'fill="#fff" stroke="{colour}" stroke-width="1.5"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def _open(uid: str, title: str, desc: str, width: int, height: int, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{uid}-title {uid}-desc" focusable="false">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]


@dataclass(frozen=True)
class Series:
    """One line of a chart: its name (legend) and one value per x position (None: gap)."""

    name: str
    values: Sequence[Number]


def _values_text(labels: Sequence[str], values: Sequence[Number], unit: str, digits: int) -> str:
    parts = [f"{label}: {de_number(v, digits)}{' ' + unit if v is not None and unit else ''}"
             if v is not None else f"{label}: keine veröffentlichte Zahl" for label, v in zip(labels, values, strict=False)]
    return "; ".join(parts)


def line_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, uid: str, unit: str = "%",
               y_label: str = "", x_label: str = "", digits: int = 1, width: int = 680, height: int = 280,
               bars: bool = False) -> SafeString:
    """A line chart (or, with `bars`, a bar chart of the first series) over the x `labels`.

    `desc` lists every value, so the chart says in words what it draws (the table beside it says it too)."""
    left, right, top_pad, bottom = 64, 16, 16, 58
    legend_h = 22 * len(series) if len(series) > 1 else 0
    plot_w = width - left - right
    plot_h = height - top_pad - bottom - legend_h
    all_values = [float(v) for s in series for v in s.values if v is not None]
    top = _nice_max(max(all_values) if all_values else 0.0)
    n = max(len(labels), 1)
    step = plot_w / n
    desc = " ".join(f"{s.name}: {_values_text(labels, s.values, unit, digits)}." for s in series)
    if not all_values:
        desc = "Für diesen Zeitraum ist keine Zahl veröffentlicht. " + desc
    out = _open(uid, title, desc, width, height, "chart")

    def y_of(v: float) -> float:
        return top_pad + plot_h - (v / top) * plot_h

    def x_of(i: int) -> float:
        return left + step * i + step / 2

    # axes, grid and tick labels
    tick_digits = _tick_digits(top)
    out.append('<g class="chart-grid" aria-hidden="true">')
    for t in _ticks(top):
        y = y_of(t)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe3"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{escape(de_number(t, tick_digits))}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top_pad}" y2="{top_pad + plot_h}" stroke="#4f5660"/>')
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" '
               f'stroke="#4f5660"/>')
    every = max(1, ceil(n / 13))
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            out.append(f'<text x="{x_of(i):.1f}" y="{top_pad + plot_h + 16:.1f}" text-anchor="middle" '
                       f'font-size="11">{escape(label)}</text>')
    if y_label:
        out.append(f'<text x="14" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" font-size="11" '
                   f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})">{escape(y_label)}</text>')
    if x_label:
        out.append(f'<text x="{left + plot_w / 2:.1f}" y="{top_pad + plot_h + 34:.1f}" text-anchor="middle" '
                   f'font-size="11">{escape(x_label)}</text>')
    out.append("</g>")

    for si, s in enumerate(series):
        colour, dash, shape = COLOURS[si % 4], DASHES[si % 4], MARKERS[si % 4]
        out.append(f'<g class="chart-series" aria-hidden="true" data-series="{si}">')
        if bars and si == 0:
            bar_w = step * 0.6
            for i, v in enumerate(s.values):
                if v is None:
                    out.append(f'<text x="{x_of(i):.1f}" y="{top_pad + plot_h - 4:.1f}" text-anchor="middle" '
                               f'font-size="12" class="chart-gap">*</text>')
                    continue
                y = y_of(float(v))
                out.append(f'<rect x="{x_of(i) - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                           f'height="{top_pad + plot_h - y:.1f}" fill="{colour}"/>')
        else:
            segment: list[str] = []
            segments: list[list[str]] = []
            for i, v in enumerate(s.values):
                if v is None:
                    if segment:
                        segments.append(segment)
                    segment = []
                    continue
                segment.append(f"{x_of(i):.1f},{y_of(float(v)):.1f}")
            if segment:
                segments.append(segment)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            for seg in segments:
                if len(seg) > 1:
                    out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                               f'stroke-width="2"{dash_attr}/>')
            for i, v in enumerate(s.values):
                if v is not None:
                    out.append(_marker(shape, x_of(i), y_of(float(v)), colour))
        out.append("</g>")

    if legend_h:
        out.append('<g class="chart-legend" aria-hidden="true">')
        for si, s in enumerate(series):
            y = height - legend_h + 22 * si + 6
            colour, dash, shape = COLOURS[si % 4], DASHES[si % 4], MARKERS[si % 4]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{left}" x2="{left + 28}" y1="{y}" y2="{y}" stroke="{colour}" '
                       f'stroke-width="2"{dash_attr}/>')
            out.append(_marker(shape, left + 14, y, colour))
            out.append(f'<text x="{left + 36}" y="{y + 4}" font-size="12">{escape(s.name)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def quartile_chart(labels: Sequence[str], quartiles: Sequence[tuple[Number, Number, Number] | None], *,
                   title: str, uid: str, unit: str = "Tage", width: int = 680) -> SafeString:
    """Horizontal box chart: per row a bar from the first to the third quartile with the median marked."""
    left, right, row_h, top_pad, bottom = 170, 24, 26, 10, 44
    height = top_pad + row_h * max(len(labels), 1) + bottom
    plot_w = width - left - right
    highs = [float(q[2]) for q in quartiles if q is not None and q[2] is not None]
    top = _nice_max(max(highs) if highs else 0.0)
    parts = []
    for label, q in zip(labels, quartiles, strict=False):
        if q is None:
            parts.append(f"{label}: keine veröffentlichte Zahl")
        else:
            parts.append(f"{label}: Median {de_number(q[1], 0)} {unit}, Quartile {de_number(q[0], 0)} bis {de_number(q[2], 0)} {unit}")
    out = _open(uid, title, "; ".join(parts) + ".", width, height, "chart chart-quartiles")

    def x_of(v: float) -> float:
        return left + v / top * plot_w

    plot_bottom = top_pad + row_h * max(len(labels), 1)
    out.append('<g class="chart-grid" aria-hidden="true">')
    for t in _ticks(top):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" y2="{plot_bottom}" stroke="#d5dbe3"/>')
        out.append(f'<text x="{x:.1f}" y="{plot_bottom + 14}" text-anchor="middle" font-size="11">'
                   f'{escape(de_number(t, 0))}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{plot_bottom + 32}" text-anchor="middle" font-size="11">'
               f'{escape(unit)} (Balken: 1. bis 3. Quartil, Strich: Median)</text>')
    out.append("</g>")
    out.append('<g class="chart-series" aria-hidden="true">')
    for i, (label, q) in enumerate(zip(labels, quartiles, strict=False)):
        y = top_pad + row_h * i
        out.append(f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" font-size="11">'
                   f'{escape(label)}</text>')
        if q is None or any(v is None for v in q):
            out.append(f'<text x="{left + 6}" y="{y + row_h / 2 + 4:.1f}" font-size="12" class="chart-gap">*</text>')
            continue
        q1, med, q3 = (float(v) for v in q)  # type: ignore[arg-type]
        out.append(f'<rect x="{x_of(q1):.1f}" y="{y + 5}" width="{max(x_of(q3) - x_of(q1), 1.5):.1f}" '
                   f'height="{row_h - 10}" fill="#dbe7f3" stroke="{COLOURS[0]}"/>')
        out.append(f'<line x1="{x_of(med):.1f}" x2="{x_of(med):.1f}" y1="{y + 2}" y2="{y + row_h - 2}" '
                   f'stroke="{COLOURS[1]}" stroke-width="3"/>')
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def sparkline(values: Sequence[Number], *, title: str, labels: Sequence[str], uid: str, unit: str = "%",
              digits: int = 1, width: int = 120, height: int = 30) -> SafeString:
    """A small trend line for the overview (no axes); the description lists the values."""
    present = [float(v) for v in values if v is not None]
    desc = _values_text(labels, values, unit, digits) if values else "keine Werte"
    out = _open(uid, title, desc, width, height, "sparkline")
    if present:
        low, high = min(present), max(present)
        span = (high - low) or 1.0
        n = len(values)
        step = (width - 8) / max(n - 1, 1)

        def pos(i: int, v: float) -> str:
            return f"{4 + step * i:.1f},{height - 4 - (v - low) / span * (height - 8):.1f}"

        segment: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is None:
                if len(segment) > 1:
                    out.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{COLOURS[0]}" '
                               f'stroke-width="1.5"/>')
                elif segment:
                    x, y = segment[0].split(",")
                    out.append(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{COLOURS[0]}"/>')
                segment = []
            else:
                segment.append(pos(i, float(v)))
        last = values[-1]
        if last is not None:
            x, y = pos(n - 1, float(last)).split(",")
            out.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{COLOURS[1]}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
