import datetime

import factory
from django.utils import timezone

from privacy import models


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PolicyVersion
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: f"2026.{n + 1:02d}")
    effective_date = factory.LazyFunction(lambda: timezone.localdate())
    summary = "Clearer wording about cookies."
    is_material = False


class RestrictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Restriction

    scope = models.Restriction.Scope.MARKETING
    reason = "The customer contests the accuracy of their data."
    review_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ProcessorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Processor

    name = factory.Sequence(lambda n: f"Provider {n} Ltd")
    kind = models.Processor.Kind.IT
    categories = factory.LazyFunction(lambda: ["identity", "contact"])
    purpose = "Hosting the shop's servers and database."
    location = "United Kingdom"
    contract_date = datetime.date(2024, 3, 1)


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Disclosure

    recipient = "HM Revenue & Customs"
    legal_basis = "Finance Act 2008, Schedule 36 information notice"
    categories = factory.LazyFunction(lambda: ["identity", "orders"])
    subject_description = "Supplier reference 4471"
    disclosed_on = factory.LazyFunction(lambda: timezone.localdate())


class PurgeRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PurgeRun

    status = models.PurgeRun.Status.FINISHED
    counts = factory.LazyFunction(lambda: {"shop.Review": {"deleted": 3, "held": 1}})
    finished_at = factory.LazyFunction(timezone.now)


class ConsentEventFactory(factory.django.DjangoModelFactory):
    """A ledger row written directly, for reads; tests of the rules go through the services."""

    class Meta:
        model = models.ConsentEvent

    purpose = "email_marketing"
    action = models.ConsentEvent.Action.GIVEN
    source = models.ConsentEvent.Source.ACCOUNT
    wording = "Email me offers."
    policy_version = factory.LazyFunction(lambda: models.PolicyVersion.objects.in_effect().first())
