"""Reads that feed the "Your account" pages.

Shop data (orders, reviews, saved searches) is read through the reverse relations the shop
models declare on the user (`orders`, `reviews`, `saved_searches`), so accounts never imports shop.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from accounts.models import Address, Profile


def profile_for_user(*, user):
    """The customer's profile, or an unsaved empty one when they have none yet (no write on GET)."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def address_list_for_user(*, user):
    """The customer's addresses, defaults first within each kind."""
    return Address.objects.filter(user=user).order_by("kind", "-is_default", "-created_at", "-pk")


def address_get_for_user(*, user, pk):
    """One of the customer's own addresses. Raises Address.DoesNotExist for anyone else's (AC-01)."""
    return Address.objects.get(user=user, pk=pk)


def account_overview(*, user):
    """A summary for the account hub: profile, default addresses and how much of each thing there is.

    A fixed number of queries whatever the customer holds.
    """
    addresses = list(address_list_for_user(user=user))
    defaults = {address.kind: address for address in addresses if address.is_default}
    return {
        "profile": profile_for_user(user=user),
        "default_billing": defaults.get(Address.Kind.BILLING),
        "default_delivery": defaults.get(Address.Kind.DELIVERY),
        "address_count": len(addresses),
        "email_count": EmailAddress.objects.filter(user=user).count(),
        "order_count": user.orders.count(),
        "has_mfa": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        "session_count": UserSession.objects.filter(user=user).count(),
    }


def your_data_for_user(*, user):
    """Everything the customer has given us, grouped as on the "Your data" page (P02, P18).

    A fixed number of queries whatever the customer holds: order lines are prefetched and
    reviews come with their service.
    """
    return {
        "account": user,
        "profile": Profile.objects.filter(user=user).first(),
        "addresses": list(address_list_for_user(user=user)),
        "email_addresses": list(EmailAddress.objects.filter(user=user).order_by("-primary", "email")),
        "orders": list(user.orders.order_by("-created_at").prefetch_related("lines")),
        "reviews": list(user.reviews.select_related("service").order_by("-created_at")),
        "saved_searches": list(user.saved_searches.order_by("-created_at")),
    }
