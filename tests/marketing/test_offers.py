"""P06: tailored offers from purchases and, with analytics consent, browsing; only for
customers who have not objected to profiling and are not restricted; each says why."""

import pytest
from django.utils import timezone

from analytics.models import PageView
from marketing.selectors import offers_for
from privacy.services import objection_record, objection_withdraw
from shop.models import Order
from tests.accounts.factories import UserFactory
from tests.analytics.factories import PageViewFactory
from tests.privacy.factories import RestrictionFactory
from tests.shop.factories import CategoryFactory, OrderLineFactory, PlanFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    social, email = CategoryFactory(name="Social media"), CategoryFactory(name="Email")
    return {
        "starter": ServiceFactory(category=social, name="Social starter", slug="social-starter"),
        "growth": ServiceFactory(category=social, name="Social growth", slug="social-growth"),
        "ads": ServiceFactory(category=social, name="Social ads", slug="social-ads"),
        "newsletter": ServiceFactory(category=email, name="Newsletter", slug="newsletter"),
        "automation": ServiceFactory(category=email, name="Email automation", slug="email-automation"),
        "hidden": ServiceFactory(category=email, name="Retired service", slug="retired", is_active=False),
    }


def bought(user, service, status=Order.Status.PAID):
    line = OrderLineFactory(order__user=user, order__status=status, plan=PlanFactory(service=service))
    return line.order


def viewed(user, service):
    PageViewFactory(user=user, path=f"/services/{service.slug}/", route="shop:service_detail")


def offered(user, *, browsing=True):
    return [(offer.service.slug, offer.reason) for offer in offers_for(user=user, browsing_allowed=browsing)]


@pytest.fixture
def customer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_p06_other_services_in_the_categories_bought_not_the_one_owned(customer, catalogue):
    bought(customer, catalogue["starter"])

    assert offered(customer) == [
        ("social-ads", "Because you bought Social starter"),
        ("social-growth", "Because you bought Social starter"),
    ]


def test_p06_unpaid_orders_are_not_purchases(customer, catalogue):
    bought(customer, catalogue["starter"], status=Order.Status.PENDING)

    assert offered(customer) == []


def test_p06_browsing_counts_only_with_analytics_consent(customer, catalogue):
    viewed(customer, catalogue["newsletter"])

    assert offered(customer, browsing=False) == []
    assert offered(customer, browsing=True) == [("email-automation", "Because you viewed Newsletter")]


def test_p06_purchases_and_browsing_share_the_places_each_with_its_reason(customer, catalogue):
    bought(customer, catalogue["starter"])
    viewed(customer, catalogue["newsletter"])
    viewed(customer, catalogue["growth"])

    assert offered(customer) == [
        ("social-ads", "Because you bought Social starter"),
        ("email-automation", "Because you viewed Newsletter"),
    ]


@pytest.mark.parametrize("scope", ["profiling", "all"])
def test_p23_no_offers_for_a_restricted_customer(customer, catalogue, scope):
    bought(customer, catalogue["starter"])
    RestrictionFactory(user=customer, scope=scope)

    assert offered(customer) == []


def test_p06_no_offers_for_visitors():
    from django.contrib.auth.models import AnonymousUser

    assert offers_for(user=AnonymousUser(), browsing_allowed=True) == []


def test_p06_objecting_stops_the_offers_on_the_next_page_and_withdrawing_brings_them_back(client, customer, catalogue):
    bought(customer, catalogue["starter"])
    assert b"Because you bought Social starter" in client.get("/").content

    objection_record(user=customer, source="account")

    for url in ("/", "/account/"):
        html = client.get(url).content.decode()
        assert "Recommended for you" not in html
        assert "Because you bought" not in html
    objection_withdraw(user=customer, source="account")
    assert b"Because you bought Social starter" in client.get("/account/").content


def test_p06_the_home_page_shows_browsing_offers_only_after_analytics_consent(client, customer, catalogue):
    viewed(customer, catalogue["newsletter"])
    assert b"Because you viewed" not in client.get("/").content

    client.post("/privacy/cookies/choice/", {"choice": "accept"})

    html = client.get("/").content.decode()
    assert "Recommended for you" in html
    assert "Because you viewed Newsletter" in html
    assert 'href="/services/email-automation/"' in html


def _offer_queries(customer, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        offers_for(user=customer, browsing_allowed=True)


def test_p06_the_offers_take_a_fixed_number_of_queries_whatever_the_history(
    customer, catalogue, django_assert_num_queries
):
    bought(customer, catalogue["starter"])
    viewed(customer, catalogue["newsletter"])
    # suppression, restriction, objection; purchases; viewed pages, their services; the offers.
    _offer_queries(customer, django_assert_num_queries, 7)

    for _n in range(15):
        service = ServiceFactory(category=catalogue["starter"].category)
        bought(customer, service)
        viewed(customer, ServiceFactory(category=CategoryFactory()))
    PageView.objects.bulk_create(
        PageView(
            user=customer,
            path=f"/services/x-{n}/",
            route="shop:service_detail",
            status_code=200,
            response_ms=1,
            viewed_at=timezone.now(),
        )
        for n in range(40)
    )

    _offer_queries(customer, django_assert_num_queries, 7)
    # The viewed services are alone in their categories: the social ones are what is left.
    assert {slug for slug, _reason in offered(customer)} == {"social-ads", "social-growth"}


def test_p06_a_large_category_does_not_crowd_out_the_others(customer, catalogue):
    for n in range(10):
        ServiceFactory(category=catalogue["starter"].category, name=f"A social extra {n}")
    bought(customer, catalogue["starter"])
    bought(customer, catalogue["newsletter"])

    offers = offered(customer)

    assert len(offers) == 4
    assert ("email-automation", "Because you bought Newsletter") in offers
