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

WIDTH = 560
LABEL_WIDTH = 190
BAR_SPACE = 290  # the longest bar; the value is written after it
ROW_HEIGHT = 22
BAR_HEIGHT = 14
PAD = 8


class Marker(NamedTuple):
    """A line across the chart at ``position`` rows from the top (2.5 = half-way through the
    third row), e.g. the monitoring threshold across a histogram's bins."""

    position: float
    label: str


def _number(value: int | Decimal) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def bar_chart(title: str, bars: Sequence[tuple[str, int | Decimal]], *, unit: str = "",
              scale: int | Decimal | None = None, alert: Collection[int] = (), marker: Marker | None = None) -> Markup:
    """Horizontal bars, one row per (label, value), longest = ``scale`` (default the largest
    value). Rows whose index is in ``alert`` are drawn in the warning colour."""
    top = max([scale or 0, *(value for _label, value in bars)]) or 1
    height = PAD * 2 + ROW_HEIGHT * max(len(bars), 1) + (ROW_HEIGHT if marker else 0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-size="12">',
             f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(bars):
        y = PAD + index * ROW_HEIGHT
        length = round(BAR_SPACE * max(value, 0) / top, 1)
        kind = "bar alert" if index in alert else "bar"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="{kind}" x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{BAR_HEIGHT}"/>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 15}">{escape(_number(value))}{escape(unit)}</text>')
    if marker:
        y = PAD + round(min(max(marker.position, 0), len(bars)) * ROW_HEIGHT, 1)
        parts.append(
            f'<line class="marker" x1="{LABEL_WIDTH - 4}" y1="{y}" x2="{LABEL_WIDTH + BAR_SPACE}" y2="{y}"/>'
            f'<text class="marker" x="{LABEL_WIDTH + BAR_SPACE}" y="{height - PAD}" text-anchor="end">'
            f"{escape(marker.label)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
