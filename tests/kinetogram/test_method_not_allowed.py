"""A POST-only address opened in the browser explains itself instead of a blank 405."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "back"),
    [
        ("/cart/add/", "/cart/"),
        ("/cart/remove/", "/cart/"),
        ("/cart/update/", "/cart/"),
        ("/privacy/cookies/choice/", "/privacy/cookies/"),
        ("/webhooks/stripe/", "/"),
    ],
)
def test_get_on_a_post_only_url_shows_a_405_page_with_a_way_back(client, url, back):
    response = client.get(url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "This address only works from a button" in html
    assert "nothing has changed" in html
    assert f'<a class="btn btn-primary" href="{back}">Go back</a>' in html
    assert 'class="site-header"' in html
    assert "Content-Security-Policy" in response.headers


def test_405_page_for_signed_in_only_post_urls(client):
    from tests.accounts.factories import AddressFactory

    address = AddressFactory()
    client.force_login(address.user)

    for url, back in [
        (f"/account/addresses/{address.pk}/default/", "/account/addresses/"),
        ("/account/your-data/object/", "/account/your-data/"),
        ("/account/your-data/download/", "/account/your-data/"),
        ("/account/saved-searches/new/", "/account/saved-searches/"),
    ]:
        response = client.get(url)
        assert response.status_code == 405, url
        assert f'href="{back}">Go back</a>' in response.content.decode(), url


def test_405_page_links_back_to_the_page_the_customer_came_from(client):
    response = client.get("/cart/add/", HTTP_REFERER="http://testserver/services/newsletter/?x=1")

    assert response.status_code == 405
    assert 'href="/services/newsletter/?x=1">Go back</a>' in response.content.decode()


def test_405_page_never_links_back_to_another_site(client):
    response = client.get("/cart/add/", HTTP_REFERER="https://evil.example/phish/")

    assert 'href="/cart/">Go back</a>' in response.content.decode()
    assert "evil.example" not in response.content.decode()


def test_a_405_that_has_a_body_is_left_alone(rf):
    from django.http import HttpResponseNotAllowed

    from kinetogram.middleware import MethodNotAllowedPageMiddleware

    original = HttpResponseNotAllowed(["POST"], content=b'{"error": "POST only"}', content_type="application/json")
    response = MethodNotAllowedPageMiddleware(lambda request: original)(rf.get("/api/"))

    assert response is original
