import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import ConsultationRequest, Plan, Service
from tests.accounts.factories import StaffFactory, UserFactory
from tests.accounts.utils import staff_login
from tests.shop.factories import CategoryFactory, MonthlyPlanFactory, PlanFactory

CHANGELISTS = [
    "/admin/shop/category/",
    "/admin/shop/service/",
    "/admin/shop/plan/",
    "/admin/shop/consultationrequest/",
    "/admin/accounts/user/",
]
ADD_PAGES = [url + "add/" for url in CHANGELISTS]


def _consultation(n):
    return ConsultationRequest.objects.create(
        name=f"Person {n}", email=f"person{n}@example.com", company=f"Firm {n}", message="Please call me back soon."
    )


def _rows(n):
    """n rows of every model the admin lists (plus the staff user)."""
    for i in range(n):
        plan = PlanFactory()
        MonthlyPlanFactory(service=plan.service)
        _consultation(i)
        UserFactory()


@pytest.fixture
def staff_client(client):
    staff_login(client, StaffFactory(email="staff@example.com"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", CHANGELISTS + ADD_PAGES)
def test_staff_opens_every_changelist_and_add_page(staff_client, url):
    _rows(2)

    response = staff_client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", CHANGELISTS + ADD_PAGES)
def test_customer_is_sent_to_the_admin_login(client, url):
    staff_login(client, UserFactory())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


@pytest.mark.django_db
def test_admin_is_branded(staff_client):
    html = staff_client.get("/admin/").content.decode()

    assert "Kinetogram staff" in html
    assert "Shop administration" in html
    assert "css/staff-admin.css" in html
    assert "Django administration" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_query_count_is_constant_in_rows(staff_client, url, django_assert_max_num_queries):
    _rows(1)
    staff_client.get(url)  # warm caches (content types, sessions) so both runs count the same work
    with CaptureQueriesContext(connection) as one_row:
        assert staff_client.get(url).status_code == 200
    _rows(19)

    with django_assert_max_num_queries(len(one_row)):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 20


@pytest.mark.django_db
def test_changelists_stay_under_a_fixed_query_budget(staff_client, django_assert_max_num_queries):
    _rows(20)

    for url in CHANGELISTS:
        with django_assert_max_num_queries(15):
            assert staff_client.get(url).status_code == 200


@pytest.mark.django_db
def test_service_change_page_shows_the_plan_inline(staff_client):
    plan = MonthlyPlanFactory(name="Growth", stock=3)

    html = staff_client.get(f"/admin/shop/service/{plan.service.pk}/change/").content.decode()

    assert 'name="plans-0-billing"' in html
    assert 'name="plans-0-price"' in html
    assert 'name="plans-0-stock"' in html
    assert 'name="plans-0-is_active"' in html
    assert "Growth" in html


@pytest.mark.django_db
def test_staff_adds_a_service_with_two_plans(staff_client):
    category = CategoryFactory()

    response = staff_client.post(
        "/admin/shop/service/add/",
        {
            "category": category.pk,
            "name": "Launch kit",
            "slug": "launch-kit",
            "summary": "Everything for a launch.",
            "description": "Long text.",
            "is_active": "on",
            "plans-TOTAL_FORMS": "2",
            "plans-INITIAL_FORMS": "0",
            "plans-MIN_NUM_FORMS": "1",
            "plans-MAX_NUM_FORMS": "1000",
            "plans-0-name": "One-off",
            "plans-0-billing": "one_off",
            "plans-0-price": "450.00",
            "plans-0-position": "0",
            "plans-0-is_active": "on",
            "plans-1-name": "Monthly",
            "plans-1-billing": "month",
            "plans-1-price": "90.00",
            "plans-1-stock": "5",
            "plans-1-position": "1",
            "plans-1-is_active": "on",
        },
    )

    assert response.status_code == 302
    service = Service.objects.get(slug="launch-kit")
    assert sorted(service.plans.values_list("billing", "price", "stock")) == [
        ("month", 90, 5),
        ("one_off", 450, None),
    ]


@pytest.mark.django_db
def test_staff_cannot_save_a_negative_plan_price(staff_client):
    plan = PlanFactory(price=100)

    response = staff_client.post(
        f"/admin/shop/plan/{plan.pk}/change/",
        {"service": plan.service.pk, "name": "Standard", "billing": "one_off", "price": "-1", "position": 0},
    )

    assert response.status_code == 200
    assert "price" in response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.price == 100
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_p37_consultation_changelist_lists_requests_and_searches(staff_client):
    _consultation(1)
    _consultation(2)

    response = staff_client.get("/admin/shop/consultationrequest/?q=person2")

    assert response.status_code == 200
    assert [obj.email for obj in response.context["cl"].result_list] == ["person2@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [("mark_contacted", "contacted"), ("mark_closed", "closed")])
def test_p37_admin_actions_set_the_status_of_selected_requests_only(staff_client, action, status):
    chosen, other = _consultation(1), _consultation(2)

    response = staff_client.post(
        "/admin/shop/consultationrequest/", {"action": action, "_selected_action": [chosen.pk]}, follow=True
    )

    assert response.status_code == 200
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, other.status) == (status, "new")
    assert f"1 request(s) marked as {status}." in [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_p37_staff_cannot_rewrite_what_the_customer_sent(staff_client):
    request = _consultation(1)

    staff_client.post(
        f"/admin/shop/consultationrequest/{request.pk}/change/",
        {"status": "closed", "name": "Changed", "email": "x@example.com", "message": "Rewritten message here."},
    )

    request.refresh_from_db()
    assert (request.status, request.name, request.email) == ("closed", "Person 1", "person1@example.com")
    assert request.message == "Please call me back soon."
