"""Demo email campaigns for ``seed_demo``: one sent with its figures, one scheduled.

Called by the project's seed_demo after the customers and their consents exist. Safe to run
again: campaigns are matched on their slugs and each recipient is logged once.
"""

import datetime
import uuid

from django.utils import timezone

from marketing.models import Campaign, CampaignSend, EmailProviderEvent
from marketing.selectors import campaign_audience
from shop.models import Category

SENT_SLUG = "winter-audit-offer"
SCHEDULED_SLUG = "spring-social-plans"


def demo_seed_campaigns(*, customers=None, now=None) -> list[Campaign]:
    """Create the two demo campaigns. The sent one gets a send-log row (sent and delivered,
    with the provider's delivery report) for each of ``customers``
    (default: everyone its audience allows today; it went out before any of them withdrew),
    so its figures show in the admin; no email is sent. Returns [sent, scheduled]."""
    now = now or timezone.now()
    sent_at = now - datetime.timedelta(days=12)
    sent, _ = Campaign.objects.get_or_create(
        slug=SENT_SLUG,
        defaults={
            "name": "Winter campaign audit offer",
            "subject": "{{ first_name|default:'Hello' }}, 20% off a campaign audit this winter",
            "body_html": "<p>Hello {{ first_name|default:'there' }},</p>"
            "<p>Before the new year starts, let us look at what your campaigns did this year: a "
            "<strong>campaign audit</strong> is 20% off until the end of January.</p>"
            '<p><a href="{{ site_url }}/services/">See the audit</a></p>',
            "body_text": "Hello {{ first_name|default:'there' }},\n\nBefore the new year starts, let us look at what "
            "your campaigns did this year: a campaign audit is 20% off until the end of January.",
            "status": Campaign.Status.SENT,
            "scheduled_at": sent_at,
            "started_at": sent_at,
            "finished_at": sent_at + datetime.timedelta(minutes=2),
            "created_at": sent_at - datetime.timedelta(days=3),
        },
    )
    if not sent.sends.exists():
        run = uuid.uuid4()
        if customers is None:
            people = list(campaign_audience(sent).order_by("pk").values_list("pk", "email"))
        else:
            people = [(customer.pk, customer.email) for customer in customers]
        CampaignSend.objects.bulk_create(
            [
                CampaignSend(
                    campaign=sent,
                    recipient_id=pk,
                    email=email,
                    run=run,
                    status=CampaignSend.Status.SENT,
                    message_id=f"demo-{sent.pk}-{pk}",
                    claimed_at=sent_at,
                    sent_at=sent_at,
                    delivered_at=sent_at + datetime.timedelta(seconds=40 + position),
                )
                for position, (pk, email) in enumerate(people)
            ],
            ignore_conflicts=True,
        )
        EmailProviderEvent.objects.bulk_create(
            [
                EmailProviderEvent(
                    esp_name="Demo",
                    event_id=f"demo-delivered-{row.pk}",
                    event_type="delivered",
                    recipient=row.email,
                    message_id=row.message_id,
                    send=row,
                    occurred_at=row.delivered_at,
                    received_at=row.delivered_at,
                )
                for row in sent.sends.exclude(delivered_at=None)
            ],
            ignore_conflicts=True,
        )
    category = Category.objects.filter(is_active=True).order_by("position", "pk").first()
    scheduled, _ = Campaign.objects.get_or_create(
        slug=SCHEDULED_SLUG,
        defaults={
            "name": f"Spring plans for {category.name} customers" if category else "Spring social-media plans",
            "subject": "{{ first_name|default:'Hello' }}, new spring plans are here",
            "body_html": "<p>Hello {{ first_name|default:'there' }},</p><p>Our spring plans start next month; "
            "as a customer you can switch before anyone else.</p>",
            "body_text": "Hello {{ first_name|default:'there' }},\n\nOur spring plans start next month; as a "
            "customer you can switch before anyone else.",
            "audience": Campaign.Audience.BUYERS if category else Campaign.Audience.AGREED,
            "category": category,
            "status": Campaign.Status.SCHEDULED,
            "scheduled_at": now + datetime.timedelta(days=7),
        },
    )
    return [sent, scheduled]
