import factory
from django.utils import timezone

from marketing.models import Campaign, MarketingPreference, PhoneNumber, TextAlert
from privacy.models import Suppression
from privacy.services import consent_grant
from privacy.subjects import keyed_hash
from tests.accounts.factories import UserFactory


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    """A verified text alert number (``verified_at=None`` for one still to verify)."""

    class Meta:
        model = PhoneNumber

    user = factory.SubFactory(UserFactory)
    number = factory.Sequence(lambda n: f"+4479111{n:05d}")
    verified_at = factory.LazyFunction(timezone.now)


class MarketingPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketingPreference
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    time_zone = "Europe/London"


class TextAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TextAlert

    message = "Spring offer: 20% off social media audits this week."


def texter(**kwargs):
    """A customer with a verified number who agreed to text offers (as the double opt-in leaves them)."""
    phone = PhoneNumberFactory(**kwargs)
    consent_grant(
        user=phone.user,
        purpose="sms_marketing",
        source="account",
        wording="Text me offers.",
        phone=phone.number.as_e164,
    )
    return phone


def suppress(*, email="", phone=""):
    if email:
        Suppression.objects.create(kind="email", digest=keyed_hash("email", email))
    if phone:
        Suppression.objects.create(kind="phone", digest=keyed_hash("phone", phone))


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Spring offers {n}")
    slug = factory.Sequence(lambda n: f"spring-offers-{n}")
    subject = "{{ first_name|default:'Hello' }}, our spring offers"
    body_html = "<p>Hello {{ first_name|default:'there' }},</p><p>Our spring offers are here.</p>"
    body_text = "Hello {{ first_name|default:'there' }},\n\nOur spring offers are here."


def subscriber(**kwargs):
    """A customer who agreed to email marketing on the preferences page."""
    user = UserFactory(**kwargs)
    consent_grant(purpose="email_marketing", source="account", wording="Email me offers.", user=user)
    return user
