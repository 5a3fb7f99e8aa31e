import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import SavedSearch
from shop.services import SAVED_SEARCH_LIMIT
from tests.accounts.factories import UserFactory
from tests.shop.factories import CategoryFactory, SavedSearchFactory, ServiceFactory

pytestmark = pytest.mark.django_db

CREATE = "/account/saved-searches/new/"
LIST = "/account/saved-searches/"


def test_p03_save_this_search_stores_the_normalised_query(customer_client, customer):
    # given
    CategoryFactory(name="Email", slug="email")
    posted = "sort=-price&q=+news+&kind=subscription&category=email&page=3&min_price=10.5&utm_source=x"
    # when
    response = customer_client.post(CREATE, {"name": "Email deals", "query": posted})
    # then
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name) == (customer, "Email deals")
    assert saved.query == "q=news&category=email&kind=subscription&min_price=10.5&sort=-price"
    assert response.status_code == 302
    assert response["Location"] == "/services/?" + saved.query


def test_p03_invalid_parts_of_the_query_are_dropped(customer_client):
    customer_client.post(CREATE, {"name": "Mixed", "query": "q=seo&min_price=abc&kind=free"})

    assert SavedSearch.objects.get().query == "q=seo"


def test_p03_an_empty_search_is_not_saved(customer_client):
    response = customer_client.post(CREATE, {"name": "Nothing", "query": "page=2"})

    assert response.status_code == 400
    assert "Search or choose a filter before saving the search." in response.content.decode()
    assert SavedSearch.objects.count() == 0


def test_p03_a_name_is_required(customer_client):
    ServiceFactory(name="Still listed", summary="social posts")

    response = customer_client.post(CREATE, {"name": "", "query": "q=social"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Still listed" in html  # the search is shown again, so nothing is lost
    assert SavedSearch.objects.count() == 0


def test_p03_limit_of_50_saved_searches_with_a_clear_message(customer_client, customer):
    SavedSearchFactory.create_batch(SAVED_SEARCH_LIMIT, user=customer)

    response = customer_client.post(CREATE, {"name": "One too many", "query": "q=seo"})

    assert response.status_code == 400
    assert "You can keep up to 50 saved searches. Delete one to save another." in response.content.decode()
    assert SavedSearch.objects.filter(user=customer).count() == SAVED_SEARCH_LIMIT


def test_p02_saved_searches_page_lists_mine_with_links_that_rerun_them(customer_client, customer):
    # given
    mine = SavedSearchFactory(user=customer, name="Social plans", query="q=social&kind=subscription")
    SavedSearchFactory(name="Someone else's", query="q=seo")
    # when
    response = customer_client.get(LIST)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/services/?q=social&amp;kind=subscription"' in html
    assert "Search “social” · Subscriptions" in html
    assert f'action="/account/saved-searches/{mine.pk}/delete/"' in html
    assert "Someone else" not in html


def test_saved_searches_page_query_count_is_constant(customer_client, customer):
    # given: the first request of a session records it (allauth usersessions), so warm up
    SavedSearchFactory(user=customer)
    customer_client.get(LIST)
    # when
    with CaptureQueriesContext(connection) as one:
        customer_client.get(LIST)
    SavedSearchFactory.create_batch(20, user=customer)
    with CaptureQueriesContext(connection) as twenty_one:
        response = customer_client.get(LIST)
    # then
    assert len(response.context["saved_searches"]) == 21
    assert len(one) == len(twenty_one) <= 10


def test_saved_searches_page_empty_state(customer_client):
    assert "You have no saved searches." in customer_client.get(LIST).content.decode()


def test_p02_delete_my_saved_search(customer_client, customer):
    saved = SavedSearchFactory(user=customer, name="Old")

    response = customer_client.post(f"/account/saved-searches/{saved.pk}/delete/", follow=True)

    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    assert "Deleted the saved search “Old”." in response.content.decode()


def test_ac01_another_customers_saved_search_cannot_be_deleted(customer_client):
    other = SavedSearchFactory(user=UserFactory())

    response = customer_client.post(f"/account/saved-searches/{other.pk}/delete/")

    assert response.status_code == 404
    assert SavedSearch.objects.filter(pk=other.pk).exists()


def test_fe05_delete_by_get_is_refused_and_deletes_nothing(customer_client, customer):
    saved = SavedSearchFactory(user=customer)

    assert customer_client.get(f"/account/saved-searches/{saved.pk}/delete/").status_code == 405
    assert customer_client.get(CREATE, {"name": "x", "query": "q=y"}).status_code == 405
    assert SavedSearch.objects.count() == 1


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(LIST)["Location"].startswith("/accounts/login/")
    response = client.post(CREATE, {"name": "x", "query": "q=y"})
    assert response["Location"].startswith("/accounts/login/")
    assert SavedSearch.objects.count() == 0
