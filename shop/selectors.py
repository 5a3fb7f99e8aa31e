"""Reads that feed the shop's pages: the catalogue, a service's page, reviews, saved searches."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import and_

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Address
from shop.models import Category, Invoice, Order, OrderLine, Plan, Review, SavedSearch, Service, Subscription

SORT_RELEVANCE = "relevance"
SORT_NAME = "name"
SORT_PRICE_ASC = "price"
SORT_PRICE_DESC = "-price"
SORT_NEWEST = "newest"
# The sorts a customer chooses from. The empty choice, "Best match", ranks by relevance
# when there are words to match and by name otherwise; "relevance" is its old name.
SORT_CHOICES = [
    ("", "Best match"),
    (SORT_NAME, "Name"),
    (SORT_PRICE_ASC, "Price: low to high"),
    (SORT_PRICE_DESC, "Price: high to low"),
    (SORT_NEWEST, "Newest"),
]
KIND_ONE_OFF = "one_off"
KIND_SUBSCRIPTION = "subscription"
KIND_MONTHLY = "month"
KIND_YEARLY = "year"
# What each kind of service lists: services with an active plan billed so, priced from
# the cheapest such plan.
KIND_BILLINGS = {
    KIND_ONE_OFF: (Plan.Billing.ONE_OFF,),
    KIND_SUBSCRIPTION: (Plan.Billing.MONTHLY, Plan.Billing.YEARLY),
    KIND_MONTHLY: (Plan.Billing.MONTHLY,),
    KIND_YEARLY: (Plan.Billing.YEARLY,),
}
KIND_CHOICES = [
    (KIND_ONE_OFF, "One-off"),
    (KIND_SUBSCRIPTION, "Subscription (monthly or yearly)"),
    (KIND_MONTHLY, "Monthly"),
    (KIND_YEARLY, "Yearly"),
]
SEARCH_CONFIG = "english"
REVIEWS_ON_PAGE = 20


def _active_plans(billings=None):
    plans = Plan.objects.filter(service=OuterRef("pk"), is_active=True)
    return plans.filter(billing__in=billings) if billings else plans


def _published_reviews():
    return Review.objects.published().filter(service=OuterRef("pk"))


def service_cards(queryset: QuerySet | None = None, *, billings=None) -> QuerySet:
    """Services with what a card shows, as annotations so a page costs the same number of
    queries whatever its length: min_price and min_price_billing (the cheapest active plan,
    among those of `billings` when given), has_one_off, has_monthly, has_yearly and
    has_subscription (the kinds of plan on sale), avg_rating and review_count (published
    reviews)."""
    queryset = Service.objects.active() if queryset is None else queryset
    priced = _active_plans(billings)
    cheapest = priced.order_by("price", "position", "pk")
    # Subqueries rather than joins: joining plans and reviews in one GROUP BY would
    # multiply the rows and make the review count wrong.
    return queryset.select_related("category").annotate(
        min_price=Subquery(priced.values("service").annotate(m=Min("price")).values("m")[:1]),
        min_price_billing=Subquery(cheapest.values("billing")[:1]),
        has_one_off=Exists(_active_plans((Plan.Billing.ONE_OFF,))),
        has_monthly=Exists(_active_plans((Plan.Billing.MONTHLY,))),
        has_yearly=Exists(_active_plans((Plan.Billing.YEARLY,))),
        has_subscription=Exists(_active_plans().recurring()),
        avg_rating=Subquery(_published_reviews().values("service").annotate(a=Avg("rating")).values("a")[:1]),
        review_count=Coalesce(
            Subquery(_published_reviews().values("service").annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
        ),
    )


def _uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def _search(queryset: QuerySet, text: str) -> QuerySet:
    if _uses_postgres_search():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("name", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
            + SearchVector("category__name", weight="B", config=SEARCH_CONFIG)
            + SearchVector("description", weight="C", config=SEARCH_CONFIG)
        )
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query)
    # SQLite (the embedded run): every word must appear somewhere; a rough rank puts
    # matches in the name first, as the weights do on PostgreSQL.
    words = text.split()
    if not words:
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    per_word = [
        Q(name__icontains=w) | Q(summary__icontains=w) | Q(description__icontains=w) | Q(category__name__icontains=w)
        for w in words
    ]
    rank = Case(
        When(reduce(and_, [Q(name__icontains=w) for w in words]), then=Value(3)),
        When(reduce(and_, [Q(summary__icontains=w) for w in words]), then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return queryset.filter(reduce(and_, per_word)).annotate(rank=rank)


def resolve_sort(params: dict) -> str:
    """The sort that applies: the one asked for, else relevance when searching, else name."""
    text = (params.get("q") or "").strip()
    sort = params.get("sort") or (SORT_RELEVANCE if text else SORT_NAME)
    if sort == SORT_RELEVANCE and not text:
        sort = SORT_NAME
    return sort


def service_search(*, params: dict) -> QuerySet:
    """The catalogue: active services filtered and sorted by validated params (the
    cleaned_data of ServiceFilterForm: q, category, kind, min_price, max_price, sort),
    annotated for cards. Missing or empty params do not filter. A kind keeps the services
    with a plan of that kind and prices them (and the price filters) from its cheapest
    such plan, so "one-off" never shows a card priced per month. Reads only."""
    billings = KIND_BILLINGS.get(params.get("kind") or "")
    services = service_cards(billings=billings)
    if params.get("category"):
        services = services.filter(category=params["category"])
    if billings:
        services = services.filter(Exists(_active_plans(billings)))
    if params.get("min_price") is not None:
        services = services.filter(min_price__gte=params["min_price"])
    if params.get("max_price") is not None:
        services = services.filter(min_price__lte=params["max_price"])
    text = (params.get("q") or "").strip()
    if text:
        services = _search(services, text)
    ordering = {
        SORT_RELEVANCE: [F("rank").desc(), "name", "pk"],
        SORT_NAME: ["name", "pk"],
        SORT_PRICE_ASC: [F("min_price").asc(nulls_last=True), "name", "pk"],
        SORT_PRICE_DESC: [F("min_price").desc(nulls_last=True), "name", "pk"],
        SORT_NEWEST: ["-created_at", "-pk"],
    }[resolve_sort(params)]
    return services.order_by(*ordering)


def category_list_with_counts() -> QuerySet:
    """Active categories that have listed services, each with service_count."""
    return (
        Category.objects.filter(is_active=True)
        .annotate(service_count=Count("services", filter=Q(services__is_active=True)))
        .filter(service_count__gt=0)
    )


def featured_services(*, limit: int = 6) -> QuerySet:
    """Cards for the home page: the most reviewed services first."""
    return service_cards().order_by("-review_count", F("avg_rating").desc(nulls_last=True), "name")[:limit]


def service_detail_queryset() -> QuerySet:
    """Active services with their card annotations and active plans (in `active_plans`),
    ready for `get_object_or_404(..., slug=...)`."""
    plans = Plan.objects.filter(is_active=True).order_by("position", "price", "pk")
    return service_cards().prefetch_related(Prefetch("plans", queryset=plans, to_attr="active_plans"))


def service_reviews(*, service: Service, limit: int = REVIEWS_ON_PAGE) -> list[Review]:
    """The newest published reviews of a service, with their authors."""
    return list(Review.objects.published().filter(service=service).select_related("user")[:limit])


@dataclass(frozen=True)
class ReviewEligibility:
    can_review: bool
    reason: str = ""
    own_review: Review | None = None


NOT_SIGNED_IN = "Sign in to review this service."
NOT_A_CUSTOMER = "Only customers who bought this service can review it."
ALREADY_REVIEWED = "You have already reviewed this service."


def customer_has_bought(*, user, service: Service) -> bool:
    """Whether the customer has a paid (or later) order with a plan of this service."""
    return Order.objects.bought().filter(user=user, lines__plan__service=service).exists()


def review_eligibility(*, user, service: Service) -> ReviewEligibility:
    """May this user review this service now? If not, why (NOT_SIGNED_IN, ALREADY_REVIEWED,
    NOT_A_CUSTOMER); own_review is their review, whatever its status."""
    if user is None or not user.is_authenticated:
        return ReviewEligibility(can_review=False, reason=NOT_SIGNED_IN)
    own = Review.objects.filter(service=service, user=user).first()
    if own is not None:
        return ReviewEligibility(can_review=False, reason=ALREADY_REVIEWED, own_review=own)
    if not customer_has_bought(user=user, service=service):
        return ReviewEligibility(can_review=False, reason=NOT_A_CUSTOMER)
    return ReviewEligibility(can_review=True)


def saved_search_list(*, user) -> QuerySet:
    """The customer's saved searches, newest first."""
    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-pk")


