"""marketing's reactions to other apps' signals, connected in MarketingConfig.ready()."""

from marketing import services
from privacy.purposes import MARKETING_OBJECTIONS


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
