import io
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Address, Profile, User
from kinetogram.demo import demo_seed
from privacy.subjects import Subject
from shop.demo import DEFAULT_CUSTOMER_PASSWORD, DEFAULT_STAFF_EMAIL, demo_counts
from shop.models import (
    Cart,
    Category,
    ConsultationRequest,
    Invoice,
    Order,
    OrderLine,
    Plan,
    Review,
    SavedSearch,
    Service,
    Subscription,
)


@pytest.fixture
def seeded(db):
    return demo_seed(images=False)


def _customers():
    return User.objects.filter(is_staff=False)


def test_catalogue_has_categories_services_and_both_kinds_of_plan(seeded):
    assert Category.objects.count() >= 4
    assert set(Category.objects.values_list("name", flat=True)) >= {
        "Social media",
        "Email marketing",
        "Audits & strategy",
        "Content & ads",
    }
    assert Service.objects.count() >= 14
    assert Service.objects.filter(is_active=False).count() == 1
    assert Plan.objects.filter(billing=Plan.Billing.ONE_OFF).exists()
    assert Plan.objects.filter(billing=Plan.Billing.MONTHLY).exists()
    assert Plan.objects.filter(billing=Plan.Billing.YEARLY).exists()
    assert Plan.objects.filter(stock__isnull=False).count() >= 2
    assert not Plan.objects.filter(price=0).exists()


def test_every_service_has_one_to_three_plans_and_real_copy(seeded):
    for service in Service.objects.prefetch_related("plans"):
        assert 1 <= len(service.plans.all()) <= 3, service.slug
        assert len(service.summary) > 40
        assert service.description.count("\n\n") >= 1, service.slug


def test_yearly_plans_cost_ten_months_of_the_matching_monthly_plan(seeded):
    compared = 0
    for yearly in Plan.objects.filter(billing=Plan.Billing.YEARLY):
        monthly_prices = {p.price for p in Plan.objects.filter(service=yearly.service, billing=Plan.Billing.MONTHLY)}
        if monthly_prices:
            compared += 1
            assert yearly.price in {price * 10 for price in monthly_prices}, yearly
    assert compared >= 4


def test_staff_superuser_can_sign_in(seeded):
    staff = User.objects.get(email=DEFAULT_STAFF_EMAIL)

    assert (staff.is_staff, staff.is_superuser, staff.is_active) == (True, True, True)
    assert staff.check_password(seeded.staff_password)
    assert EmailAddress.objects.get(user=staff).verified
    assert seeded.staff_created is True


def test_customers_have_profile_addresses_orders_reviews_and_searches(seeded):
    customers = list(_customers())

    assert len(customers) >= 5
    for user in customers:
        assert user.check_password(DEFAULT_CUSTOMER_PASSWORD)
        assert EmailAddress.objects.get(user=user, email=user.email).verified
        profile = Profile.objects.get(user=user)
        assert all([profile.phone, profile.company, profile.city, profile.country])
        assert Address.objects.filter(user=user).count() == 2
        assert Address.objects.filter(user=user, kind="billing", is_default=True).count() == 1
        assert Address.objects.filter(user=user, kind="delivery", is_default=True).count() == 1
        assert Order.objects.filter(user=user).count() >= 1
        assert Review.objects.filter(user=user).count() >= 1
        assert SavedSearch.objects.filter(user=user).count() >= 1


def test_orders_cover_every_status(seeded):
    assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values)


def test_every_order_total_equals_the_sum_of_its_lines_less_its_promotion_discount(seeded):
    from shop.promotions import discounted_net

    discounted = 0
    for order in Order.objects.annotate(lines_total=Sum("lines__line_total")):
        redemption = getattr(order, "promotion_redemption", None)
        discount = redemption.discount if redemption else 0
        # Prices are ex VAT: the lines less any discount add up to the net, VAT comes on top.
        assert order.net_total == order.lines_total - discount, order.number
        assert order.net_total == discounted_net(order=order)
        assert order.total == order.net_total + order.vat_total, order.number
        discounted += redemption is not None
    assert discounted >= 5  # every demo customer used the launch code once
    for line in OrderLine.objects.select_related("plan"):
        assert line.line_total == line.unit_price * line.quantity
        assert line.unit_price == line.plan.price
        assert (line.service_name, line.plan_name, line.billing) == (
            line.plan.service.name,
            line.plan.name,
            line.plan.billing,
        )


