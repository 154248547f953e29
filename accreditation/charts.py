"""Bar charts drawn on the server as SVG, no JavaScript: the geometry and
the markup are worked out here (a chart of hundreds of assessors is
thousands of numbers, too slow through the template language), and the
page puts ``chart.svg`` where it goes. Every chart has a title and a
description for assistive technology, and the page shows a table of the
same figures beside it."""

from dataclasses import dataclass

from django.template.defaultfilters import truncatechars
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

LABEL_WIDTH = 240
BAR_AREA = 360
VALUE_WIDTH = 70
ROW = 30
BAR = 20
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    x: float
    y: float
    width: float
    label_y: float
    value_x: float
    negative: bool


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: tuple
    zero_x: float
    width: int
    height: int

    @property
    def label_x(self):
        return LABEL_WIDTH - 8

    @property
    def axis_bottom(self):
        return self.height - TOP

    @property
    def svg(self):
        """The chart as one image labelled by its title and description."""
        opening = format_html(
            '<svg class="app-chart" role="img" aria-labelledby="{id}-title {id}-desc" '
            'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            'xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title>'
            '<desc id="{id}-desc">{description}</desc>',
            id=self.id,
            width=self.width,
            height=self.height,
            title=self.title,
            description=self.description,
        )
        # Every value below but the labels is a number worked out here.
        bars = "".join(
            f'<text x="{self.label_x}" y="{bar.label_y}" text-anchor="end" font-size="14" '
            f'fill="#0b0c0c">{escape(truncatechars(bar.label, 34))}</text>'
            f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{BAR}" '
            f'fill="{"#d4351c" if bar.negative else "#1d70b8"}"></rect>'
            f'<text x="{bar.value_x}" y="{bar.label_y}" font-size="14" '
            f'fill="#0b0c0c">{escape(bar.shown)}</text>'
            for bar in self.bars
        )
        axis = (
            f'<line x1="{self.zero_x}" y1="4" x2="{self.zero_x}" y2="{self.axis_bottom}" '
            'stroke="#0b0c0c" stroke-width="1"></line></svg>'
        )
        return mark_safe(opening + bars + axis)  # noqa: S308 (escaped above)


def bar_chart(chart_id, title, description, data, unit=""):
    """A horizontal bar chart of ``data``, [(label, value)], whose values
    may be negative (drawn left of zero: a difference)."""
    values = [value for _label, value in data]
    low, high = min([0, *values]), max([0, *values])
    span = (high - low) or 1
    scale = BAR_AREA / span
    zero_x = LABEL_WIDTH + (0 - low) * scale
    bars = []
    for index, (label, value) in enumerate(data):
        y = TOP + index * ROW
        start = zero_x + min(0, value) * scale
        width = abs(value) * scale
        bars.append(
            Bar(
                label=str(label),
                value=value,
                shown=f"{value:g}{unit}",
                x=round(start, 1),
                y=y,
                width=round(width, 1),
                label_y=y + BAR * 0.7,
                # After the bar's end, or (a negative bar) just right of zero.
                value_x=round((start + width + 4) if value >= 0 else (zero_x + 4), 1),
                negative=value < 0,
            )
        )
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        bars=tuple(bars),
        zero_x=round(zero_x, 1),
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP * 2 + max(len(bars), 1) * ROW,
    )
