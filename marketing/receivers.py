"""Handlers for other apps' signals, connected in MarketingConfig.ready()."""

import logging

from marketing import services
from marketing.conf import settings as marketing_settings

logger = logging.getLogger(__name__)


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
