"""The one-click unsubscribe link (OPT-01, OPT-02, P05, P27) and the mailto route."""

import pytest
from django.test import Client
from django.urls import reverse

from marketing.models import Campaign, CampaignSend
from marketing.services import campaign_deliver, unsubscribe_by_reply
from marketing.tokens import unsubscribe_token
from privacy.models import ConsentEvent
from privacy.selectors import consent_is_granted, marketing_allowed
from tests.accounts.factories import UserFactory
from tests.marketing.factories import CampaignFactory, subscriber

pytestmark = pytest.mark.django_db


def url_for(user, campaign=None):
    return reverse(
        "marketing:unsubscribe", args=[unsubscribe_token(user_id=user.pk, campaign_id=campaign and campaign.pk)]
    )


def ledger():
    return list(ConsentEvent.objects.order_by("id").values_list("user_id", "action", "source"))


def test_opt01_get_shows_a_confirmation_page_and_changes_nothing(client):
    user = subscriber(email="ada@example.com")
    before = ledger()

    response = client.get(url_for(user))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unsubscribe from our emails" in html and ">Unsubscribe</button>" in html
    assert "a••@example.com" in html and "ada@" not in html  # the address, partly hidden
    assert ledger() == before
    assert marketing_allowed("email_marketing", user=user)


def test_opt01_a_post_without_cookies_or_csrf_token_unsubscribes_in_that_request():
    user = subscriber(email="ada@example.com")
    mail_client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no CSRF token

    response = mail_client.post(
        url_for(user), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not consent_is_granted("email_marketing", user=user)
    event = ConsentEvent.objects.latest("id")
    assert (event.user, event.action, event.source) == (user, "withdrawn", "unsubscribe")
    assert event.email == "ada@example.com" and event.wording


def test_opt01_a_repeated_post_writes_one_ledger_event():
    user = subscriber()
    for _ in range(5):
        assert Client().post(url_for(user)).status_code == 200
    assert ConsentEvent.objects.filter(user=user, action="withdrawn").count() == 1


def test_opt01_the_unsubscribe_is_counted_for_the_campaign_it_came_with():
    user = subscriber()
    campaign = CampaignFactory(status=Campaign.Status.SCHEDULED, scheduled_at="2020-01-01T00:00Z")
    campaign_deliver(campaign_id=campaign.pk)

    Client().post(url_for(user, campaign))

    assert CampaignSend.objects.get(campaign=campaign, recipient=user).unsubscribed_at is not None


@pytest.mark.parametrize("method", ["get", "post"])
def test_opt02_a_changed_token_gets_a_400_page_and_changes_nothing(client, method):
    user = subscriber()
    url = url_for(user)
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    before = ledger()

    response = getattr(client, method)(tampered)

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.content.decode()
    assert ledger() == before


def test_opt02_one_persons_token_unsubscribes_only_that_person():
    alice, bob = subscriber(email="alice@example.com"), subscriber(email="bob@example.com")
    alice_token = unsubscribe_token(user_id=alice.pk)
    # Swapping the id inside Alice's token for Bob's breaks the signature.
    forged = alice_token.replace(alice_token.split(":")[0], unsubscribe_token(user_id=bob.pk).split(":")[0])

    assert Client().post(reverse("marketing:unsubscribe", args=[forged])).status_code == 400
    Client().post(reverse("marketing:unsubscribe", args=[alice_token]))

    assert not consent_is_granted("email_marketing", user=alice)
    assert consent_is_granted("email_marketing", user=bob)


def test_opt01_a_person_who_already_unsubscribed_is_told_so(client):
    user = UserFactory(email="never@example.com")
    response = client.get(url_for(user))
    assert "does not receive our marketing emails" in response.content.decode()
    assert ">Unsubscribe</button>" not in response.content.decode()


def test_opt01_a_token_of_an_account_that_no_longer_exists_changes_nothing():
    subscriber()
    url = reverse("marketing:unsubscribe", args=[unsubscribe_token(user_id=987654)])
    assert Client().post(url).status_code == 200
    assert not ConsentEvent.objects.filter(action="withdrawn").exists()


def test_opt01_only_get_head_and_post_are_answered():
    assert Client().put(url_for(subscriber())).status_code == 405


def test_p05_an_email_to_the_unsubscribe_address_with_the_token_unsubscribes():
    user = subscriber()
    token = unsubscribe_token(user_id=user.pk)

    assert unsubscribe_by_reply(subject=f"unsubscribe {token}") is True
    assert not consent_is_granted("email_marketing", user=user)
    assert ConsentEvent.objects.latest("id").source == "unsubscribe"
    assert unsubscribe_by_reply(subject="unsubscribe not-a-token") is False
    assert unsubscribe_by_reply(subject="") is False


def test_p05_the_inbound_webhook_routes_mail_to_the_unsubscribe_address(settings):
    from anymail.inbound import AnymailInboundMessage
    from anymail.signals import AnymailInboundEvent, inbound

    settings.MARKETING_UNSUBSCRIBE_MAILTO = "unsubscribe@kinetogram.example"
    user, other = subscriber(), subscriber()
    token = unsubscribe_token(user_id=user.pk)
    other_token = unsubscribe_token(user_id=other.pk)

    def deliver(to, subject):
        message = AnymailInboundMessage.construct(to=to, subject=subject, text="")
        inbound.send(sender=object, event=AnymailInboundEvent(event_type="inbound", message=message), esp_name="Test")

    deliver("hello@kinetogram.example", f"unsubscribe {other_token}")
    deliver("Unsubscribe <UNSUBSCRIBE@kinetogram.example>", f"unsubscribe {token}")

    assert not consent_is_granted("email_marketing", user=user)
    assert consent_is_granted("email_marketing", user=other)  # mail to another address is not an unsubscribe
