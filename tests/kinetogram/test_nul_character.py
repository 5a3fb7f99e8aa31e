"""A NUL character (%00) in any path or query value is a 400, never a 500, on every route
and admin changelist filter, on PostgreSQL as on SQLite."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

NUL = "%00"
QUERY = f"q={NUL}&page={NUL}&status={NUL}&next={NUL}&o={NUL}"


def _sample(pattern) -> str:
    """A path for one URL pattern with NUL in place of every parameter."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<[^>]+>", NUL, text)
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\([^()]*\)[?*+]?", NUL, text)
    return text.strip("^$").replace("\\", "")


def _paths(patterns, prefix=""):
    for pattern in patterns:
        path = prefix + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _paths(pattern.url_patterns, path)
        else:
            yield "/" + path


def _filter_parameters(model_admin):
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, tuple):
            yield entry[0]
        else:
            yield entry.parameter_name
    yield "status"


@pytest.fixture
def staff_client():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_nul_in_every_route_path_or_query_is_a_400(staff_client):
    paths = sorted(set(_paths(get_resolver().url_patterns)))
    statuses = {}
    for path in paths:
        with_nul = path if NUL in path else path + NUL
        statuses[with_nul] = staff_client.get(with_nul).status_code
        statuses[f"{path}?{QUERY}"] = staff_client.get(f"{path}?{QUERY}").status_code

    assert len(paths) > 100
    assert sorted(url for url, status in statuses.items() if status >= 500) == []
    assert set(statuses.values()) == {400}


def test_nul_in_every_admin_changelist_filter_is_a_400(staff_client):
    statuses = {}
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for parameter in {*_filter_parameters(model_admin), "q", "o", "p"}:
            for name in (parameter, f"{parameter}__exact"):
                url = f"{changelist}?{name}={NUL}"
                statuses[url] = staff_client.get(url).status_code

    assert len(statuses) > 100
    assert sorted(url for url, status in statuses.items() if status >= 500) == []
    assert set(statuses.values()) == {400}


def test_the_named_routes_that_failed_answer_400_with_the_error_page(staff_client, settings):
    settings.SHOP_PAYMENT_GATEWAY = "demo"
    for url in ("/orders/%00/", "/checkout/%00/demo/", "/admin/shop/order/?status=%00", "/services/?q=a%00b"):
        response = staff_client.get(url)
        assert response.status_code == 400, url
        assert "Error 400" in response.text
        assert "object-src 'none'" in response["Content-Security-Policy"]


def test_urls_without_nul_are_untouched(client):
    assert client.get("/services/?q=%2500").status_code == 200
    assert client.get("/services/?q=audit").status_code == 200