MIXED_INTERVALS_MESSAGE = (
    "Monthly and yearly plans are billed on different cycles: check out one cycle at a time. "
    "Remove the monthly or the yearly plans from your cart, and buy the others afterwards."
)
ACCOUNT_NEEDED_MESSAGE = (
    "Monthly and yearly plans are managed from “My services” in your account, so they need one. "
    "Sign in or create an account to continue; one-off services can be bought as a guest."
)
EMPTY_CART_MESSAGE = "Your cart is empty."


def checkout_problems(*, items, user) -> list[tuple[str, str]]:
    """Why this cart cannot be checked out as it is: a list of (code, message), empty if it can.

    Codes: "empty", "mixed_intervals", "account_needed".
    """
    if not items:
        return [("empty", EMPTY_CART_MESSAGE)]
    problems = []
    intervals = {item.plan.billing for item in items if item.plan.is_recurring}
    if len(intervals) > 1:
        problems.append(("mixed_intervals", MIXED_INTERVALS_MESSAGE))
    if intervals and not (user is not None and user.is_authenticated):
        problems.append(("account_needed", ACCOUNT_NEEDED_MESSAGE))
    return problems


def order_list_for_user(*, user):
    """The customer's orders, newest first, with their lines (two queries per page)."""
    return (
        Order.objects.for_user(user)
        .only("number", "status", "total", "currency", "created_at", "mode", "user_id")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.only("order_id", "service_name", "plan_name")))
        .order_by("-created_at", "-pk")
    )


