"""Tailored offers (P06): "Recommended for you", built from what the customer bought and,
with their analytics consent, what they looked at.

Only for a customer who has not objected to profiling and is not restricted, asked of the
privacy hub on every page (``marketing_allowed("tailored_offers")``): an objection stops
the offers on the next page, nothing is cached.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import Resolver404, resolve
from django.utils import timezone

from analytics.selectors import viewed_paths
from privacy.selectors import marketing_allowed
from shop.models import Order, OrderLine, Service

#: How far back browsing counts.
BROWSING_DAYS = 90
SERVICE_ROUTE = "shop:service_detail"


@dataclasses.dataclass(frozen=True)
class Offer:
    service: Service
    #: Why it is offered, shown with it ("Because you bought Social media starter").
    reason: str


def offers_for(*, user, browsing_allowed: bool, limit: int = 4, now=None) -> list[Offer]:
    """Up to ``limit`` services for ``user``: other services in the categories of what they
    bought ("Because you bought …") and, when ``browsing_allowed`` (analytics consent, no
    restriction of analytics), of the services they viewed ("Because you viewed …"); never
    one they already bought or one they viewed. Empty for visitors, for a customer who
    objected to tailored offers (P06, P22), is restricted (P23) or suppressed.

    At most seven queries, whatever the customer's history: three for the privacy hub's
    answer, one for the purchases, two for the browsing, one for the services offered.
    """
    if user is None or not user.is_authenticated:
        return []
    if not marketing_allowed("tailored_offers", user=user):
        return []
    reasons: dict[int, str] = {}
    excluded: set[int] = set()
    bought = (
        OrderLine.objects.filter(order__in=Order.objects.for_user(user).bought(), plan__service__isnull=False)
        .order_by("-order__created_at", "-pk")
        .values_list("plan__service_id", "plan__service__name", "plan__service__category_id")
    )
    for service_id, name, category_id in bought:
        excluded.add(service_id)
        reasons.setdefault(category_id, f"Because you bought {name}")
    if browsing_allowed:
        since = (now or timezone.now()) - datetime.timedelta(days=BROWSING_DAYS)
        paths = viewed_paths(user=user, route=SERVICE_ROUTE, since=since)
        order = {slug: index for index, slug in enumerate(_slugs(paths))}
        if order:
            viewed = Service.objects.filter(slug__in=order).values_list("pk", "name", "category_id", "slug")
            for service_id, name, category_id, _slug in sorted(viewed, key=lambda row: order[row[3]]):
                excluded.add(service_id)
                reasons.setdefault(category_id, f"Because you viewed {name}")
    if not reasons:
        return []
    # At most ``limit`` per category, picked in the database, so a large category cannot
    # crowd the others out of what is read.
    candidates = (
        Service.objects.active()
        .filter(category_id__in=reasons)
        .exclude(pk__in=excluded)
        .annotate(place=Window(RowNumber(), partition_by=[F("category_id")], order_by=[F("name"), F("pk")]))
        .filter(place__lte=limit)
        .only("pk", "name", "slug", "summary", "category_id")
        .order_by("name", "pk")
    )
    # Round-robin over the categories, in the order the reasons were found (newest first),
    # so one category does not take every place.
    by_category: dict[int, list[Service]] = {category_id: [] for category_id in reasons}
    for service in candidates:
        by_category[service.category_id].append(service)
    offers: list[Offer] = []
    while len(offers) < limit and any(by_category.values()):
        for category_id, services in by_category.items():
            if services and len(offers) < limit:
                offers.append(Offer(service=services.pop(0), reason=reasons[category_id]))
    return offers


def _slugs(paths) -> list[str]:
    slugs = []
    for path in paths:
        try:
            slug = resolve(path).kwargs.get("slug")
        except Resolver404:
            continue
        if slug:
            slugs.append(slug)
    return slugs
