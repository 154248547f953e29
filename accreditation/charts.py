"""Bar charts drawn on the server as SVG (``includes/bar_chart.html``), no
JavaScript: the geometry is worked out here, the template only draws it.
Every chart has a title and a description for assistive technology, and
the page shows a table of the same figures beside it."""

from dataclasses import dataclass

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
