"""Reads that feed the "Your account" pages.

Shop data (orders, reviews, saved searches) is read through the reverse relations the shop
models declare on the user (`orders`, `reviews`, `saved_searches`), so accounts never imports shop.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from accounts.consents import MARKETING_PURPOSES
from accounts.models import Address, Profile
from privacy import purposes
from privacy.models import Restriction
from privacy.selectors import consent_state, exports_for, has_objected
from privacy.selectors.your_data import SHOWN_ROWS, records_held
from privacy.subjects import Subject


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
    """Everything we hold about the customer, as "Your data" shows it (P02, P11, P18-P24).

    The records come from the personal-data registry (every declared model with rows of
    theirs, the export's fields), so a new declaration shows here without an edit; the
    rights, restrictions, downloads and requests around them come from privacy's
    selectors. One query per declaration plus a fixed few.
    """
    subject = Subject.of(user=user)
    return {
        "account": user,
        "records": records_held(subject),
        "shown_rows": SHOWN_ROWS,
        "consents": consents_for_user(user=user),
        "restrictions": list(Restriction.objects.filter(user=user).order_by("-starts_at")),
        "objected": has_objected("postal_marketing", user=user) and has_objected("tailored_offers", user=user),
        "exports": exports_for(subject),
        "requests": list(user.subject_requests.order_by("-received_at")[:10]),
    }


def consents_for_user(*, user):
    """Every consent the customer has given or withdrawn, latest state per purpose (P27).

    One query. Each row: the purpose, its latest event, and whether the account pages can
    change it in one click (marketing; cookie choices change in the cookie settings).
    """
    state = {key: event for key, event in consent_state(user=user).items() if purposes.get(key).needs_consent}
    return [
        {"key": key, "purpose": purposes.get(key), "event": event, "can_change": key in MARKETING_PURPOSES}
        for key, event in sorted(state.items(), key=lambda item: list(purposes.PURPOSES).index(item[0]))
    ]
