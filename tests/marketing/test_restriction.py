"""Marketing's tags and affiliate link ask the restriction check (P23, PR-07), besides the
visitor's cookie choice (P07, P29)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy.services import restriction_end
from tests.accounts.factories import UserFactory
from tests.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/privacy/cookies/choice/", {"choice": "accept"})
    return user


def tags(response):
    html = response.content.decode()
    return {tag for tag in ("analytics", "advertising") if f'data-tag="{tag}"' in html}


def test_pr07_every_tag_runs_for_a_customer_who_allows_it_and_is_not_restricted(client, customer):
    response = client.get("/?aff=partner-7")

    assert tags(response) == {"analytics", "advertising"}
    assert response.cookies["kg_aff"].value == "partner-7"


@pytest.mark.parametrize(
    ("scope", "left"),
    [("marketing", {"analytics"}), ("analytics", {"advertising"}), ("profiling", {"analytics", "advertising"})],
)
def test_pr07_a_restriction_stops_the_tags_it_covers(client, customer, scope, left):
    RestrictionFactory(user=customer, scope=scope)

    assert tags(client.get("/")) == left


def test_pr07_a_restriction_of_all_use_stops_every_tag_and_the_affiliate_cookie(client, customer):
    RestrictionFactory(user=customer, scope="all")

    response = client.get("/?aff=partner-7")

    assert tags(response) == set()
    assert "kg_aff" not in response.cookies


def test_pr07_a_marketing_restriction_stops_the_affiliate_cookie(client, customer):
    RestrictionFactory(user=customer, scope="marketing")

    assert "kg_aff" not in client.get("/?aff=partner-7").cookies


def test_pr07_a_restriction_by_email_covers_the_signed_in_account(client, customer):
    RestrictionFactory(email=customer.email.upper(), scope="all")

    assert tags(client.get("/")) == set()


def test_pr07_the_tags_return_when_the_restriction_ends(client, customer):
    restriction = RestrictionFactory(user=customer, scope="all", starts_at=timezone.now())
    restriction_end(restriction=restriction)

    assert tags(client.get("/")) == {"analytics", "advertising"}


def _restriction_queries(client, url):
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    return [q for q in page.captured_queries if "privacy_restriction" in q["sql"]]


def test_pr07_the_restriction_is_read_once_per_page(client, customer):
    client.get("/")
    RestrictionFactory(user=customer, scope="profiling")

    # Two tags and the affiliate link ask; one query answers them all. (The catalogue: the
    # home page's tailored offers ask the privacy hub a question of their own, P06.)
    assert len(_restriction_queries(client, "/services/?aff=partner-7")) == 1


def test_pr07_a_visitor_who_allows_nothing_costs_no_restriction_query(client):
    client.force_login(UserFactory())

    assert _restriction_queries(client, "/services/?aff=partner-7") == []