def test_order_timelines_match_their_status_and_are_in_the_past(seeded):
    now = timezone.now()
    for order in Order.objects.prefetch_related("events"):
        events = list(order.events.all())
        assert events[0].status == Order.Status.PENDING
        assert events[-1].status == order.status
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert all(e.created_at <= now for e in events)
        assert (order.paid_at is not None) == any(e.status == Order.Status.PAID for e in events)
        for before, after in zip(events, events[1:], strict=False):
            assert after.status in Order.TRANSITIONS[Order.Status(before.status)], (order.number, before, after)


def test_orders_are_spread_over_eighteen_months(seeded):
    now = timezone.now()
    dates = list(Order.objects.values_list("created_at", flat=True))

    assert min(dates) >= now - timedelta(days=548)
    assert min(dates) <= now - timedelta(days=365)
    assert max(dates) >= now - timedelta(days=14)


def test_subscriptions_active_with_two_paid_invoices_and_one_past_due(seeded):
    now = timezone.now()
    active = Subscription.objects.filter(status=Subscription.Status.ACTIVE)

    assert active.exists()
    for subscription in active:
        assert subscription.current_period_end > now
        assert subscription.invoices.filter(status=Invoice.Status.PAID).count() == 2
        assert subscription.order.status == Order.Status.ACTIVE
        assert subscription.order.mode == Order.Mode.SUBSCRIPTION
    past_due = Subscription.objects.get(status=Subscription.Status.PAST_DUE)
    assert past_due.invoices.filter(status=Invoice.Status.FAILED).count() == 1


def test_reviews_only_on_services_the_customer_bought(seeded):
    assert Review.objects.filter(status=Review.Status.APPROVED).exists()
    assert Review.objects.filter(status=Review.Status.PENDING).exists()
    for review in Review.objects.all():
        assert OrderLine.objects.filter(
            order__user=review.user,
            plan__service=review.service,
            order__status__in=["paid", "in_progress", "delivered", "active", "refunded"],
        ).exists()


def test_consultation_request_and_cart_exist(seeded):
    assert ConsultationRequest.objects.count() >= 1
    assert Cart.objects.filter(lines__isnull=False).exists()


def test_running_twice_creates_and_changes_nothing(db):
    demo_seed(images=False)
    counts = demo_counts()
    orders = dict(Order.objects.values_list("number", "total"))
    events = list(Order.objects.values_list("number", "events__created_at").order_by("number", "events__id"))

    second = demo_seed(images=False)

    assert demo_counts() == counts
    assert dict(Order.objects.values_list("number", "total")) == orders
    assert list(Order.objects.values_list("number", "events__created_at").order_by("number", "events__id")) == events
    assert second.staff_created is False
    assert second.staff_password is None
    assert second.customers_created == 0


def test_staff_password_is_reset_only_when_given(db):
    first = demo_seed(images=False)
    demo_seed(images=False)
    staff = User.objects.get(email=DEFAULT_STAFF_EMAIL)
    assert staff.check_password(first.staff_password)

    demo_seed(images=False, staff_password="Fresh-harbour-88")

    staff.refresh_from_db()
    assert staff.check_password("Fresh-harbour-88")
    assert User.objects.filter(is_staff=True).count() == 1


def test_generated_staff_password_is_strong_and_different_each_time(db):
    from shop.demo import strong_password

    passwords = {strong_password() for _ in range(20)}

    assert len(passwords) == 20
    assert all(len(p) >= 20 and any(c.isdigit() for c in p) and any(c.isalpha() for c in p) for p in passwords)


