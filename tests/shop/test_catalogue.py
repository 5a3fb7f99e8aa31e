from decimal import Decimal

import pytest
from django.urls import reverse

from tests.shop.factories import (
    CategoryFactory,
    MonthlyPlanFactory,
    PlanFactory,
    ReviewFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

URL = "/services/"


def make_services(count, **kwargs):
    services = []
    for n in range(count):
        service = ServiceFactory(name=f"Service {n:02d}", **kwargs)
        PlanFactory(service=service, price=Decimal("300.00"))
        MonthlyPlanFactory(service=service, price=Decimal("49.00"))
        ReviewFactory(service=service, rating=4)
        services.append(service)
    return services


def test_url_name_is_agreed():
    assert reverse("shop:service_list") == URL


def test_card_shows_category_name_summary_cheapest_price_with_billing_and_rating(client):
    # given
    service = ServiceFactory(
        name="Social starter", summary="Three posts a week.", category=CategoryFactory(name="Social media")
    )
    PlanFactory(service=service, price=Decimal("300.00"))
    MonthlyPlanFactory(service=service, price=Decimal("49.00"))
    ReviewFactory(service=service, rating=5)
    ReviewFactory(service=service, rating=4)
    # when
    response = client.get(URL)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Social starter" in html
    assert "Three posts a week." in html
    assert '<span class="pill">Social media</span>' in html
    assert 'from <strong>£49</strong> <span class="small">/ month + VAT</span>' in html
    assert 'aria-label="Rated 4.5 out of 5 from 2 reviews"' in html


def test_inactive_services_are_not_listed(client):
    ServiceFactory(name="Visible one")
    ServiceFactory(name="Retired one", is_active=False)

    html = client.get(URL).content.decode()

    assert "Visible one" in html
    assert "Retired one" not in html


def test_twelve_services_per_page_and_page_links_keep_the_filters(client):
    # given
    make_services(14, summary="Monthly newsletters.")
    # when
    first = client.get(URL, {"q": "newsletters", "kind": "subscription"})
    second = client.get(URL, {"q": "newsletters", "kind": "subscription", "page": 2})
    # then
    assert len(first.context["services"]) == 12
    assert len(second.context["services"]) == 2
    assert 'href="?q=newsletters&amp;kind=subscription&amp;page=2"' in first.content.decode()
    assert 'href="?q=newsletters&amp;kind=subscription&amp;page=1"' in second.content.decode()


def test_a_page_beyond_the_last_shows_the_last_page_and_says_so(client):
    make_services(13)

    response = client.get(URL, {"page": 999})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert "There is no page 999 for this search, so here is the last page (2)." in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_price": "abc"}, "Enter a price in pounds, such as 50 or 49.99."),
        ({"max_price": "NaN"}, "Enter a price in pounds, such as 50 or 49.99."),
        ({"min_price": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"page": "abc"}, "The page number must be a whole number."),
        ({"page": "0"}, "The page number must be 1 or more."),
        ({"kind": "free"}, "Choose one-off, subscription, monthly or yearly."),
        ({"sort": "price; drop table"}, "Choose one of the listed ways to sort."),
        ({"category": "no-such-category"}, "That category does not exist."),
        ({"min_price": "100", "max_price": "10"}, "The maximum price must not be below the minimum price."),
        ({"min_price": "1e999999"}, "Ensure that there are no more than 10 digits in total."),
        ({"q": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_invalid_params_give_a_400_with_a_clear_message_and_still_list_services(client, params, message):
    # given
    PlanFactory(service=ServiceFactory(name="Still listed"), price=Decimal("150.00"))
    # when
    response = client.get(URL, params)
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Some filters could not be used" in html
    assert "Still listed" in html


def test_a_nul_character_in_the_search_is_refused_before_the_catalogue_runs(client):
    # The project-wide guard (kinetogram.middleware) answers before the filter form sees it.
    response = client.get(URL, {"q": "news\x00letter"})

    assert response.status_code == 400
    assert "Error 400" in response.content.decode()
    assert "services" not in (response.context or {})


def test_invalid_param_is_dropped_but_valid_ones_still_filter(client):
    MonthlyPlanFactory(service=ServiceFactory(name="Monthly one"))
    PlanFactory(service=ServiceFactory(name="One-off one"))

    response = client.get(URL, {"kind": "subscription", "min_price": "abc"})

    assert response.status_code == 400
    assert [s.name for s in response.context["services"]] == ["Monthly one"]
    assert response.context["query_string"] == "kind=subscription"


def test_a_huge_page_number_shows_the_last_page(client):
    make_services(2)

    response = client.get(URL, {"page": "9" * 30})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_no_results_shows_a_helpful_empty_state(client):
    ServiceFactory(name="Audit")

    response = client.get(URL, {"q": "zzzz"})

    assert response.status_code == 200
    assert "No services match these filters." in response.content.decode()


def test_filters_are_kept_in_the_form(client):
    category = CategoryFactory(name="Email", slug="email")
    ServiceFactory(category=category)

    html = client.get(
        URL, {"q": "news", "category": "email", "kind": "subscription", "sort": "-price"}
    ).content.decode()

    assert 'value="news"' in html
    assert '<option value="email" selected>Email</option>' in html
    assert '<option value="subscription" selected>Subscription (monthly or yearly)</option>' in html
    assert '<option value="-price" selected>Price: high to low</option>' in html


@pytest.mark.parametrize("count", [1, 20])
def test_query_count_is_the_same_for_1_and_20_services(client, django_assert_num_queries, count):
    # given: each service has two plans and a review; the page holds up to 12 cards
    make_services(count)
    # when / then: count + page of cards + category choices
    with django_assert_num_queries(3):
        response = client.get(URL, {"kind": "subscription", "sort": "price"})
    assert len(response.context["services"]) == min(count, 12)


@pytest.mark.parametrize("count", [1, 20])
def test_query_count_with_a_category_and_search_is_the_same_for_1_and_20(client, django_assert_num_queries, count):
    category = CategoryFactory(name="Email", slug="email")
    make_services(count, category=category, description="Monthly newsletter writing.")

    # category lookup + count + page + category choices
    with django_assert_num_queries(4):
        response = client.get(URL, {"category": "email", "q": "newsletter"})
    assert response.context["page_obj"].paginator.count == count


def test_signed_in_customer_sees_the_save_search_form_only_when_filtered(customer_client):
    ServiceFactory()

    assert "Save this search" not in customer_client.get(URL).content.decode()
    html = customer_client.get(URL, {"q": "social"}).content.decode()
    assert "Save this search" in html
    assert 'name="query" value="q=social"' in html


def test_anonymous_visitor_is_invited_to_sign_in_to_save(client):
    html = client.get(URL, {"q": "social"}).content.decode()

    assert "to save this search." in html
    assert "/accounts/login/?next=" in html


def test_post_is_not_allowed_on_the_catalogue(client):
    assert client.post(URL).status_code == 405


def test_home_lists_categories_with_counts_and_featured_cards(client, django_assert_max_num_queries):
    # given
    category = CategoryFactory(name="Email marketing", slug="email")
    for n in range(3):
        MonthlyPlanFactory(service=ServiceFactory(name=f"Mail {n}", category=category))
    # when
    with django_assert_max_num_queries(2):
        response = client.get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/services/?category=email"' in html
    assert "3 services" in html
    assert html.count('class="card service-card catalogue-card"') == 3
    assert 'href="/consultation/"' in html
    assert "Cancel any time" in html
