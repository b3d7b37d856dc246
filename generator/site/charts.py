"""Build-time charts as inline SVG: no JavaScript, no outside scripts.

API (each chart returns `markupsafe.Markup`, ready for a template):

- `sparkline(points, *, target=None, better="higher", label, unit=None)`: a 120x28 px
  `<svg role="img">` of a metric's readings, `(date, value)` pairs (sorted here by
  date, x spaced by date, not by index), a dashed target line and a dot on the latest
  reading. Its `aria-label` and `<title>` say the first and last readings, the range
  and the target. No readings: empty Markup.
- `flow_bars(rows, *, caption)`: a `<figure>` of decision times, one `FlowRow` a row:
  a bar to the median, a thin outlined extension and a tick to the p90, and the
  numbers as text ("median 12 d · p90 40 d · n=7"); n=0 says "no decisions yet".
- `format_value(value, unit)`: a metric value as text ("0.21", "21%", "1,234", "12 s").

Why the bar chart's words are HTML, outside the SVG: an SVG scaled into a 390 px
phone shrinks its text with it (a 640-wide viewBox would draw 12px text at 7px), and
SVG text cannot wrap a long team name. So labels and numbers are plain HTML text,
readable at any width and read by screen readers as a list; each row's bar is a
small decorative SVG (`aria-hidden`, stretched to the row's width) on a scale shared
by all rows. The sparkline is fixed-size, so its text alternative is its label.

Colours come from CSS classes (`ip-chart`, `ip-spark-*`, `ip-flow-*`, in
insight-portal.css) and `currentColor`, so the slate scheme restyles them.

Markdown: the output has no blank line and no indented line, so it stays one raw
HTML block. `flow_bars` starts with `<figure>` and can stand as a block of its own;
put a sparkline inside an HTML block (a table cell, a `<p>`): a bare `<svg>` line is
not a block-level element to Python-Markdown. Text that Markdown would read as
emphasis (`*`, `_`, ...) is written as character references, so inline use is safe.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 120, 28, 3  # sparkline box; PAD keeps the dot inside it
DOT_RADIUS = 2.5
BAR_HEIGHT = 12
# Characters Python-Markdown's inline patterns act on, should text land in a paragraph.
_MARKDOWN_INLINE = {ord(c): f"&#{ord(c)};" for c in "\\`*_[]"}
# The bar is stretched to its row; strokes keep their pixel width (non-scaling).
_OUTLINE = 'fill="none" stroke="currentColor" vector-effect="non-scaling-stroke"'
_SAFE_SCHEMES = ("", "http", "https", "mailto")


@dataclass(frozen=True)
class FlowRow:
    """One group of decisions (a team, stage, month): times in days, or None."""

    label: str
    median: float | None
    p90: float | None
    count: int
    href: str | None = None


def _trim(text: str) -> str:
    """'12.50' -> '12.5', '3.00' -> '3', '-0.00' -> '0': no float noise, no minus zero."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _num(value: float, places: int) -> str:
    return _trim(f"{value:,.{places}f}")


def _coord(value: float) -> str:
    return _trim(f"{value:.2f}")


def _text(value: object) -> Markup:
    """Escaped for HTML, with Markdown's inline markers as character references."""
    return Markup(str(escape(value)).translate(_MARKDOWN_INLINE))


def format_value(value: float | None, unit: object = None) -> str:
    """A metric value for people: ratio 0.21, percent 21%, count 1,234, seconds 12 s."""
    if value is None or not math.isfinite(value):
        return "–"
    unit = getattr(unit, "value", unit)  # a Unit enum or its string
    if unit == "ratio":
        return f"{value:,.2f}"  # two places, so 0.3 reads as 0.30 beside 0.27
    if unit == "percent":
        return f"{_num(value, 1)}%"
    if unit == "count":
        return f"{round(value):,}"
    if unit == "seconds":
        return f"{_num(value, 1)} s"
    return _num(value, 2)  # "score" and anything unnamed: plain


def _day(when: datetime.date) -> str:
    return when.isoformat()[:10]  # a datetime shows its date only


def _describe(label: str, points: list, target: float | None, better: str, unit) -> str:
    """The text alternative: what a sighted reader takes from the line."""
    (first_day, first), (last_day, last) = points[0], points[-1]
    text = f"{label}: {format_value(first, unit)} on {_day(first_day)}"
    if len(points) > 1:
        values = [value for _, value in points]
        text += (f" to {format_value(last, unit)} on {_day(last_day)}, {len(points)} readings,"
                 f" low {format_value(min(values), unit)}, high {format_value(max(values), unit)}")
    if target is not None:
        text += f", target {format_value(target, unit)} ({better} is better)"
    return text


def _scale(low: float, high: float, start: float, end: float):
    """A function mapping [low, high] onto [start, end]; one value maps to the middle."""
    if high == low:
        return lambda value: (start + end) / 2
    return lambda value: start + (value - low) * (end - start) / (high - low)


