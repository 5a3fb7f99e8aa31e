from django.db import models


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, category__is_active=True)


class PlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, service__is_active=True)


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


class SubscriptionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def live(self):
        return self.filter(status__in=["active", "trialing", "past_due"])
