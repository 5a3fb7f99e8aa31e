from decimal import Decimal

import factory

from shop.models import Category, Order, OrderLine, Plan, Review, SavedSearch, Service, Subscription
from tests.accounts.factories import UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    summary = "A marketing service."
    description = "What the service includes, in detail."


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    service = factory.SubFactory(ServiceFactory)
    name = "Standard"
    billing = Plan.Billing.ONE_OFF
    price = Decimal("100.00")


class MonthlyPlanFactory(PlanFactory):
    name = "Monthly"
    billing = Plan.Billing.MONTHLY
    price = Decimal("49.00")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    service = factory.SubFactory(ServiceFactory)
    user = factory.SubFactory(UserFactory)
    rating = 5
    title = "Very good"
    body = "Clear, quick and useful."
    status = Review.Status.APPROVED


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(UserFactory)
    name = "Social plans"
    query = "q=social&kind=subscription"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "guest@example.com")
    total = Decimal("100.00")
    # A factory order is a zero-rated sale unless a test says otherwise: net is the total.
    net_total = factory.SelfAttribute("total")
    billing_name = "Ada Lovelace"
    billing_line1 = "1 Market Street"
    billing_city = "London"
    billing_postcode = "EC1A 1BB"
    billing_country = "GB"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    plan = factory.SubFactory(PlanFactory)
    service_name = factory.LazyAttribute(lambda line: line.plan.service.name)
    plan_name = factory.LazyAttribute(lambda line: line.plan.name)
    billing = factory.LazyAttribute(lambda line: line.plan.billing)
    unit_price = factory.LazyAttribute(lambda line: line.plan.price)
    quantity = 1
    line_total = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    order = factory.SubFactory(OrderFactory, user=factory.SelfAttribute("..user"), mode=Order.Mode.SUBSCRIPTION)
    plan = factory.SubFactory(MonthlyPlanFactory)
    service_name = factory.LazyAttribute(lambda s: s.plan.service.name)
    plan_name = factory.LazyAttribute(lambda s: s.plan.name)
    billing = factory.LazyAttribute(lambda s: s.plan.billing)
    unit_price = factory.LazyAttribute(lambda s: s.plan.price)
    status = Subscription.Status.ACTIVE
    stripe_subscription_id = factory.Sequence(lambda n: f"sub_test{n:06d}")
