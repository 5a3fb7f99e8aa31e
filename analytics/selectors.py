"""Reads of the analytics app: the staff insights (P01) and a customer's viewed pages (P06)."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from analytics import charts
from analytics.models import PageView

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
TOP_PAGES = 20
LATEST_VISITS = 15


@dataclasses.dataclass
class PageFigures:
    path: str
    route: str
    visits: int
    last_visit: datetime.datetime
    median_ms: int | None = None
    p95_ms: int | None = None


def insights(*, days: int = DEFAULT_WINDOW, now=None) -> dict:
    """What staff see on the insights page for the last ``days`` days (P01): the most visited
    pages with their last visit and median and 95th-percentile response times, visits per
    day (with an SVG chart) and the latest visits.

    Four queries whatever the volume. The percentiles are nearest-rank, computed in the
    database with window functions (PostgreSQL and SQLite alike): only two rows per page
    come back, never the durations themselves.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    views = PageView.objects.between(start, now)

    pages = [
        PageFigures(path=row["path"], route=row["route"], visits=row["visits"], last_visit=row["last_visit"])
        for row in views.values("path", "route")
        .annotate(visits=Count("id"), last_visit=Max("viewed_at"))
        .order_by("-visits", "path")[:TOP_PAGES]
    ]
    by_path = {page.path: page for page in pages}
    if by_path:
        ranked = (
            views.filter(path__in=list(by_path))
            .annotate(
                rank=Window(RowNumber(), partition_by=[F("path")], order_by=[F("response_ms").asc(), F("id").asc()]),
                n=Window(Count("id"), partition_by=[F("path")]),
            )
            # Nearest rank: the median is row ceil(n/2), the 95th percentile row ceil(0.95 n).
            .filter(Q(rank=(F("n") + 1) / 2) | Q(rank=(F("n") * 95 + 99) / 100))
            .order_by()
            .values_list("path", "rank", "n", "response_ms")
        )
        for path, rank, n, response_ms in ranked:
            page = by_path[path]
            if rank == (n + 1) // 2:
                page.median_ms = response_ms
            if rank == (n * 95 + 99) // 100:
                page.p95_ms = response_ms

    per_day = dict(
        views.annotate(day=TruncDate("viewed_at")).values("day").annotate(n=Count("id")).values_list("day", "n")
    )
    days_list = [first_day + datetime.timedelta(days=i) for i in range(days)]
    counts = [per_day.get(day, 0) for day in days_list]
    latest = list(
        views.only("path", "viewed_at", "browser", "browser_version", "device", "referrer_domain", "response_ms")[
            :LATEST_VISITS
        ]
    )
    return {
        "days": days,
        "windows": WINDOWS,
        "since": first_day,
        "pages": pages,
        "total_visits": sum(counts),
        "daily": list(zip(days_list, counts, strict=True)),
        "chart": charts.daily_bars(days_list, counts),
        "latest": latest,
    }


def window_from(value) -> int:
    """The window a staff member asked for, or the default for anything else (never a 500)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WINDOW
    return days if days in WINDOWS else DEFAULT_WINDOW


def viewed_paths(*, user, route: str, since, limit: int = 20) -> list[str]:
    """The paths of ``route`` the person viewed since ``since``, most recent first, each once.
    Only views linked with the person's analytics consent exist (see the middleware). One query."""
    return list(
        PageView.objects.of_user(user)
        .filter(route=route, viewed_at__gte=since)
        .values("path")
        .annotate(last=Max("viewed_at"))
        .order_by("-last")
        .values_list("path", flat=True)[:limit]
    )
