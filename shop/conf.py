"""Shop settings, read when used (never at import) so tests and environments can change them."""

from django.conf import settings


def consultation_rate_limit():
    """How many consultation requests one client IP may send, and over how many seconds."""
    return getattr(settings, "SHOP_CONSULTATION_RATE_LIMIT", (5, 3600))


def demo_payments_enabled():
    """Whether the demo payment page may mark orders paid; production settings turn it off."""
    return getattr(settings, "SHOP_DEMO_PAYMENTS", False)


def dunning_max_attempts():
    """Failed tries of one renewal after which the subscription ends (SHOP_DUNNING_MAX_ATTEMPTS)."""
    return max(1, int(getattr(settings, "SHOP_DUNNING_MAX_ATTEMPTS", 3)))
