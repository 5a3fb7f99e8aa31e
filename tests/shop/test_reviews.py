import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.models import Order, Review
from shop.services import review_create, review_moderate
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import OrderFactory, OrderLineFactory, PlanFactory, ReviewFactory, ServiceFactory

pytestmark = pytest.mark.django_db

REVIEW = {"rating": "4", "title": "Clear reports", "body": "They did what they said, on time."}


@pytest.fixture
def service():
    return ServiceFactory(name="SEO audit", slug="seo-audit")


def buy(user, service, status=Order.Status.PAID):
    return OrderLineFactory(order=OrderFactory(user=user, status=status), plan=PlanFactory(service=service))


@pytest.mark.parametrize("status", ["paid", "in_progress", "delivered", "active"])
def test_p02_customer_who_bought_sees_the_review_form(customer_client, customer, service, status):
    buy(customer, service, status=status)

    html = customer_client.get("/services/seo-audit/").content.decode()

    assert 'action="/services/seo-audit/review/"' in html
    assert 'name="rating"' in html and 'name="title"' in html and 'name="body"' in html


@pytest.mark.parametrize("status", ["pending", "cancelled", "refunded"])
def test_p02_an_unpaid_cancelled_or_refunded_order_does_not_make_a_customer_eligible(
    customer_client, customer, service, status
):
    buy(customer, service, status=status)

    html = customer_client.get("/services/seo-audit/").content.decode()

    assert 'action="/services/seo-audit/review/"' not in html
    assert "Only customers who bought this service can review it" in html


def test_p02_customer_who_did_not_buy_is_told_why(customer_client, customer, service):
    buy(customer, ServiceFactory())  # another service

    html = customer_client.get("/services/seo-audit/").content.decode()

    assert 'action="/services/seo-audit/review/"' not in html
    assert "Only customers who bought this service can review it." in html


def test_p02_anonymous_visitor_is_asked_to_sign_in(client, service):
    html = client.get("/services/seo-audit/").content.decode()

    assert "to review it." in html
    assert 'action="/services/seo-audit/review/"' not in html


def test_p02_review_is_saved_pending_and_the_author_sees_awaiting_moderation(customer_client, customer, service):
    # given
    buy(customer, service)
    # when
    response = customer_client.post("/services/seo-audit/review/", REVIEW, follow=True)
    # then
    review = Review.objects.get()
    assert (review.user, review.service, review.rating, review.title, review.status) == (
        customer,
        service,
        4,
        "Clear reports",
        Review.Status.PENDING,
    )
    html = response.content.decode()
    assert response.redirect_chain == [("/services/seo-audit/#reviews", 302)]
    assert "It will appear here once our team has checked it." in html
    assert "awaiting moderation" in html
    assert 'action="/services/seo-audit/review/"' not in html
    assert "They did what they said" not in html  # not published yet


def test_p02_pending_review_is_not_shown_to_others(client, customer, service):
    ReviewFactory(service=service, user=customer, status=Review.Status.PENDING, title="Secret so far")

    html = client.get("/services/seo-audit/").content.decode()

    assert "Secret so far" not in html


def test_p02_ineligible_post_is_refused_with_403_and_nothing_written(customer_client, service):
    response = customer_client.post("/services/seo-audit/review/", REVIEW)

    assert response.status_code == 403
    assert "Only customers who bought this service can review it." in response.content.decode()
    assert Review.objects.count() == 0


