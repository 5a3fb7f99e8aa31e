"""Demo marketing choices for the demo customer (the project's seed_demo calls this)."""

from django.utils import timezone

from accounts.consents import OPT_IN_WORDING
from marketing.models import InterestChoice, MarketingPreference, MessageChoice, PhoneNumber
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted
from privacy.services import consent_grant
from shop.models import Category

#: A UK mobile number in a range Ofcom keeps for examples is refused by the number library,
#: so the demo number is an ordinary-looking one that reaches nobody through the console backend.
DEMO_PHONE = "+447911123456"


def demo_seed_marketing_preferences(*, user, now=None):
    """Seed the customer's preferences idempotently: two interests, two kinds of message, our
    brand, Europe/London, and a verified number with text marketing consent on the ledger."""
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
    return preference
