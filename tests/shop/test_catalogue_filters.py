"""One set of catalogue filters: each offered once, each validated, unknown ones named."""

import importlib
from decimal import Decimal

import pytest

from shop.models import Plan, SavedSearch
from tests.shop.factories import MonthlyPlanFactory, PlanFactory, SavedSearchFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = "/services/"


@pytest.fixture
def catalogue():
    ads = ServiceFactory(name="Google Ads management")
    PlanFactory(service=ads, name="Account set-up", price=Decimal("400.00"))
    MonthlyPlanFactory(service=ads, name="Management", price=Decimal("350.00"))
    newsletter = ServiceFactory(name="Newsletter")
    MonthlyPlanFactory(service=newsletter, name="Fortnightly", price=Decimal("240.00"))
    PlanFactory(service=newsletter, name="Yearly", billing=Plan.Billing.YEARLY, price=Decimal("2400.00"))
    audit = ServiceFactory(name="SEO audit")
    PlanFactory(service=audit, name="Standard", price=Decimal("190.00"))
    return ads, newsletter, audit


def card(html, name):
    return next(part for part in html.split("<article")[1:] if f">{name}</a></h3>" in part)


def names(response):
    return [service.name for service in response.context["services"]]


def test_best_match_is_offered_once_and_relevance_is_gone(client, catalogue):
    html = client.get(URL).content.decode()

    assert html.count("Best match") == 1
    assert ">Relevance<" not in html


def test_an_old_sort_relevance_link_is_read_as_best_match(client, catalogue):
    response = client.get(URL, {"q": "newsletter", "sort": "relevance"})

    assert response.status_code == 200
    assert names(response) == ["Newsletter"]
    assert response.context["query_string"] == "q=newsletter"


@pytest.mark.parametrize(
    ("kind", "listed"),
    [
        ("one_off", ["Google Ads management", "SEO audit"]),
        ("subscription", ["Google Ads management", "Newsletter"]),
        ("month", ["Google Ads management", "Newsletter"]),
        ("year", ["Newsletter"]),
    ],
)
def test_each_kind_lists_the_services_with_such_a_plan(client, catalogue, kind, listed):
    response = client.get(URL, {"kind": kind})

    assert response.status_code == 200
    assert names(response) == listed


def test_one_off_cards_are_tagged_one_off_and_priced_from_the_one_off_plan(client, catalogue):
    response = client.get(URL, {"kind": "one_off"})

    html = response.content.decode()
    ads_card = card(html, "Google Ads management")
    assert '<span class="pill pill-muted">One-off</span>' in ads_card
    assert '<span class="pill pill-ok">Monthly</span>' in ads_card  # it sells both kinds
    assert "from <strong>£400</strong>" in ads_card
    ads = response.context["services"][0]
    assert (ads.min_price, ads.min_price_billing) == (Decimal("400.00"), "one_off")


def test_a_card_is_tagged_with_every_kind_of_plan_it_sells(client, catalogue):
    html = client.get(URL).content.decode()

    newsletter = card(html, "Newsletter")
    assert '<span class="pill pill-ok">Monthly</span>' in newsletter
    assert '<span class="pill pill-ok">Yearly</span>' in newsletter
    assert "One-off</span>" not in newsletter


def test_an_unknown_filter_name_is_named_in_a_clear_message_not_ignored(client, catalogue):
    response = client.get(URL, {"billing": "month"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Some filters could not be used" in html
    assert (
        "“billing” is not a filter of ours, so it was not used. "
        "The filters are: Search, Category, Kind, Min price, Max price, Sort by." in html
    )
    assert len(names(response)) == 3


def test_campaign_tags_and_the_page_pass_without_a_message(client, catalogue):
    response = client.get(URL, {"utm_source": "newsletter", "aff": "partner1", "page": "1", "kind": "year"})

    assert response.status_code == 200
    assert "not a filter" not in response.content.decode()
    assert names(response) == ["Newsletter"]


def test_p03_a_saved_search_keeps_only_what_the_catalogue_accepts(customer_client):
    customer_client.post(
        "/account/saved-searches/new/",
        {"name": "Monthly ads", "query": "q=ads&billing=month&kind=month&sort=relevance"},
    )

    assert SavedSearch.objects.get().query == "q=ads&kind=month"


def test_p03_searches_saved_with_the_old_names_are_rewritten_to_the_catalogue_names(customer):
    migration = importlib.import_module("shop.migrations.0008_saved_search_filter_names")
    from django.apps import apps

    old = SavedSearchFactory(user=customer, query="q=social&billing=month")
    sorted_ = SavedSearchFactory(user=customer, query="sort=relevance&category=email&billing=one_off")
    untouched = SavedSearchFactory(user=customer, query="q=linkedin")

    migration.forwards(apps, None)

    old.refresh_from_db()
    sorted_.refresh_from_db()
    untouched.refresh_from_db()
    assert old.query == "q=social&kind=month"
    assert sorted_.query == "category=email&kind=one_off"
    assert untouched.query == "q=linkedin"
