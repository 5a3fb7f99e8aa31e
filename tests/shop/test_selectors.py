from decimal import Decimal

import pytest
from django.db import connection

from shop.models import Plan, Review
from shop.selectors import (
    ALREADY_REVIEWED,
    NOT_A_CUSTOMER,
    NOT_SIGNED_IN,
    category_list_with_counts,
    review_eligibility,
    service_cards,
    service_search,
)
from tests.shop.factories import (
    CategoryFactory,
    MonthlyPlanFactory,
    OrderFactory,
    OrderLineFactory,
    PlanFactory,
    ReviewFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def names(queryset):
    return [service.name for service in queryset]


def test_search_lists_only_active_services_in_active_categories():
    # given
    ServiceFactory(name="Listed")
    ServiceFactory(name="Hidden", is_active=False)
    ServiceFactory(name="In a hidden category", category=CategoryFactory(is_active=False))
    # when
    result = service_search(params={})
    # then
    assert names(result) == ["Listed"]


def test_cards_annotate_cheapest_active_plan_with_its_billing():
    # given
    service = ServiceFactory()
    PlanFactory(service=service, price=Decimal("300.00"))
    MonthlyPlanFactory(service=service, price=Decimal("49.00"))
    PlanFactory(service=service, price=Decimal("5.00"), is_active=False)
    # when
    card = service_cards().get(pk=service.pk)
    # then
    assert card.min_price == Decimal("49.00")
    assert card.min_price_billing == Plan.Billing.MONTHLY
    assert card.has_subscription is True


def test_cards_count_and_average_only_published_reviews():
    # given
    service = ServiceFactory()
    ReviewFactory(service=service, rating=5)
    ReviewFactory(service=service, rating=4)
    ReviewFactory(service=service, rating=1, status=Review.Status.PENDING)
    ReviewFactory(service=service, rating=1, status=Review.Status.REJECTED)
    # when
    card = service_cards().get(pk=service.pk)
    # then
    assert card.review_count == 2
    assert card.avg_rating == pytest.approx(4.5)


def test_cards_of_a_service_without_reviews_or_plans():
    service = ServiceFactory()

    card = service_cards().get(pk=service.pk)

    assert card.review_count == 0
    assert card.avg_rating is None
    assert card.min_price is None
    assert card.has_subscription is False


def test_filter_by_category():
    social = CategoryFactory(name="Social media", slug="social-media")
    ServiceFactory(name="Posts", category=social)
    ServiceFactory(name="Audit")

    assert names(service_search(params={"category": social})) == ["Posts"]


def test_filter_subscription_needs_an_active_recurring_plan():
    # given
    MonthlyPlanFactory(service=ServiceFactory(name="Monthly posts"))
    PlanFactory(service=ServiceFactory(name="Yearly audit"), billing=Plan.Billing.YEARLY)
    PlanFactory(service=ServiceFactory(name="One-off logo"))
    MonthlyPlanFactory(service=ServiceFactory(name="Retired monthly"), is_active=False)
    # when
    subscriptions = service_search(params={"kind": "subscription"})
    one_off = service_search(params={"kind": "one_off"})
    # then
    assert names(subscriptions) == ["Monthly posts", "Yearly audit"]
    assert names(one_off) == ["One-off logo"]


def test_price_range_applies_to_the_cheapest_active_plan():
    # given
    cheap = ServiceFactory(name="Cheap")
    PlanFactory(service=cheap, price=Decimal("20.00"))
    PlanFactory(service=cheap, price=Decimal("500.00"))
    middle = ServiceFactory(name="Middle")
    PlanFactory(service=middle, price=Decimal("100.00"))
    PlanFactory(service=middle, price=Decimal("1.00"), is_active=False)
    PlanFactory(service=ServiceFactory(name="Dear"), price=Decimal("900.00"))
    # when
    result = service_search(params={"min_price": Decimal("50"), "max_price": Decimal("100")})
    # then
    assert names(result) == ["Middle"]
    assert names(service_search(params={"max_price": Decimal("20.00")})) == ["Cheap"]


def test_sort_by_price_both_ways_puts_services_without_plans_last():
    for name, price in [("B", "30.00"), ("A", "10.00"), ("C", "20.00")]:
        PlanFactory(service=ServiceFactory(name=name), price=Decimal(price))
    ServiceFactory(name="No plans")

    assert names(service_search(params={"sort": "price"})) == ["A", "C", "B", "No plans"]
    assert names(service_search(params={"sort": "-price"})) == ["B", "C", "A", "No plans"]


def test_sort_newest_and_by_name():
    first = ServiceFactory(name="Zebra")
    second = ServiceFactory(name="Apple")

    assert [s.pk for s in service_search(params={"sort": "newest"})] == [second.pk, first.pk]
    assert names(service_search(params={"sort": "name"})) == ["Apple", "Zebra"]


def test_search_finds_a_word_in_the_description():
    # given
    ServiceFactory(name="Inbox", summary="Monthly emails.", description="We write your newsletters every month.")
    ServiceFactory(name="Audit", summary="A check-up.", description="We review your website.")
    # when
    result = service_search(params={"q": "newsletters"})
    # then
    assert names(result) == ["Inbox"]


def test_search_matches_the_category_name():
    ServiceFactory(name="Posts", category=CategoryFactory(name="Influencer outreach", slug="influencer"))
    ServiceFactory(name="Audit")

    assert names(service_search(params={"q": "influencer"})) == ["Posts"]


def test_search_needs_every_word():
    ServiceFactory(name="Email newsletter", description="Monthly campaigns.")
    ServiceFactory(name="Email audit", description="One check.")

    assert names(service_search(params={"q": "email campaigns"})) == ["Email newsletter"]


def test_relevance_ranks_a_match_in_the_name_above_one_in_the_description():
    # given
    ServiceFactory(name="Aardvark studio", summary="Design.", description="Logos and a newsletter template.")
    ServiceFactory(name="Newsletter service", summary="Emails.", description="Writing and sending.")
    # when
    result = service_search(params={"q": "newsletter"})
    # then
    assert names(result) == ["Newsletter service", "Aardvark studio"]


def test_relevance_without_search_text_falls_back_to_name():
    ServiceFactory(name="Beta")
    ServiceFactory(name="Alpha")

    assert names(service_search(params={"sort": "relevance"})) == ["Alpha", "Beta"]


def test_category_counts_only_active_services_and_skip_empty_categories():
    social = CategoryFactory(name="Social", slug="social")
    ServiceFactory(category=social)
    ServiceFactory(category=social)
    ServiceFactory(category=social, is_active=False)
    CategoryFactory(name="Empty", slug="empty")

    assert [(c.name, c.service_count) for c in category_list_with_counts()] == [("Social", 2)]


def test_review_eligibility_reasons(customer):
    # given
    service = ServiceFactory()
    from django.contrib.auth.models import AnonymousUser

    # then
    assert review_eligibility(user=AnonymousUser(), service=service).reason == NOT_SIGNED_IN
    assert review_eligibility(user=customer, service=service).reason == NOT_A_CUSTOMER
    OrderLineFactory(order=OrderFactory(user=customer, status="paid"), plan=PlanFactory(service=service))
    assert review_eligibility(user=customer, service=service).can_review is True
    own = ReviewFactory(service=service, user=customer, status=Review.Status.PENDING)
    eligibility = review_eligibility(user=customer, service=service)
    assert (eligibility.can_review, eligibility.reason, eligibility.own_review) == (False, ALREADY_REVIEWED, own)


only_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL")


@only_postgresql
def test_postgresql_search_understands_websearch_syntax_and_stems_words():
    # given
    ServiceFactory(name="Inbox", description="We write your newsletters and landing pages.")
    ServiceFactory(name="Template", description="A newsletter template, delivered once.")
    # then: stemming, exclusion and phrases work as a search box user expects
    assert names(service_search(params={"q": "newsletter"})) == ["Inbox", "Template"]
    assert names(service_search(params={"q": "newsletter -template"})) == ["Inbox"]
    assert names(service_search(params={"q": '"landing pages"'})) == ["Inbox"]
    assert names(service_search(params={"q": "newsletter OR nothing"})) == ["Inbox", "Template"]


@only_postgresql
def test_postgresql_rank_weights_the_name_above_the_summary_above_the_description():
    ServiceFactory(name="Alpha", summary="Plain.", description="Growth plans.")
    ServiceFactory(name="Beta", summary="Growth for shops.", description="Plain.")
    ServiceFactory(name="Growth", summary="Plain.", description="Plain.")

    assert names(service_search(params={"q": "growth"})) == ["Growth", "Beta", "Alpha"]


def test_search_text_with_only_punctuation_or_sql_is_harmless():
    ServiceFactory(name="Audit")

    assert names(service_search(params={"q": "'; DROP TABLE shop_service; --"})) == []
    assert names(service_search(params={"q": "%"})) == []
