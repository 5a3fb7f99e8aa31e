"""A customer opts in to email offers at sign-up, finds the consent in "Your data", withdraws
it with one click, and later reviews a materially changed privacy policy (P05, P27, P35)."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from privacy.models import ConsentEvent, PolicyAcknowledgement
from privacy.selectors import consent_is_granted
from privacy.selectors.policy import policy_cache_clear
from privacy.services import policy_version_publish
from tests.accounts.factories import StaffFactory
from tests.privacy.factories import PolicyVersionFactory

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "Lantern-orbit-2047"
SUMMARY = "We now name every advertising partner that sets a cookie."


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_p05_p27_p35_opt_in_at_signup_withdraw_in_one_click_and_review_a_changed_policy(live_server, page):
    base = live_server.url
    mail.outbox = []
    # Transactional tests before this one may have flushed the policy the migration seeds.
    PolicyVersionFactory(version="2018.05", effective_date=datetime.date(2018, 5, 25))
    policy_cache_clear()
    # allauth's per-address rate limit (one confirmation mail per 3 minutes) lives in the
    # process cache: another journey signing up ada@example.com in this worker would mute it.
    cache.clear()

    # Sign up: both marketing boxes start unticked (P05); tick email offers only.
    page.goto(f"{base}/accounts/signup/")
    email_box = page.get_by_label("Email me offers and news")
    sms_box = page.get_by_label("Text me offers and alerts")
    assert not email_box.is_checked()
    assert not sms_box.is_checked()
    page.get_by_label("Email", exact=True).fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I am 16 or older").check()
    email_box.check()
    shot(page, "consent_signup")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base}/")
    user = User.objects.get(email="ada@example.com")
    assert consent_is_granted("email_marketing", user=user) is True
    assert consent_is_granted("sms_marketing", user=user) is False

    # The preferences page shows it given, with one button to withdraw.
    page.goto(f"{base}/account/preferences/")
    email_card = page.get_by_role("region", name="Email marketing")
    assert email_card.get_by_text("Consent given").is_visible()
    assert email_card.get_by_role("button").count() == 1
    shot(page, "consent_preferences")

    # "Your data" lists the consent; one click withdraws it (P27).
    page.get_by_role("navigation", name="Account pages").get_by_role("link", name="Your data").click()
    consents = page.get_by_role("region", name="Your consents")
    row = consents.get_by_role("row", name=re.compile("Email marketing"))
    assert row.get_by_text("Given").is_visible()
    assert row.get_by_text("2018.05").is_visible()
    shot(page, "consent_your_data")
    row.get_by_role("button", name="Withdraw consent to email marketing").click()
    page.wait_for_url(f"{base}/account/your-data/")
    assert page.get_by_text("Email marketing: consent withdrawn. It stops now.").is_visible()
    row = page.get_by_role("region", name="Your consents").get_by_role("row", name=re.compile("Email marketing"))
    assert row.get_by_text("Withdrawn").is_visible()
    assert row.get_by_role("button").count() == 0
    shot(page, "consent_your_data_withdrawn")
    assert consent_is_granted("email_marketing", user=user) is False
    assert list(ConsentEvent.objects.filter(user=user).order_by("id").values_list("action", "source")) == [
        ("given", "signup"),
        ("withdrawn", "account"),
    ]

    # Staff publish a material policy change: the customer is asked to review it (P35).
    policy = policy_version_publish(
        version="2026.11",
        effective_date=user.date_joined.date(),
        summary=SUMMARY,
        is_material=True,
        published_by=StaffFactory(),
    )
    policy_cache_clear()
    page.goto(f"{base}/services/")
    notice = page.get_by_role("region", name="Privacy policy changed")
    assert notice.is_visible()
    assert SUMMARY in notice.inner_text()
    assert notice.get_by_role("link", name="Review the changes").get_attribute("href") == "/privacy/"
    shot(page, "policy_notice")
    notice.get_by_role("button", name="I have read it").click()
    page.wait_for_url(f"{base}/services/")
    assert page.get_by_role("region", name="Privacy policy changed").count() == 0
    assert PolicyAcknowledgement.objects.filter(user=user, policy_version=policy).count() == 1
    shot(page, "policy_notice_gone")