def order_for_page(*, number):
    """One order with its lines and timeline, or None."""
    return Order.objects.filter(number=number).prefetch_related("lines", "events", "subscriptions").first()


def order_for_user(*, user, number):
    """The signed-in customer's own order, or None (AC-01: never someone else's)."""
    if not (user and user.is_authenticated):
        return None
    return (
        Order.objects.filter(number=number, user=user)
        .prefetch_related("lines", "events", "subscriptions", "tax_documents")
        .first()
    )


def order_placed_from_cart(*, cart_key, user, guest_order_numbers=()):
    """The order a cart with this checkout key became, if it is the asker's: the signed-in
    customer's own, or a guest order placed in this browser session. None otherwise, so a
    posted key never reveals someone else's order (AC-01)."""
    if not cart_key:
        return None
    orders = Order.objects.filter(cart_key=cart_key)
    if user is not None and user.is_authenticated:
        return orders.filter(user=user).first()
    return orders.filter(user=None, number__in=list(guest_order_numbers)).first()


def subscription_list_for_user(*, user):
    """The customer's subscriptions with their invoices and VAT documents, live ones first (three queries)."""
    subscriptions = list(
        Subscription.objects.for_user(user)
        .select_related("order", "scheduled_plan")
        .prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("-created_at", "-pk")),
            "invoices__tax_documents",
        )
        .order_by("-created_at", "-pk")
    )
    live = [s for s in subscriptions if s.status != Subscription.Status.CANCELED]
    ended = [s for s in subscriptions if s.status == Subscription.Status.CANCELED]
    return live + ended


def subscription_for_user(*, user, pk):
    """The customer's own subscription, or None."""
    return Subscription.objects.for_user(user).select_related("order", "plan", "scheduled_plan").filter(pk=pk).first()


def subscriptions_sharing_billing(*, subscription):
    """Every plan billed by the same Stripe subscription (they end together)."""
    if not subscription.stripe_subscription_id:
        return [subscription]
    return list(
        Subscription.objects.filter(
            user_id=subscription.user_id, stripe_subscription_id=subscription.stripe_subscription_id
        ).order_by("pk")
    )


