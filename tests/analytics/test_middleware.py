"""P01, P23, FE-05: each page view is recorded, in a buffer, never in the request's
database work; crawlers are not; the person only with analytics consent and no restriction."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import PageView
from analytics.services import page_views_flush
from tests.accounts.factories import UserFactory
from tests.privacy.factories import RestrictionFactory

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def buffered(buffer):
    return [json.loads(raw) for raw in list(buffer._memory)]


def test_fe05_a_page_view_writes_nothing_to_the_database_in_the_request(browser_client, empty_buffer):
    for url in ("/", "/services/", "/privacy/"):
        with CaptureQueriesContext(connection) as page:
            assert browser_client.get(url).status_code == 200
        assert [q["sql"] for q in page.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)] == []

    assert [record[1] for record in buffered(empty_buffer)] == ["/", "/services/", "/privacy/"]
    assert PageView.objects.count() == 0


def test_p01_a_page_view_is_stored_by_the_flush_with_what_the_policy_names(browser_client):
    browser_client.get("/services/?q=newsletter", HTTP_REFERER="https://www.example.org/blog/post?id=1")

    page_views_flush()

    view = PageView.objects.get()
    assert (view.path, view.route, view.status_code) == ("/services/", "shop:service_list", 200)
    assert (view.browser, view.browser_version, view.device) == ("Firefox", "126", "desktop")
    assert view.referrer_domain == "www.example.org"
    assert view.ip_prefix == "127.0.0.0"
    assert view.response_ms >= 0
    assert view.user is None


def test_p01_the_ip_is_truncated_before_it_reaches_the_buffer(browser_client, empty_buffer):
    browser_client.get("/", REMOTE_ADDR="198.51.100.77")
    browser_client.get("/", REMOTE_ADDR="2001:db8:85a3:8d3:1319:8a2e:370:7348")

    assert [record[7] for record in buffered(empty_buffer)] == ["198.51.100.0", "2001:db8:85a3::"]
    assert "198.51.100.77" not in str(list(empty_buffer._memory))


def test_in06_a_forged_forwarded_for_header_is_not_the_recorded_address(browser_client, empty_buffer):
    browser_client.get("/", REMOTE_ADDR="198.51.100.77", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert buffered(empty_buffer)[0][7] == "198.51.100.0"


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "curl/8.5.0",
        "",
    ],
)
def test_p01_crawlers_and_scripts_are_not_counted(client, empty_buffer, agent):
    client.get("/", HTTP_USER_AGENT=agent)

    assert empty_buffer.memory_size() == 0


def test_p01_only_successful_html_pages_are_counted(browser_client, empty_buffer):
    browser_client.get("/no-such-page/")
    browser_client.post("/privacy/cookies/choice/", {"choice": "reject"})
    browser_client.get("/admin/")
    browser_client.get("/healthz")
    browser_client.get("/cart/add/1/")

    assert empty_buffer.memory_size() == 0


def _signed_in(client, *, choice=None):
    user = UserFactory()
    client.force_login(user)
    if choice:
        client.post("/privacy/cookies/choice/", {"choice": choice})
    return user


def _linked_user(client):
    client.get("/services/")
    page_views_flush()
    return PageView.objects.get().user_id


def test_p01_a_signed_in_customer_without_analytics_consent_is_counted_without_being_named(browser_client):
    _signed_in(browser_client, choice="reject")

    assert _linked_user(browser_client) is None


def test_p01_a_customer_who_never_chose_is_not_named(browser_client):
    _signed_in(browser_client)

    assert _linked_user(browser_client) is None


def test_p01_a_customer_who_allows_analytics_is_linked_to_their_views(browser_client):
    user = _signed_in(browser_client, choice="accept")

    assert _linked_user(browser_client) == user.pk


def test_p01_global_privacy_control_does_not_refuse_first_party_analytics(browser_client):
    user = _signed_in(browser_client, choice="accept")
    browser_client.defaults["HTTP_SEC_GPC"] = "1"

    assert _linked_user(browser_client) == user.pk


@pytest.mark.parametrize("scope", ["analytics", "all"])
def test_p23_a_restricted_customer_is_never_linked_even_with_consent(browser_client, scope):
    user = _signed_in(browser_client, choice="accept")
    RestrictionFactory(user=user, scope=scope)

    assert _linked_user(browser_client) is None


def test_p23_a_restriction_of_marketing_only_leaves_analytics_alone(browser_client):
    user = _signed_in(browser_client, choice="accept")
    RestrictionFactory(user=user, scope="marketing")

    assert _linked_user(browser_client) == user.pk
