"""Server-rendered SVG charts (office intranets are closed: no scripts, no CDN).

Pure: takes labels already translated and numbers, returns inline SVG markup. Every chart
is an image with its title as accessible name; the page puts a table of the same numbers
beside it for screen readers and copying.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import NamedTuple

from markupsafe import Markup, escape

# Drawn at one unit per CSS pixel: 360 wide fits a 393 px phone, so its 13 px text stays 13 px.
WIDTH = 360
FONT = 13
PAD = 8
TITLE_HEIGHT = 26  # the chart's title, above the bars
ROW_HEIGHT = 38  # each row: its label on one line, the bar and its value below it
BAR_HEIGHT = 14
BAR_SPACE = 290  # the longest bar; the value is written after it
AXIS_HEIGHT = 36  # the value axis under the bars: ticks, their values and what is counted
TOP = PAD + TITLE_HEIGHT


class Marker(NamedTuple):
    """A line across the chart at ``position`` rows from the top (2.5 = half-way through the
    third row), e.g. the monitoring threshold across a histogram's bins."""

    position: float
    label: str


def _number(value: int | Decimal) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def bar_chart(title: str, bars: Sequence[tuple[str, int | Decimal]], *, unit: str = "", axis: str = "",
              scale: int | Decimal | None = None, alert: Collection[int] = (), marker: Marker | None = None,
              colours: Sequence[str] = ()) -> Markup:
    """Horizontal bars under a title, one row per (label, value), longest = ``scale`` (default
    the largest value), over a value axis named ``axis``. Rows whose index is in ``alert`` are
    drawn in the warning colour; ``colours`` gives a row its own colour class (a circle layer's)."""
    top = max([scale or 0, *(value for _label, value in bars)]) or 1
    rows = max(len(bars), 1)
    axis_y = TOP + ROW_HEIGHT * rows + (ROW_HEIGHT / 2 if marker else 0)
    height = axis_y + AXIS_HEIGHT + (FONT + 6 if marker else 0) + PAD
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-size="{FONT}">',
             f"<title>{escape(title)}</title>",
             f'<text class="title" x="0" y="{PAD + 15}">{escape(title)}</text>']
    ticks = _ticks(top)
    for value in ticks:  # the grid first, so the bars are drawn over it
        x = round(BAR_SPACE * value / top, 1)
        parts.append(f'<line class="grid" x1="{x}" y1="{TOP}" x2="{x}" y2="{axis_y}"/>')
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        length = round(BAR_SPACE * max(value, 0) / top, 1)
        kind = " ".join(["bar", *(["alert"] if index in alert else []), *colours[index:index + 1]])
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(label)}</text>'
            f'<rect class="{kind}" x="0" y="{y + 18}" width="{length}" height="{BAR_HEIGHT}"/>'
            f'<text class="value" x="{length + 4}" y="{y + 30}">{escape(_number(value))}{escape(unit)}</text>')
    parts.append(f'<line class="axis" x1="0" y1="{axis_y}" x2="{BAR_SPACE}" y2="{axis_y}"/>')
    for value in ticks:
        x = round(BAR_SPACE * value / top, 1)
        anchor = "start" if value == 0 else "end" if value == top else "middle"
        parts.append(f'<text class="tick" x="{x}" y="{axis_y + 15}" text-anchor="{anchor}">'
                     f"{escape(_number(value))}{escape(unit)}</text>")
    if axis:
        parts.append(f'<text class="tick" x="{BAR_SPACE}" y="{axis_y + 31}" text-anchor="end">{escape(axis)}</text>')
    if marker:
        y = TOP + round(min(max(marker.position, 0), len(bars)) * ROW_HEIGHT, 1)
        parts.append(
            f'<line class="marker" x1="0" y1="{y}" x2="{BAR_SPACE}" y2="{y}"/>'
            f'<text class="marker" x="0" y="{height - PAD}">{escape(marker.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(top: int | Decimal) -> list[int | Decimal]:
    """The axis' values: nothing, the middle and the scale; a count's middle is a whole number
    (0, 4, 7), a rate's is exact (0, 50, 100)."""
    middle = top // 2 if isinstance(top, int) else top / 2
    if isinstance(middle, Decimal) and middle == middle.to_integral_value():
        middle = int(middle)
    return [0, *([middle] if 0 < middle < top else []), top]