def checkout_initial_billing(*, user) -> dict:
    """Billing fields to prefill: the default billing address, else the profile."""
    if not (user and user.is_authenticated):
        return {}
    address = (
        Address.objects.filter(user=user, kind=Address.Kind.BILLING).order_by("-is_default", "-created_at").first()
    )
    if address:
        return {
            "billing_name": address.full_name,
            "billing_company": address.company,
            "billing_line1": address.line1,
            "billing_line2": address.line2,
            "billing_city": address.city,
            "billing_postcode": address.postcode,
            "billing_country": address.country,
        }
    initial = {"billing_name": user.full_name}
    profile = getattr(user, "profile", None)
    if profile is not None:
        initial.update(billing_company=profile.company, billing_city=profile.city, billing_country=profile.country)
    return initial


@dataclass(frozen=True)
class OrderCharges:
    """An order's money, line by line: what was charged once (a set-up fee, a one-off
    service), what was the first period of a plan, and what then renews."""

    one_off_lines: list
    plan_lines: list
    one_off_total: Decimal
    plans_total: Decimal
    monthly: Decimal
    yearly: Decimal

    @property
    def is_mixed(self) -> bool:
        """Whether one payment (the first invoice) held both kinds, so its total needs explaining."""
        return bool(self.one_off_lines and self.plan_lines)


def order_charges(*, order) -> OrderCharges:
    """Split an order's lines (prefetched `lines` used when there) into one-off and plan lines,
    with the sums of each and what renews each month and year. Reads only."""
    lines = sorted(order.lines.all(), key=lambda line: line.pk)
    zero = Decimal("0.00")
    one_off = [line for line in lines if line.billing == Plan.Billing.ONE_OFF]
    plans = [line for line in lines if line.billing != Plan.Billing.ONE_OFF]
    return OrderCharges(
        one_off_lines=one_off,
        plan_lines=plans,
        one_off_total=sum((line.line_total for line in one_off), zero),
        plans_total=sum((line.line_total for line in plans), zero),
        monthly=sum((line.line_total for line in plans if line.billing == Plan.Billing.MONTHLY), zero),
        yearly=sum((line.line_total for line in plans if line.billing == Plan.Billing.YEARLY), zero),
    )


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    net_sales: Decimal
    refunds: Decimal
    new_subscriptions: int
    ended_subscriptions: int


@dataclass(frozen=True)
class BusinessFigures:
    months: list[MonthFigures]  # oldest first
    monthly_recurring_revenue: Decimal  # net, from the subscriptions running now
    active_subscriptions: int


def business_figures(*, today, months: int = 12) -> BusinessFigures:
    """What staff run the business on, for the last ``months`` calendar months up to today's:
    net sales from the VAT invoices less credit notes, refunds paid, subscriptions started and
    ended; and the monthly recurring revenue (net) of the subscriptions running now, a yearly
    plan counting a twelfth. Five queries, whatever the number of orders."""
    from django.db.models.functions import TruncMonth

    from billing.selectors import sales_by_month

    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    starts.reverse()
    since = datetime.datetime.combine(starts[0], datetime.time.min, tzinfo=datetime.UTC)
    sales = sales_by_month(since=since)

    def per_month(field):
        rows = (
            Subscription.objects.filter(**{f"{field}__gte": since})
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("id"))
        )
        return {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): r["n"] for r in rows}

    started, ended = per_month("created_at"), per_month("canceled_at")
    running = Subscription.objects.filter(status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE])
    monthly_value = Sum(F("unit_price") * F("quantity"), filter=Q(billing=Plan.Billing.MONTHLY))
    yearly_value = Sum(F("unit_price") * F("quantity"), filter=Q(billing=Plan.Billing.YEARLY))
    totals = running.aggregate(monthly=monthly_value, yearly=yearly_value, count=Count("id"))
    mrr = (totals["monthly"] or Decimal("0")) + (totals["yearly"] or Decimal("0")) / 12
    return BusinessFigures(
        months=[
            MonthFigures(
                month=start,
                net_sales=sales.get(start, {}).get("net_sales", Decimal("0.00")),
                refunds=sales.get(start, {}).get("refunds", Decimal("0.00")),
                new_subscriptions=started.get(start, 0),
                ended_subscriptions=ended.get(start, 0),
            )
            for start in starts
        ],
        monthly_recurring_revenue=mrr.quantize(Decimal("0.01")),
        active_subscriptions=totals["count"],
    )
