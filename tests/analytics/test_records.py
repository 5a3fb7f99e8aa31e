"""P01: what a page view keeps, decided in the request: the IP truncated, the referrer's
domain only, no token from the URL, no crawler."""

import ipaddress

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from analytics import records


@given(st.ip_addresses(v=4))
def test_p01_ipv4_keeps_the_network_and_zeroes_the_last_octet(ip):
    truncated = ipaddress.ip_address(records.truncate_ip(str(ip)))

    assert truncated.packed[:3] == ip.packed[:3]
    assert truncated.packed[3] == 0
    assert ip in ipaddress.ip_network(f"{truncated}/24")


@given(st.ip_addresses(v=6).filter(lambda ip: ip.ipv4_mapped is None))
def test_p01_ipv6_keeps_the_first_48_bits_and_zeroes_the_last_80(ip):
    truncated = ipaddress.ip_address(records.truncate_ip(str(ip)))

    assert truncated.packed[:6] == ip.packed[:6]
    assert truncated.packed[6:] == bytes(10)


@given(st.ip_addresses(v=4))
def test_p01_an_ipv4_mapped_ipv6_address_is_truncated_as_ipv4(ip):
    assert records.truncate_ip(f"::ffff:{ip}") == records.truncate_ip(str(ip))


@pytest.mark.parametrize("value", ["", "unknown", "999.1.1.1", "1.2.3", None])
def test_p01_what_is_not_an_ip_address_is_stored_as_none(value):
    assert records.truncate_ip(value) is None


@pytest.mark.parametrize(
    ("referrer", "domain"),
    [
        ("https://www.Google.com/search?q=secret+words", "www.google.com"),
        ("http://partner.example:8080/path/to/page?id=7#x", "partner.example"),
        ("https://testserver/services/", ""),
        ("android-app://com.example/", ""),
        ("not a url", ""),
        ("", ""),
        ("http://[::1", ""),
    ],
)
def test_p01_only_the_referrers_domain_is_kept(referrer, domain):
    assert records.referrer_domain(referrer, "testserver") == domain


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "Wget/1.21",
        "facebookexternalhit/1.1",
        "",
    ],
)
def test_p01_crawlers_scripts_and_headless_browsers_are_not_visitors(agent):
    assert records.looks_like_bot(agent)


def test_p01_ua_parser_spiders_that_pass_the_quick_check_are_dropped_at_the_flush():
    agent = "Mozilla/5.0 (compatible; YandexAccessibilityBot/3.0; +http://yandex.com/bots)"
    assert records.browser_of(agent) is None
    agent = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
    assert records.browser_of(agent) is None


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
            "Safari/537.36",
            {"browser": "Chrome", "browser_version": "124", "device": "desktop"},
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.0 Mobile/15E148 Safari/604.1",
            {"browser": "Mobile Safari", "browser_version": "17", "device": "mobile"},
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
            "Mobile/15E148 Safari/604.1",
            {"browser": "Mobile Safari", "browser_version": "17", "device": "tablet"},
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
            "Safari/537.36",
            {"browser": "Chrome", "browser_version": "124", "device": "tablet"},
        ),
    ],
)
def test_p01_browser_family_major_version_and_device_class(agent, expected):
    assert records.browser_of(agent) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "path", "route"),
    [
        ("/services/?q=private+search", "/services/", "shop:service_list"),
        ("/privacy/request/verify/abc.secret-token/", "/privacy/request/verify/<token>/", "privacy:request_verify"),
    ],
)
def test_p01_the_page_is_stored_without_query_or_token(client, url, path, route):
    from django.urls import resolve

    request = RequestFactory().get(url)
    request.resolver_match = resolve(request.path)

    assert records.page_of(request) == (path, route)


def test_p01_a_record_the_flush_cannot_read_is_none():
    assert records.record_read("not json") is None
    assert records.record_read("[1, 2]") is None
