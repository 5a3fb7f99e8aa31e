"""Geometry of a horizontal bar chart that templates draw as SVG on the server.

The privacy dashboard's ``weekly_chart`` draws two series per week on a time axis; survey
results need one bar per answer with its label, so this is its own small helper rather than
a bent copy of that one. No JavaScript, no images: the numbers are in the page as text too.
"""

from __future__ import annotations

LABEL_WIDTH = 170
BAR_AREA = 260
ROW_HEIGHT = 26
BAR_HEIGHT = 16


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    """Positions of one bar per (label, count) row, scaled to the largest count."""
    top = max([count for _label, count in rows] + [1])
    total = sum(count for _label, count in rows)
    bars = []
    for index, (label, count) in enumerate(rows):
        y = 6 + index * ROW_HEIGHT
        width = round(BAR_AREA * count / top)
        bars.append(
            {
                "label": label,
                "count": count,
                "share": round(100 * count / total) if total else 0,
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_AREA + 60,
        "height": 12 + len(rows) * ROW_HEIGHT,
    }
