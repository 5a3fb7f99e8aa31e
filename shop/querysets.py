from django.db import models


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, category__is_active=True)


class PlanQuerySet(models.QuerySet):
    def active(self):
        # A plan is for sale only while its service is listed, and a service is listed
        # only while its category is (ServiceQuerySet.active).
        return self.filter(is_active=True, service__is_active=True, service__category__is_active=True)

    def recurring(self):
        return self.exclude(billing="one_off")


class ReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="approved")


class OrderQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def placed(self):
        return self.exclude(status="pending")

    def placed_before(self, when):
        return self.filter(created_at__lt=when)

    def bought(self):
        """Orders that were paid for (whatever happened to them after, short of a refund or cancellation)."""
        return self.filter(status__in=["paid", "in_progress", "delivered", "active"])


class SubscriptionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def live(self):
        return self.filter(status__in=["active", "trialing", "past_due"])
