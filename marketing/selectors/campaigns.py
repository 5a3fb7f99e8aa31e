"""Who a campaign goes to, and how it went (P05, P22, P23, P27)."""

import dataclasses

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from marketing.models import Campaign, CampaignSend, InterestChoice, UndeliverableAddress
from marketing.rendering import Recipient
from marketing.tokens import unsubscribe_token_read
from privacy.selectors import consent_is_granted, marketing_audience
from shop.models import Order

PURPOSE = "email_marketing"


def _people(campaign: Campaign) -> QuerySet:
    """The open accounts the campaign's audience rule names, before any consent rule."""
    people = get_user_model().objects.filter(is_active=True)
    if campaign.audience == Campaign.Audience.BUYERS:
        bought = Order.objects.bought().filter(
            user=OuterRef("pk"), lines__plan__service__category_id=campaign.category_id
        )
        people = people.filter(Exists(bought))
    elif campaign.audience == Campaign.Audience.INTERESTED:
        interested = InterestChoice.objects.filter(preference__user=OuterRef("pk"), category_id=campaign.category_id)
        people = people.filter(Exists(interested))
    return people


def _allowed(campaign: Campaign, people: QuerySet) -> QuerySet:
    undeliverable = UndeliverableAddress.objects.filter(address=Lower(OuterRef("email")))
    return marketing_audience(PURPOSE, people).filter(~Exists(undeliverable))


def campaign_audience(campaign: Campaign) -> QuerySet:
    """The accounts ``campaign`` may email now, as one SQL statement: open accounts in the
    campaign's audience who agreed to email marketing and have not withdrawn, objected or had
    marketing restricted (privacy's ``marketing_audience``), whose address has not hard-bounced.

    The suppression list is kept as keyed hashes SQL cannot compute: senders drop
    ``suppressed_among`` from each batch (``campaign_batch`` callers do).
    """
    return _allowed(campaign, _people(campaign))


@dataclasses.dataclass(frozen=True)
class Batch:
    """The next slice of the audience: ``recipients`` to send to now, and ``last_id``, the
    account id the next batch starts after."""

    recipients: list[Recipient]
    last_id: int


def campaign_batch(campaign: Campaign, *, after: int = 0, size: int) -> Batch | None:
    """The next ``size`` accounts of the campaign's audience rule after account id ``after``,
    narrowed to those the campaign may email now and has not logged yet; None when no account
    is left. Two statements whatever ``size``: the ids, then the consent, objection,
    restriction and bounce rules on those ids, read afresh, so a person who opts out
    mid-campaign is left out of every batch fetched afterwards.

    The ids come first on their own: walking the accounts by id with a LIMIT is an index scan,
    where asking PostgreSQL for "the next 500 who pass every rule" made it evaluate the rules
    for the whole remaining table.
    """
    ids = list(_people(campaign).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size])
    if not ids:
        return None
    already = CampaignSend.objects.filter(campaign=campaign, recipient=OuterRef("pk"))
    rows = (
        _allowed(campaign, get_user_model().objects.filter(pk__in=ids))
        .filter(~Exists(already))
        .order_by("pk")
        .values_list("pk", "email", "full_name")
    )
    recipients = [Recipient(user_id=pk, email=email, full_name=name) for pk, email, name in rows]
    return Batch(recipients=recipients, last_id=ids[-1])


def _conditions(prefix: str = "") -> dict[str, Q]:
    """Which send-log rows each figure counts; ``prefix`` reaches the log from another model."""
    Status = CampaignSend.Status
    return {
        "sent_count": Q(**{f"{prefix}status": Status.SENT}),
        "sending_count": Q(**{f"{prefix}status": Status.SENDING}),
        "failed_count": Q(**{f"{prefix}status__in": [Status.FAILED, Status.INTERRUPTED]}),
        "delivered_count": Q(**{f"{prefix}delivered_at__isnull": False}),
        "bounced_count": Q(**{f"{prefix}bounced_at__isnull": False}),
        "complaint_count": Q(**{f"{prefix}complained_at__isnull": False}),
        "unsubscribe_count": Q(**{f"{prefix}unsubscribed_at__isnull": False}),
    }


def campaign_list_with_figures(queryset: QuerySet | None = None) -> QuerySet:
    """Campaigns annotated with sent, sending, failed, delivered, bounced, complaint and
    unsubscribe counts: one query for the whole list (one GROUP BY over the send log)."""
    queryset = Campaign.objects.all() if queryset is None else queryset
    return queryset.annotate(**{name: Count("sends", filter=q) for name, q in _conditions("sends__").items()})


def campaign_figures(campaign: Campaign) -> dict[str, int]:
    """One campaign's counts (as ``campaign_list_with_figures``), in one query."""
    return CampaignSend.objects.filter(campaign=campaign).aggregate(
        **{name: Count("pk", filter=q) for name, q in _conditions().items()}
    )


@dataclasses.dataclass(frozen=True)
class UnsubscribeSubject:
    """What the unsubscribe page shows: the address (partly hidden) and whether it still
    receives marketing email."""

    masked_email: str
    subscribed: bool


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 2)}@{domain}" if domain else ""


def unsubscribe_subject(*, token: str) -> UnsubscribeSubject:
    """The person an unsubscribe token names, for its confirmation page; reads only. Raises
    InvalidToken for a token we did not sign."""
    user_id, _campaign_id = unsubscribe_token_read(token)
    user = get_user_model().objects.filter(pk=user_id).only("email").first()
    if user is None:
        return UnsubscribeSubject(masked_email="", subscribed=False)
    return UnsubscribeSubject(
        masked_email=_mask(user.email), subscribed=consent_is_granted(PURPOSE, user=user, email=user.email)
    )
