import factory

from marketing.models import Campaign
from privacy.services import consent_grant
from tests.accounts.factories import UserFactory


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
