from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop.models import Plan, Review
from tests.shop.factories import CategoryFactory, MonthlyPlanFactory, PlanFactory, ReviewFactory, ServiceFactory

pytestmark = pytest.mark.django_db

GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def test_service_page_shows_description_plans_and_add_to_cart_forms(client):
    # given
    service = ServiceFactory(name="Newsletter", slug="newsletter", description="We write it.\n\nWe send it.")
    PlanFactory(service=service, name="Single issue", price=Decimal("250.00"), features="One issue\nDesign")
    MonthlyPlanFactory(service=service, name="Every month", price=Decimal("99.00"))
    # when
    response = client.get("/services/newsletter/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>We write it.</p>" in html
    assert "Single issue" in html and "Every month" in html
    assert "£250.00 <small>one-off + VAT</small>" in html
    assert "£99.00 <small>/ month + VAT</small>" in html
    assert "<li>One issue</li>" in html
    assert html.count('action="/cart/add/"') == 2
    assert html.count('name="quantity"') == 2
    assert 'max="10"' in html
    assert "Billed monthly. Cancel any time." in html


def test_without_an_image_the_placeholder_visual_is_shown(client):
    ServiceFactory(slug="plain")

    html = client.get("/services/plain/").content.decode()

    assert 'class="service-visual service-hero-visual"><span aria-hidden="true">' in html
    assert "<img" not in html


def test_with_an_image_it_is_shown(client):
    service = ServiceFactory(slug="pictured")
    service.image = SimpleUploadedFile("p.gif", GIF, content_type="image/gif")
    service.save()

    html = client.get("/services/pictured/").content.decode()

    assert '<img src="/media/services/' in html


def test_inactive_service_is_404(client):
    ServiceFactory(slug="gone", is_active=False)

    assert client.get("/services/gone/").status_code == 404


def test_service_in_an_inactive_category_is_404(client):
    ServiceFactory(slug="gone", category=CategoryFactory(is_active=False))

    assert client.get("/services/gone/").status_code == 404


def test_unknown_service_is_404(client):
    assert client.get("/services/nothing-here/").status_code == 404


def test_inactive_plans_are_not_offered(client):
    service = ServiceFactory(slug="s")
    PlanFactory(service=service, name="Current")
    PlanFactory(service=service, name="Withdrawn", is_active=False)

    html = client.get("/services/s/").content.decode()

    assert "Current" in html
    assert "Withdrawn" not in html


def test_only_published_reviews_with_average_and_count(client):
    # given
    service = ServiceFactory(slug="s")
    ReviewFactory(service=service, rating=5, title="Loved it", user__full_name="Ada Lovelace")
    ReviewFactory(service=service, rating=3, title="Fine")
    ReviewFactory(service=service, rating=1, title="Not yet checked", status=Review.Status.PENDING)
    ReviewFactory(service=service, rating=1, title="Spam", status=Review.Status.REJECTED)
    # when
    html = client.get("/services/s/").content.decode()
    # then
    assert "Loved it" in html and "Fine" in html
    assert "Not yet checked" not in html and "Spam" not in html
    assert "4.0 out of 5" in html
    assert "from 2 reviews" in html
    assert "Ada ·" in html
    assert "Lovelace" not in html


@pytest.mark.parametrize(("plans", "reviews"), [(1, 1), (5, 12)])
def test_query_count_is_constant_in_plans_and_reviews(client, django_assert_num_queries, plans, reviews):
    # given
    service = ServiceFactory(slug="s")
    for n in range(plans):
        PlanFactory(service=service, name=f"Plan {n}", billing=Plan.Billing.MONTHLY)
    for _ in range(reviews):
        ReviewFactory(service=service)
    # when / then: service with annotations, its plans, its reviews with authors
    with django_assert_num_queries(3):
        response = client.get("/services/s/")
    assert len(response.context["plans"]) == plans


def test_a_fully_booked_plan_has_no_add_to_cart_form(client):
    service = ServiceFactory(slug="s")
    PlanFactory(service=service, stock=0)

    html = client.get("/services/s/").content.decode()

    assert "Fully booked" in html
    assert 'action="/cart/add/"' not in html


def test_only_the_newest_twenty_reviews_are_listed_and_the_page_says_so(client):
    service = ServiceFactory(slug="s")
    for n in range(22):
        ReviewFactory(service=service, title=f"Review number {n:02d}")

    response = client.get("/services/s/")

    html = response.content.decode()
    assert len(response.context["reviews"]) == 20
    assert "Showing the 20 newest of 22 reviews." in html
