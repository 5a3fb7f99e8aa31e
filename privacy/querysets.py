from django.db import models
from django.utils import timezone


class PolicyVersionQuerySet(models.QuerySet):
    def in_effect(self, on=None):
        """Versions whose effective date has come, newest first: the first is the current policy."""
        on = on or timezone.localdate()
        return self.filter(effective_date__lte=on).order_by("-effective_date", "-id")


class ConsentEventQuerySet(models.QuerySet):
    def for_subject(self, *, user=None, anonymous_id=None, email: str = "", phone: str = ""):
        """Events of one person, by whichever identifiers are known."""
        condition = models.Q(pk__in=[])
        if user is not None:
            condition |= models.Q(user=user)
        if anonymous_id:
            condition |= models.Q(anonymous_id=anonymous_id)
        if email:
            condition |= models.Q(email__iexact=email)
        if phone:
            condition |= models.Q(phone=phone)
        return self.filter(condition)

    def latest_per_purpose(self):
        """The newest event of each purpose: the current state of every consent."""
        latest = {}
        for event in self.order_by("purpose", "-created_at", "-id"):
            latest.setdefault(event.purpose, event)
        return latest


class RestrictionQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(starts_at__lte=at).filter(models.Q(ended_at=None) | models.Q(ended_at__gt=at))

    def covering(self, scope: str):
        """Restrictions that cover ``scope`` ("all" covers every scope)."""
        return self.filter(scope__in=[scope, "all"])
