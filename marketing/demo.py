"""Demo marketing choices for the demo customer (the project's seed_demo calls this)."""

import datetime

from django.utils import timezone

from accounts.consents import OPT_IN_WORDING
from marketing.models import (
    InboundMessage,
    InterestChoice,
    MarketingPreference,
    MessageChoice,
    PhoneNumber,
    TextAlert,
    TextAlertDelivery,
)
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted
from privacy.services import consent_grant
from shop.models import Category

#: A UK mobile number in a range Ofcom keeps for examples is refused by the number library,
#: so the demo number is an ordinary-looking one that reaches nobody through the console backend.
DEMO_PHONE = "+447911123456"


def demo_seed_marketing_preferences(*, user, now=None):
    """Seed the customer's preferences idempotently: two interests, two kinds of message, our
    brand, Europe/London, a verified number with text marketing consent on the ledger, last
    week's text alert sent to it and a HELP text they sent us."""
    now = now or timezone.now()
    preference, _ = MarketingPreference.objects.get_or_create(
        user=user, defaults={"time_zone": "Europe/London", "created_at": now, "updated_at": now}
    )
    for category in Category.objects.filter(is_active=True).order_by("position", "name")[:2]:
        InterestChoice.objects.get_or_create(preference=preference, category=category, defaults={"chosen_at": now})
    for topic in (MessageChoice.Topic.OFFERS, MessageChoice.Topic.LATEST, MessageChoice.Topic.BRAND_OWN):
        MessageChoice.objects.get_or_create(preference=preference, topic=topic, defaults={"chosen_at": now})
    PhoneNumber.objects.get_or_create(user=user, defaults={"number": DEMO_PHONE, "verified_at": now, "created_at": now})
    if not consent_is_granted("sms_marketing", user=user):
        consent_grant(
            user=user,
            purpose="sms_marketing",
            source=ConsentEvent.Source.ACCOUNT,
            wording=OPT_IN_WORDING["sms_marketing"],
            phone=DEMO_PHONE,
        )
    alert, _ = TextAlert.objects.get_or_create(
        message="Spring offer: 20% off social media audits this week.",
        defaults={"status": TextAlert.Status.SENT, "created_at": now - datetime.timedelta(days=7)},
    )
    TextAlertDelivery.objects.get_or_create(
        alert=alert,
        user=user,
        defaults={
            "phone": DEMO_PHONE,
            "status": TextAlertDelivery.Status.SENT,
            "sent_at": now - datetime.timedelta(days=7),
            "provider_id": f"demo-{user.pk}",
        },
    )
    InboundMessage.objects.get_or_create(
        message_sid=f"SM{user.pk:032x}",
        defaults={
            "from_number": DEMO_PHONE,
            "body": "HELP",
            "outcome": InboundMessage.Outcome.HELP,
            "user": user,
            "received_at": now - datetime.timedelta(days=6),
        },
    )
    return preference
