"""Cookie choices (P29, P07) and the Global Privacy Control signal (P09) in the consent ledger."""

import uuid

from django.db import transaction
from django.utils import timezone

from privacy import cookies, purposes
from privacy.models import ConsentEvent, PrivacySignal
from privacy.selectors.consent import consent_is_granted
from privacy.services.consent import consent_grant, consent_withdraw, current_policy_version

BANNER_WORDING = (
    "Cookies on Kinetogram. We use strictly necessary cookies to run the shop. With your consent we also use "
    "analytics cookies ({analytics}), advertising cookies set by our advertising broadcaster ({advertising}) and "
    "affiliate cookies for our marketing partners ({affiliate}). Choice: {choice}."
)
GPC_WORDING = (
    "Your browser sent the Global Privacy Control signal (Sec-GPC: 1): we treat it as a refusal of {category} cookies."
)


def banner_wording(choice: str) -> str:
    return BANNER_WORDING.format(**cookies.CATEGORY_DESCRIPTIONS, choice=choice)


@transaction.atomic
def cookie_choice_record(*, categories, choice: str, consent_id: uuid.UUID | None = None, user=None, gpc=False):
    """Record a visitor's cookie choice and return the value of the consent cookie.

    Writes one ConsentEvent per cookie purpose (given for the allowed categories, withdrawn
    for the others) under the consent id, linked to the account when signed in. With Global
    Privacy Control, advertising and affiliate are refused whatever was ticked (P09), and
    those events carry the source "gpc". Returns (consent_id, allowed categories, cookie value).
    """
    consent_id = consent_id or uuid.uuid4()
    allowed = {c for c in categories if c in cookies.OPTIONAL_CATEGORIES}
    if gpc:
        allowed -= cookies.GPC_REFUSED
    wording = banner_wording(choice)
    user = user if user is not None and user.is_authenticated else None
    # One policy lookup for the three events and the cookie, so they name the same version.
    policy = current_policy_version()
    for category in cookies.OPTIONAL_CATEGORIES:
        if category in allowed:
            record, source, text = consent_grant, ConsentEvent.Source.COOKIE_BANNER, wording
        elif gpc and category in cookies.GPC_REFUSED:
            record, source, text = consent_withdraw, ConsentEvent.Source.GPC, GPC_WORDING.format(category=category)
        else:
            record, source, text = consent_withdraw, ConsentEvent.Source.COOKIE_BANNER, wording
        record(
            purpose=purposes.COOKIE_PURPOSES[category],
            source=source,
            wording=text,
            user=user,
            anonymous_id=consent_id,
            policy_version=policy,
        )
    value = cookies.encode_choice(
        consent_id=consent_id, categories=allowed, policy_version=policy.version if policy else ""
    )
    return consent_id, frozenset(allowed), value


@transaction.atomic
def privacy_signal_record(*, user) -> PrivacySignal:
    """Store that a signed-in customer's browser sends Global Privacy Control (P09).

    Updates the account's PrivacySignal (first and last seen) and, for advertising and
    affiliate cookies still granted in the ledger, records one withdrawal with source "gpc";
    once withdrawn, later signals record nothing more.
    """
    now = timezone.now()
    signal, created = PrivacySignal.objects.get_or_create(
        user=user, defaults={"gpc_first_seen_at": now, "gpc_last_seen_at": now}
    )
    if not created:
        PrivacySignal.objects.filter(pk=signal.pk).update(gpc_last_seen_at=now)
        signal.gpc_last_seen_at = now
    for category in sorted(cookies.GPC_REFUSED):
        purpose = purposes.COOKIE_PURPOSES[category]
        if consent_is_granted(purpose, user=user):
            consent_withdraw(
                purpose=purpose,
                source=ConsentEvent.Source.GPC,
                wording=GPC_WORDING.format(category=category),
                user=user,
            )
    return signal