def test_p02_second_review_is_refused_with_403(customer_client, customer, service):
    buy(customer, service)
    ReviewFactory(service=service, user=customer, title="First")

    response = customer_client.post("/services/seo-audit/review/", REVIEW)

    assert response.status_code == 403
    assert "You have already reviewed this service." in response.content.decode()
    assert list(Review.objects.values_list("title", flat=True)) == ["First"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rating", "6", "Choose a rating from 1 to 5."),
        ("rating", "0", "Choose a rating from 1 to 5."),
        ("rating", "abc", "Choose a rating from 1 to 5."),
        ("title", "", "This field is required."),
        ("body", "x" * 4001, "Ensure this value has at most 4000 characters"),
    ],
)
def test_p02_invalid_review_shows_inline_errors_with_400(customer_client, customer, service, field, value, message):
    buy(customer, service)

    response = customer_client.post("/services/seo-audit/review/", {**REVIEW, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Review.objects.count() == 0


def test_p02_anonymous_post_goes_to_sign_in_and_writes_nothing(client, service):
    response = client.post("/services/seo-audit/review/", REVIEW)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Review.objects.count() == 0


def test_review_form_is_post_only(customer_client, service):
    assert customer_client.get("/services/seo-audit/review/").status_code == 405


def test_review_of_an_inactive_service_is_404(customer_client, customer):
    service = ServiceFactory(slug="retired", is_active=False)
    buy(customer, service)

    assert customer_client.post("/services/retired/review/", REVIEW).status_code == 404
    assert Review.objects.count() == 0


def test_p02_review_create_service_refuses_ineligible_and_duplicate(service):
    # given
    buyer, stranger = UserFactory(), UserFactory()
    buy(buyer, service)
    # when / then
    with pytest.raises(ValidationError, match="Only customers who bought this service can review it."):
        review_create(user=stranger, service=service, rating=5, title="t", body="b")
    review = review_create(user=buyer, service=service, rating=5, title="Great", body="Yes.")
    assert review.status == Review.Status.PENDING
    with pytest.raises(ValidationError, match="You have already reviewed this service."):
        review_create(user=buyer, service=service, rating=4, title="Again", body="b")
    assert Review.objects.count() == 1


def test_review_create_refuses_a_rating_out_of_range(customer, service):
    buy(customer, service)

    with pytest.raises(ValidationError):
        review_create(user=customer, service=service, rating=7, title="t", body="b")
    assert Review.objects.count() == 0


def test_review_moderate_records_who_and_when(service):
    staff = StaffFactory()
    review = ReviewFactory(service=service, status=Review.Status.PENDING)
    before = timezone.now()

    review_moderate(review=review, status=Review.Status.APPROVED, moderator=staff)

    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert review.moderated_by == staff
    assert review.moderated_at >= before


def test_review_moderate_refuses_an_unknown_status(service):
    review = ReviewFactory(service=service, status=Review.Status.PENDING)

    with pytest.raises(ValidationError):
        review_moderate(review=review, status="published!", moderator=StaffFactory())
    review.refresh_from_db()
    assert (review.status, review.moderated_at) == (Review.Status.PENDING, None)


def test_p02_approved_review_appears_on_the_service_page(client, service):
    review = ReviewFactory(service=service, status=Review.Status.PENDING, title="Worth it")
    review_moderate(review=review, status=Review.Status.APPROVED, moderator=StaffFactory())

    assert "Worth it" in client.get("/services/seo-audit/").content.decode()


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve_reviews", Review.Status.APPROVED, "Published 2 reviews."),
        ("reject_reviews", Review.Status.REJECTED, "Rejected 2 reviews."),
    ],
)
def test_admin_actions_moderate_the_selected_reviews(client, service, action, status, message):
    # given
    staff = StaffFactory()
    staff_login(client, staff)
    chosen = [ReviewFactory(service=service, status=Review.Status.PENDING) for _ in range(2)]
    untouched = ReviewFactory(service=service, status=Review.Status.PENDING)
    # when
    response = client.post(
        "/admin/shop/review/",
        {"action": action, "_selected_action": [r.pk for r in chosen]},
        follow=True,
    )
    # then
    assert message in response.content.decode()
    for review in chosen:
        review.refresh_from_db()
        assert (review.status, review.moderated_by) == (status, staff)
    untouched.refresh_from_db()
    assert untouched.status == Review.Status.PENDING


def test_admin_lists_reviews_filtered_by_status(client, service):
    staff_login(client, StaffFactory())
    ReviewFactory(service=service, status=Review.Status.PENDING, title="Waiting one")
    ReviewFactory(service=service, status=Review.Status.APPROVED, title="Published one")

    html = client.get("/admin/shop/review/", {"status__exact": "pending"}).content.decode()

    assert "Waiting one" in html
    assert "Published one" not in html


def test_admin_review_list_query_count_is_constant(client, service):
    # given
    staff_login(client, StaffFactory())
    ReviewFactory(service=service)
    client.get("/admin/shop/review/")
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/shop/review/")
    for _ in range(15):
        ReviewFactory(service=ServiceFactory())
    # when
    with CaptureQueriesContext(connection) as sixteen:
        response = client.get("/admin/shop/review/")
    # then
    assert response.status_code == 200
    assert len(one) == len(sixteen)


def test_p02_two_reviews_posted_at_once_leave_one_and_a_clear_message(customer, service, monkeypatch):
    # given: both requests passed the eligibility check before either saved
    from shop import services
    from shop.selectors import ReviewEligibility

    monkeypatch.setattr(services, "review_eligibility", lambda **kwargs: ReviewEligibility(can_review=True))
    review_create(user=customer, service=service, rating=5, title="First", body="b")
    # when / then: the database constraint turns the second into a ValidationError, not a 500
    with pytest.raises(ValidationError, match="You have already reviewed this service."):
        review_create(user=customer, service=service, rating=4, title="Second", body="b")
    assert list(Review.objects.values_list("title", flat=True)) == ["First"]


def test_admin_changing_the_status_on_the_form_records_the_moderator(client, service):
    # given
    staff = StaffFactory()
    staff_login(client, staff)
    review = ReviewFactory(service=service, status=Review.Status.PENDING)
    # when
    response = client.post(f"/admin/shop/review/{review.pk}/change/", {"status": Review.Status.APPROVED})
    # then
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (Review.Status.APPROVED, staff)
    assert review.moderated_at is not None


def test_admin_cannot_add_reviews(client):
    staff_login(client, StaffFactory())

    assert client.get("/admin/shop/review/add/").status_code == 403