def sparkline(points: list[tuple[datetime.date, float]], *, target: float | None = None,
              better: str = "higher", label: str, unit: object = None) -> Markup:
    """An inline SVG sparkline of a metric's readings, or empty Markup without any."""
    better = getattr(better, "value", better)
    if better not in ("higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")
    points = sorted(points, key=lambda point: point[0])  # stable: same input, same bytes
    if not points:
        return Markup("")
    values = [value for _, value in points]
    if not all(math.isfinite(value) for value in [*values, target or 0]):
        raise ValueError(f"{label}: readings and target must be finite numbers")
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    # x by date, so uneven gaps show; a single day sits at the right, where "latest" is.
    x_of = _scale(first, last, PAD, WIDTH - PAD) if last > first else (lambda day: WIDTH - PAD)
    # The target widens the scale so its line is always inside the box.
    scale_values = [*values, target] if target is not None else values
    # SVG y runs downwards: the highest value gets the smallest y.
    y_of = _scale(min(scale_values), max(scale_values), HEIGHT - PAD, PAD)
    description = _describe(label, points, target, better, unit)
    parts = [Markup('<svg class="ip-chart ip-spark" viewBox="0 0 {w} {h}" width="{w}" '
                    'height="{h}" role="img" aria-label="{d}"><title>{t}</title>').format(
        w=WIDTH, h=HEIGHT, d=description, t=_text(description))]
    if target is not None:
        y = _coord(y_of(target))
        parts.append(Markup(
            f'<line class="ip-spark-target" x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}" '
            'stroke="currentColor" stroke-width="1" stroke-dasharray="3 2"/>'))
    xy = [(_coord(x_of(when.toordinal())), _coord(y_of(value))) for when, value in points]
    if len(points) > 1:
        line = " ".join(f"{x},{y}" for x, y in xy)
        parts.append(Markup(
            f'<polyline class="ip-spark-line" points="{line}" fill="none" '
            'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'))
    parts.append(Markup(f'<circle class="ip-spark-dot" cx="{xy[-1][0]}" cy="{xy[-1][1]}" '
                        f'r="{DOT_RADIUS}" fill="currentColor"/></svg>'))
    return Markup("").join(parts)


def _safe_href(href: str | None) -> str | None:
    """Relative links and web/mail links only: never javascript: or data:."""
    if not href:
        return None
    return href if urlsplit(href).scheme.lower() in _SAFE_SCHEMES else None


def _days(value: float) -> str:
    return f"{_num(value, 1)} d"


def _bar(row: FlowRow, top: float) -> Markup:
    """A row's decorative bar: solid to the median, outlined on to the p90, a p90 tick."""
    median = max(row.median or 0, 0) / top * 100
    shapes = [f'<rect class="ip-flow-median" x="0" y="1" width="{_coord(median)}" height="10" '
              'fill="currentColor"/>']
    if row.p90 is not None:
        p90 = max(row.p90, 0) / top * 100
        if p90 > median:
            shapes.append(f'<rect class="ip-flow-p90" x="{_coord(median)}" y="4" '
                          f'width="{_coord(p90 - median)}" height="4" {_OUTLINE}/>')
        x = _coord(p90)
        shapes.append(f'<line class="ip-flow-tick" x1="{x}" y1="0" x2="{x}" y2="{BAR_HEIGHT}" '
                      f'stroke-width="2" {_OUTLINE}/>')
    # The viewBox leaves a unit each side so a tick at 0 or 100 is not cut in half.
    return Markup('<svg class="ip-flow-bar" viewBox="-1 0 102 {h}" preserveAspectRatio="none" '
                  'width="100%" height="{h}" aria-hidden="true" focusable="false">{s}</svg>'
                  ).format(h=BAR_HEIGHT, s=Markup("".join(shapes)))


def _flow_row(row: FlowRow, top: float) -> Markup:
    href = _safe_href(row.href)
    name = _text(row.label)
    if href:
        name = Markup('<a href="{}">{}</a>').format(href, name)
    if row.count <= 0:
        numbers, bar = Markup("no decisions yet"), Markup("")
    elif row.median is None:
        numbers, bar = Markup(f"n={row.count:,} · no times yet"), Markup("")
    else:
        shown = [f"median {_days(row.median)}"]
        if row.p90 is not None:
            shown.append(f"p90 {_days(row.p90)}")
        numbers, bar = Markup(" · ".join([*shown, f"n={row.count:,}"])), _bar(row, top)
    return Markup('<li><span class="ip-flow-label">{}</span> '
                  '<span class="ip-flow-nums">{}</span>{}</li>').format(name, numbers, bar)


def flow_bars(rows: list[FlowRow], *, caption: str) -> Markup:
    """A figure of decision times per group, bars on one scale, numbers as text."""
    if any(not math.isfinite(v) for row in rows for v in (row.median, row.p90) if v is not None):
        raise ValueError(f"{caption}: decision times must be finite numbers")
    spans = [max(row.p90 or 0, row.median or 0) for row in rows
             if row.count > 0 and row.median is not None]
    top = max([*spans, 0]) or 1  # all zero or no data: any non-zero scale draws nothing wrong
    items = [_flow_row(row, top) for row in rows]
    return Markup("\n").join([
        Markup('<figure class="ip-chart ip-flow"><figcaption>{}</figcaption>').format(
            _text(caption)),
        # role="list": Safari drops list semantics from a list styled without bullets.
        Markup('<ul class="ip-flow-rows" role="list">'), *items, Markup("</ul></figure>")])
