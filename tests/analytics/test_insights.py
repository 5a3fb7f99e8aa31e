"""P01: staff see the most visited pages, their last visits and load times (median and 95th
percentile), and visits per day as a chart, in a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from analytics.selectors import insights
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.analytics.factories import PageViewFactory

pytestmark = pytest.mark.django_db

URL = "/admin/analytics/pageview/insights/"


@pytest.fixture
def staff_client(client):
    staff_login(client, StaffFactory(email="staff@example.com"))
    return client


def _views(path, durations, *, when=None):
    when = when or timezone.now() - datetime.timedelta(hours=1)
    for ms in durations:
        PageViewFactory(path=path, response_ms=ms, viewed_at=when)


def test_p01_most_visited_pages_first_with_last_visit_median_and_p95():
    now = timezone.now()
    _views("/services/", range(1, 101), when=now - datetime.timedelta(hours=2))
    PageViewFactory(path="/services/", response_ms=50, viewed_at=now - datetime.timedelta(minutes=5))
    _views("/", [30, 10, 20])
    _views("/privacy/", [7])

    figures = insights(days=7, now=now)

    assert [(p.path, p.visits) for p in figures["pages"]] == [("/services/", 101), ("/", 3), ("/privacy/", 1)]
    services, home, privacy = figures["pages"]
    # Nearest rank over 1..100 and 50: the 51st of 101 is 50, the 96th is 95.
    assert (services.median_ms, services.p95_ms) == (50, 95)
    assert services.last_visit == now - datetime.timedelta(minutes=5)
    assert (home.median_ms, home.p95_ms) == (20, 30)
    assert (privacy.median_ms, privacy.p95_ms) == (7, 7)


def test_p01_visits_per_day_cover_the_window_including_empty_days():
    now = timezone.now().replace(hour=12)
    PageViewFactory(viewed_at=now - datetime.timedelta(minutes=1))
    PageViewFactory(viewed_at=now - datetime.timedelta(hours=2))
    PageViewFactory(viewed_at=now - datetime.timedelta(days=2))
    PageViewFactory(viewed_at=now - datetime.timedelta(days=8))  # outside a 7-day window

    figures = insights(days=7, now=now)

    assert [n for _day, n in figures["daily"]] == [0, 0, 0, 0, 1, 0, 2]
    assert figures["total_visits"] == 3
    assert [c["h"] for c in figures["chart"]["columns"]][-1] == figures["chart"]["height"]


def test_p01_the_insights_take_four_queries_whatever_the_volume(django_assert_num_queries):
    _views("/", [5])
    with django_assert_num_queries(4):
        insights(days=30)
    for n in range(30):
        _views(f"/page-{n}/", [n, n + 1, n + 2], when=timezone.now() - datetime.timedelta(days=n % 20))

    with django_assert_num_queries(4):
        figures = insights(days=30)
    assert len(figures["pages"]) == 20


def test_p01_the_staff_page_shows_the_table_and_the_chart_in_constant_queries(
    staff_client, django_assert_max_num_queries
):
    _views("/services/seo-audit/", [120, 80, 100])
    staff_client.get(URL)
    with django_assert_max_num_queries(30) as few:
        staff_client.get(URL)
    for n in range(25):
        _views(f"/page-{n}/", [n + 1], when=timezone.now() - datetime.timedelta(days=n))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and html.count('class="kg-bar-visits"') == 30
    assert "/services/seo-audit/" in html and "100 ms" in html and "120 ms" in html


@pytest.mark.parametrize("days", ["7", "90", "abc", "-1", "100000"])
def test_p01_any_window_asked_for_answers_without_error(staff_client, days):
    response = staff_client.get(URL, {"days": days})

    assert response.status_code == 200
    assert response.context["days"] in (7, 30, 90)


def test_p01_customers_cannot_open_the_insights(client):
    staff_login(client, UserFactory())

    assert client.get(URL).status_code in (302, 403)


def test_p01_staff_cannot_add_edit_or_delete_page_views(staff_client):
    view = PageViewFactory()

    assert staff_client.get("/admin/analytics/pageview/").status_code == 200
    assert staff_client.get("/admin/analytics/pageview/add/").status_code == 403
    assert staff_client.post(f"/admin/analytics/pageview/{view.pk}/delete/", {"post": "yes"}).status_code == 403
