"""The postal marketing list (P05): people with a postal address who may be sent mailers."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Address
from privacy.selectors import marketing_audience, suppressed_among

#: The columns of the list, in order.
POSTAL_COLUMNS = ("full_name", "company", "line1", "line2", "city", "postcode", "country")


def postal_candidates() -> QuerySet:
    """Active customers with at least one postal address (before any privacy rule)."""
    User = get_user_model()
    return User._default_manager.filter(is_active=True, is_staff=False).filter(
        Exists(Address.objects.filter(user=OuterRef("pk")))
    )


def postal_audience() -> QuerySet:
    """The candidates privacy allows postal marketing for: no standing objection to
    postal_marketing, no marketing restriction (one SQL statement). Suppression is checked
    per batch by ``postal_list_batches``."""
    return marketing_audience("postal_marketing", postal_candidates()).order_by("pk")


def postal_list_batches(*, batch_size: int = 1000):
    """The postal list in batches: for each batch, ``(rows, suppressed)`` where rows are the
    mailing addresses (the default delivery address, else the default billing one, else the
    newest) of the people in it not on the suppression list, and ``suppressed`` how many were
    left out for it. Three queries per batch."""
    people = postal_audience().values_list("pk", "email")
    last_pk = 0
    while True:
        batch = list(people.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return
        last_pk = batch[-1][0]
        suppressed = suppressed_among(emails=[email for _, email in batch])
        allowed = [pk for pk, email in batch if email not in suppressed]
        addresses = {}
        for address in Address.objects.filter(user_id__in=allowed).order_by(
            "user_id", "-kind", "-is_default", "-created_at", "-pk"
        ):
            # "delivery" sorts after "billing": descending puts the delivery addresses first.
            addresses.setdefault(address.user_id, address)
        rows = [
            {column: getattr(addresses[pk], column) for column in POSTAL_COLUMNS} for pk in allowed if pk in addresses
        ]
        yield rows, len(batch) - len(allowed)
