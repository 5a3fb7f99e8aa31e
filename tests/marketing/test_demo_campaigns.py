"""The demo campaigns seed_demo adds: one sent with its figures, one scheduled; run twice, nothing doubles."""

import pytest
from django.core import mail

from marketing.demo_campaigns import demo_seed_campaigns
from marketing.models import Campaign, CampaignSend
from marketing.selectors import campaign_figures
from tests.accounts.factories import UserFactory
from tests.marketing.factories import subscriber
from tests.shop.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_p05_the_demo_has_a_sent_campaign_with_figures_and_a_scheduled_one():
    CategoryFactory(name="Social media")
    subscriber(email="a@example.com")
    subscriber(email="b@example.com")
    UserFactory(email="not-subscribed@example.com")

    sent, scheduled = demo_seed_campaigns()
    demo_seed_campaigns()

    assert Campaign.objects.count() == 2
    assert sent.status == Campaign.Status.SENT and scheduled.status == Campaign.Status.SCHEDULED
    assert scheduled.audience == Campaign.Audience.BUYERS and scheduled.category.name == "Social media"
    figures = campaign_figures(sent)
    assert (figures["sent_count"], figures["delivered_count"]) == (2, 2)
    assert set(CampaignSend.objects.values_list("email", flat=True)) == {"a@example.com", "b@example.com"}
    assert mail.outbox == []  # seeding sends nothing
    sent.full_clean()
    scheduled.full_clean()