def test_command_prints_staff_password_once_and_summary(db, monkeypatch):
    for name in ["DEMO_STAFF_EMAIL", "DEMO_STAFF_PASSWORD", "DEMO_CUSTOMER_PASSWORD"]:
        monkeypatch.delenv(name, raising=False)
    first, second = io.StringIO(), io.StringIO()

    call_command("seed_demo", "--no-images", stdout=first)
    call_command("seed_demo", "--no-images", stdout=second)

    staff = User.objects.get(email=DEFAULT_STAFF_EMAIL)
    printed = [line for line in first.getvalue().splitlines() if "Staff password:" in line][0]
    password = printed.split("Staff password:")[1].strip()
    assert staff.check_password(password)
    assert password not in second.getvalue()
    assert "printed when the account was created" in second.getvalue()
    for text in ["/admin/", "/consultation/", DEFAULT_STAFF_EMAIL, "amelia@example.com", DEFAULT_CUSTOMER_PASSWORD]:
        assert text in first.getvalue()


def test_command_reads_accounts_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_STAFF_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", "Harbour-lights-61")
    monkeypatch.setenv("DEMO_CUSTOMER_PASSWORD", "Demo-customers-77")
    out = io.StringIO()

    call_command("seed_demo", "--no-images", stdout=out)

    assert User.objects.get(email="boss@example.com").check_password("Harbour-lights-61")
    assert User.objects.get(email="amelia@example.com").check_password("Demo-customers-77")
    assert "Harbour-lights-61" not in out.getvalue()
    assert "Demo-customers-77" not in out.getvalue()


def test_service_pictures_are_drawn_once_into_the_default_storage(db):
    demo_seed()
    with_image = {s.slug: s.image.name for s in Service.objects.exclude(image="")}

    demo_seed()

    assert len(with_image) >= 3
    assert {s.slug: s.image.name for s in Service.objects.exclude(image="")} == with_image
    service = Service.objects.get(slug="marketing-audit")
    with service.image.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_amounts_are_decimals_with_two_places(seeded):
    for total in Order.objects.values_list("total", flat=True):
        assert total == total.quantize(Decimal("0.01"))


def test_every_declared_model_has_rows_for_every_demo_customer(seeded):
    """Export, erasure and retention can be tried on demo data for every declared model."""
    from privacy.registry import site

    customers = list(_customers())
    assert len(customers) >= 5
    for declaration in site.declarations():
        model = declaration.model
        if not declaration.holds_personal_data():
            continue
        if declaration.subject or declaration.subject_email:
            missing = [c.email for c in customers if not Subject.of(user=c).rows(declaration).exists()]
            if model._meta.label == "marketing.UndeliverableAddress":
                # A hard bounce stops all mail to an address: the demo keeps every address deliverable.
                assert missing == [c.email for c in customers], declaration.label
                continue
            if model._meta.label == "mfa.Authenticator":
                # Two-factor changes how a customer signs in, so one demo customer has it.
                assert len(missing) == len(customers) - 1, declaration.label
                continue
            if model._meta.label == "admin.LogEntry":
                # The change log belongs to the staff member who acted; it names each customer's order.
                assert model.objects.count() >= len(customers)
                continue
            assert missing == [], f"{declaration.label} has no demo rows for {missing}"
        else:
            assert model._default_manager.count() >= len(customers), declaration.label


def test_p23_the_demo_shows_a_row_held_past_retention_for_the_restricted_customer(seeded):
    from privacy.selectors.retention import held_past_retention

    rows = held_past_retention()

    assert [(person.who, person.counts) for person in rows] == [("chloe@example.com", {"shop.SavedSearch": 1})]


def test_p36_the_shop_sells_recurring_plans_and_one_off_services(seeded, client):
    subscriptions = client.get("/services/", {"kind": "subscription"})
    one_offs = client.get("/services/", {"kind": "one_off"})

    assert (subscriptions.status_code, one_offs.status_code) == (200, 200)
    recurring = {p.service.name for p in Plan.objects.filter(service__is_active=True).exclude(billing="one_off")}
    single = {p.service.name for p in Plan.objects.filter(service__is_active=True, billing="one_off")}
    assert recurring and single
    assert "/ month" in subscriptions.content.decode() or "/ year" in subscriptions.content.decode()
    assert any(name in subscriptions.content.decode() for name in recurring)
    assert any(name in one_offs.content.decode() for name in single)
    assert Subscription.objects.filter(status=Subscription.Status.ACTIVE).exists()
