"""marketing's reactions to other apps' signals, connected in MarketingConfig.ready()."""

import logging

from django.dispatch import receiver

from marketing import attribution, services
from marketing.conf import settings as marketing_settings
from marketing.services import affiliate_referral_record
from privacy.purposes import MARKETING_OBJECTIONS
from shop.signals import order_placed

logger = logging.getLogger(__name__)


def on_consent_withdrawn_drop_texts(sender, *, user=None, purpose="", **kwargs):
    """P27: text marketing consent withdrawn (preferences, STOP, staff): the person's text
    alerts still waiting are dropped at once, before they would be sent."""
    if purpose == "sms_marketing" and user is not None:
        services.text_deliveries_drop(user=user, reason="consent withdrawn")


def on_objection_recorded_drop_texts(sender, *, user=None, purposes=(), **kwargs):
    """P22: an objection to all marketing drops the person's waiting text alerts at once (its
    withdrawal of text consent does too; this covers a person whose consent was by address)."""
    if user is not None and set(purposes) >= set(MARKETING_OBJECTIONS):
        services.text_deliveries_drop(user=user, reason="objected to marketing")


@receiver(order_placed, dispatch_uid="marketing.on_order_placed_record_referral")
def on_order_placed_record_referral(sender, order, **kwargs):
    """An order placed by a visitor a partner sent is credited to that partner, only while the
    visitor allows affiliate cookies (P29); outside a request there is nobody to credit."""
    affiliate_referral_record(order=order, code=attribution.current_code())


def on_tracking_record_provider_event(sender, event, esp_name, **kwargs):
    """anymail's ``tracking`` signal (the provider's webhook): unsubscribes, complaints,
    bounces and deliveries, each acted on once (OPT-05)."""
    services.provider_event_record(esp_name=esp_name, event=event)


def on_inbound_unsubscribe_by_reply(sender, event, esp_name, **kwargs):
    """anymail's ``inbound`` signal: an email to the List-Unsubscribe mailto address
    unsubscribes the person its token names."""
    message = event.message
    if message is None:
        return
    wanted = marketing_settings.unsubscribe_mailto.lower()
    if not any(address.addr_spec.lower() == wanted for address in (message.to or [])):
        return
    services.unsubscribe_by_reply(subject=message.subject or "")
