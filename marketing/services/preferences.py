"""The preference centre's writes (P05, P22, P27): channels, interests, messages, the receipt.

Consent per channel is never stored here: email and text offers are consents in privacy's
ledger, post is a legitimate interest the person objects to (or stops objecting to). Each
change is one ledger event, written by privacy's services.
"""

import zoneinfo

from django.db import transaction
from django.utils import timezone

from accounts.consents import OPT_IN_WORDING, WITHDRAW_WORDING
from marketing.models import InterestChoice, MarketingPreference, MessageChoice, PhoneNumber
from marketing.selectors.preferences import preference_centre_for_user
from privacy.mail import send_templated_email
from privacy.models import ConsentEvent
from privacy.services import consent_grant, consent_withdraw, objection_record, objection_withdraw

#: The channels of the preference centre and the purpose each stands for.
CHANNELS = {"email": "email_marketing", "sms": "sms_marketing", "post": "postal_marketing"}
POSTAL_OBJECTION_WORDING = "Stop postal mailers: send me no more printed offers by post."


class PreferenceError(ValueError):
    pass


def preference_get_or_create(*, user) -> MarketingPreference:
    """The customer's MarketingPreference row, created (with the default time zone) the first time."""
    preference, _ = MarketingPreference.objects.get_or_create(user=user)
    return preference


@transaction.atomic
def marketing_channel_set(*, user, purpose: str, give: bool) -> ConsentEvent | list[ConsentEvent]:
    """Switch one channel on or off for the customer, in one step (P05, P27).

    Email and text offers: one consent event given or withdrawn (source: account
    preferences page) with the wording the page shows; text offers are given only for a
    verified number, which the event records. Post: an objection to postal marketing, or
    its withdrawal (P22). Sends privacy's signals after commit. Raises PreferenceError for
    an unknown purpose, or text offers without a verified number.
    """
    source = ConsentEvent.Source.ACCOUNT
    if purpose == "postal_marketing":
        if give:
            return objection_withdraw(user=user, purposes=["postal_marketing"], source=source)
        return objection_record(
            user=user, purposes=["postal_marketing"], source=source, wording=POSTAL_OBJECTION_WORDING
        )
    if purpose not in OPT_IN_WORDING:
        raise PreferenceError("Choose email offers, text offers or post.")
    if not give:
        return consent_withdraw(user=user, purpose=purpose, source=source, wording=WITHDRAW_WORDING[purpose])
    phone = ""
    if purpose == "sms_marketing":
        verified = PhoneNumber.objects.filter(user=user, verified_at__isnull=False).first()
        if verified is None:
            raise PreferenceError("Verify your mobile number first: we text you a code to enter.")
        phone = verified.number.as_e164
    return consent_grant(user=user, purpose=purpose, source=source, wording=OPT_IN_WORDING[purpose], phone=phone)


@transaction.atomic
def marketing_choices_update(*, user, categories, topics, time_zone: str) -> bool:
    """Save the interests (service categories), preferred messages and brands, and time zone.

    Keeps the rows of choices that stay (and the date each was first made), adds the new
    ones, deletes the dropped ones. Returns whether anything changed. Raises PreferenceError
    for an unknown topic or time zone.
    """
    unknown = set(topics) - set(MessageChoice.Topic.values)
    if unknown:
        raise PreferenceError(f"Unknown kind of message: {', '.join(sorted(unknown))}.")
    if time_zone not in zoneinfo.available_timezones():
        raise PreferenceError("Choose a time zone from the list.")
    preference = MarketingPreference.objects.select_for_update().get(pk=preference_get_or_create(user=user).pk)
    now = timezone.now()
    changed = False

    wanted = {category.pk for category in categories}
    held = set(preference.interests.values_list("category_id", flat=True))
    if held - wanted:
        preference.interests.filter(category_id__in=held - wanted).delete()
    InterestChoice.objects.bulk_create(
        InterestChoice(preference=preference, category_id=pk, chosen_at=now) for pk in sorted(wanted - held)
    )
    changed |= wanted != held

    wanted_topics = set(topics)
    held_topics = set(preference.messages.values_list("topic", flat=True))
    if held_topics - wanted_topics:
        preference.messages.filter(topic__in=held_topics - wanted_topics).delete()
    MessageChoice.objects.bulk_create(
        MessageChoice(preference=preference, topic=topic, chosen_at=now)
        for topic in sorted(wanted_topics - held_topics)
    )
    changed |= wanted_topics != held_topics

    if preference.time_zone != time_zone:
        preference.time_zone = time_zone
        changed = True
    if changed:
        preference.updated_at = now
        preference.save(update_fields=["time_zone", "updated_at"])
    return changed


def preferences_receipt_send(*, user):
    """Email the customer a receipt of their current choices, each with its date: channels
    from the consent ledger, interests, messages and brands from their choices.

    Sends one email (privacy's templated mail) to the account's address. Writes nothing.
    """
    context = preference_centre_for_user(user=user)
    send_templated_email(
        to=[user.email], template="marketing/email/preferences_receipt", context={**context, "user": user}
    )
