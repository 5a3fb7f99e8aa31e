"""Demo page views (P01) for the embedded run: 30 days of visits, so the staff insights
have something to show. Called by the project's ``seed_demo`` with the demo customers and
the catalogue's service pages (analytics reads neither app itself).

Idempotent: a customer who already has page views gets none, and anonymous views are
added only when the period has none.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from analytics.models import PageView

#: Pages every site has; the caller adds its service pages.
DEFAULT_PATHS = ("/", "/services/", "/privacy/", "/privacy/cookies/", "/cart/", "/consultation/")
BROWSERS = (
    ("Chrome", "124", "desktop"),
    ("Firefox", "126", "desktop"),
    ("Safari", "17", "desktop"),
    ("Mobile Safari", "17", "mobile"),
    ("Chrome Mobile", "124", "mobile"),
    ("Edge", "124", "desktop"),
    ("Mobile Safari", "17", "tablet"),
)
REFERRERS = ("", "", "", "www.google.com", "www.bing.com", "www.linkedin.com", "duckduckgo.com")
NETWORKS = ("81.2.69.0", "203.0.113.0", "198.51.100.0", "2001:db8:85a3::")


@transaction.atomic
def demo_seed_page_views(
    *, users: Iterable = (), service_paths: Sequence[str] = (), days: int = 30, per_day: int = 40, now=None
) -> int:
    """Write ``days`` days of page views: about ``per_day`` anonymous ones a day over the
    default pages and ``service_paths`` (busier on weekdays, slower pages now and then), and
    a few for each of ``users`` (as customers who allowed analytics cookies). Returns the
    number of rows written; one bulk_create."""
    now = now or timezone.now()
    rng = random.Random(20260101)  # noqa: S311 (demo data, not security)
    paths = [*DEFAULT_PATHS, *service_paths]
    weights = [6, 4, 1, 1, 1, 1, *([3] * len(service_paths))]
    routes = {path: _route(path) for path in paths}
    start = now - datetime.timedelta(days=days - 1)
    rows = []

    def view(when, path, user=None):
        browser, version, device = rng.choice(BROWSERS)
        slow = rng.random() < 0.05
        base = 180 if path == "/services/" else 60
        rows.append(
            PageView(
                viewed_at=when,
                path=path,
                route=routes[path],
                status_code=200,
                response_ms=int(rng.gauss(base, base / 4)) + (rng.randint(300, 900) if slow else 0),
                browser=browser,
                browser_version=version,
                device=device,
                referrer_domain=rng.choice(REFERRERS),
                ip_prefix=rng.choice(NETWORKS),
                user=user,
            )
        )

    if not PageView.objects.filter(user=None, viewed_at__gte=start).exists():
        for day in range(days):
            date = start + datetime.timedelta(days=day)
            busy = 1.0 if date.weekday() < 5 else 0.55
            for _ in range(int(per_day * busy * rng.uniform(0.7, 1.3))):
                when = date.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59))
                if when <= now:
                    view(when, rng.choices(paths, weights)[0])
    users = list(users)
    seen = set(PageView.objects.filter(user__in=users).values_list("user_id", flat=True).distinct())
    for user in users:
        if user.pk in seen:
            continue
        for _ in range(rng.randint(4, 12)):
            when = now - datetime.timedelta(days=rng.randint(0, days - 1), minutes=rng.randint(0, 600))
            view(when, rng.choices(paths, weights)[0], user)
    PageView.objects.bulk_create(rows)
    return len(rows)


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""
