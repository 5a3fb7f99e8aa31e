"""A customer unsubscribes from a campaign email's link and is left out of the next campaign
(OPT-01, P05, P27); staff preview a campaign and see its figures (P05)."""

import os
import re
import tempfile

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from marketing.models import Campaign
from marketing.services import campaign_deliver
from privacy.models import ConsentEvent
from tests.accounts.factories import StaffFactory
from tests.e2e.test_consultation_journey import _sign_in_as
from tests.marketing.factories import CampaignFactory, subscriber

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR") or os.path.join(tempfile.gettempdir(), "m_campaigns")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def send(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED, scheduled_at=timezone.now())
    return campaign_deliver(campaign_id=campaign.pk)


def test_opt01_p27_unsubscribe_from_the_email_link_and_miss_the_next_campaign(live_server, page):
    mail.outbox = []
    ada = subscriber(email="ada@example.com", full_name="Ada Lovelace")
    subscriber(email="ben@example.com", full_name="Ben Okafor")
    send(CampaignFactory(slug="winter"))
    ada_mail = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    link = re.search(r"<(https?://[^>]+/unsubscribe/[^>]+/)>", ada_mail.extra_headers["List-Unsubscribe"]).group(1)
    assert link in ada_mail.body  # the same link is in the text and the header
    assert link.startswith(live_server.url)

    # Opening the link (a person, or a mail scanner) only asks.
    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe from our emails")).to_be_visible()
    expect(page.get_by_text("a••@example.com")).to_be_visible()
    shot(page, "unsubscribe-confirm")
    assert not ConsentEvent.objects.filter(action="withdrawn").exists()

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    shot(page, "unsubscribe-done")
    event = ConsentEvent.objects.get(action="withdrawn")
    assert (event.user_id, event.source) == (ada.pk, "unsubscribe")

    mail.outbox = []
    report = send(CampaignFactory(slug="spring"))
    assert report.sent == 1
    assert [m.to for m in mail.outbox] == [["ben@example.com"]]

    # The link still answers, and says there is nothing more to do.
    page.goto(link)
    expect(page.get_by_text("does not receive our marketing emails")).to_be_visible()

    # A link with one character changed is refused.
    page.goto(link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:])
    expect(page.get_by_role("heading", name="This unsubscribe link does not work")).to_be_visible()
    shot(page, "unsubscribe-invalid")


def test_p05_staff_preview_a_campaign_and_see_its_figures(live_server, page):
    subscriber(email="ada@example.com")
    subscriber(email="ben@example.com")
    campaign = CampaignFactory(name="Winter audit offer", subject="{{ first_name|default:'Hello' }}, 20% off")
    send(campaign)
    _sign_in_as(page, live_server, StaffFactory(email="sam@kinetogram.example", full_name="Sam Staff"))

    page.goto(f"{live_server.url}/admin/marketing/campaign/")
    expect(page.get_by_role("link", name="Winter audit offer")).to_be_visible()
    shot(page, "admin-campaign-list")
    page.get_by_role("link", name="Winter audit offer").click()
    expect(page.get_by_text("Sam, 20% off")).to_be_visible()
    preview = page.frame_locator("iframe.campaign-preview-frame")
    expect(preview.get_by_text("Hello Sam,")).to_be_visible()
    expect(page.get_by_text("2 sent", exact=False)).to_be_visible()
    shot(page, "admin-campaign-change")
    page.locator("iframe.campaign-preview-frame").screenshot(path=f"{SHOTS}/admin-campaign-preview.png")
