"""Server-rendered SVG charts for the staff pages: numbers in, positions out; no script."""

from __future__ import annotations

HEIGHT = 140
LEFT = 34


def daily_bars(days, counts, *, bar: int = 12, gap: int = 4) -> dict:
    """Bar positions for one series per day (the insights' visits per day).

    Returns ``columns`` (x, y, h, day, count, label: whether to print the date under it),
    ``width``, ``height``, ``top`` (the largest value, the axis' top label) and ``bar``.
    """
    top = max([*counts, 1])
    every = max(1, len(days) // 10)
    columns = []
    for index, (day, count) in enumerate(zip(days, counts, strict=True)):
        h = round(HEIGHT * count / top)
        columns.append(
            {
                "day": day,
                "count": count,
                "x": LEFT + index * (bar + gap),
                "y": 10 + HEIGHT - h,
                "h": h,
                "label": index % every == 0,
            }
        )
    width = LEFT + 10 + len(days) * (bar + gap)
    return {"columns": columns, "width": width, "height": HEIGHT, "top": top, "bar": bar, "baseline": HEIGHT + 10}
