"""Handlers of other apps' signals, connected in MarketingConfig.ready()."""

from django.dispatch import receiver

from marketing import attribution
from marketing.services import affiliate_referral_record
from shop.signals import order_placed


@receiver(order_placed, dispatch_uid="marketing.on_order_placed_record_referral")
def on_order_placed_record_referral(sender, order, **kwargs):
    """An order placed by a visitor a partner sent is credited to that partner, only while the
    visitor allows affiliate cookies (P29); outside a request there is nobody to credit."""
    affiliate_referral_record(order=order, code=attribution.current_code())
