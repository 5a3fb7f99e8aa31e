"""Who text alerts go to, and what the staff see of them."""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from marketing.models import TextAlert, TextAlertDelivery
from privacy.selectors import marketing_audience


def text_alert_audience() -> QuerySet:
    """Active accounts with a verified number whose text consent stands, with no objection or
    restriction (privacy's set-based rule, in SQL), as dicts of ``pk``, ``email``, ``number``
    (E.164) and ``time_zone``. The caller drops ``suppressed_among`` per batch: suppression is
    kept as keyed hashes SQL cannot match."""
    User = get_user_model()
    people = User._default_manager.filter(is_active=True, text_alert_phone__verified_at__isnull=False)
    return (
        marketing_audience("sms_marketing", people)
        .annotate(number=F("text_alert_phone__number"), time_zone=F("marketing_preference__time_zone"))
        .values("pk", "email", "number", "time_zone")
        .order_by("pk")
    )


def text_alerts_with_counts() -> QuerySet:
    """Alerts with how many of their deliveries were sent, wait or were dropped: one query."""
    Status = TextAlertDelivery.Status
    return TextAlert.objects.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__status=Status.SENT)),
        waiting_count=Count("deliveries", filter=Q(deliveries__status=Status.WAITING)),
        dropped_count=Count("deliveries", filter=Q(deliveries__status__in=[Status.DROPPED, Status.FAILED])),
    )
