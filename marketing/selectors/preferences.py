"""What the preference centre shows (P05, P22, P27): each channel's state and date from the
consent ledger, and the interests, messages and brands the customer chose."""

import zoneinfo

from accounts.consents import OPT_IN_WORDING, WITHDRAW_WORDING
from marketing.models import DEFAULT_TIME_ZONE, MarketingPreference, MessageChoice, PhoneNumber
from privacy import purposes
from privacy.selectors import consent_state, restricted_scopes
from shop.models import Category

#: Beside "Withdraw my objection" (the customer objects now).
POSTAL_ON_WORDING = (
    "Withdraw your objection and we may post you printed mailers about the latest offers and services "
    "again, at your default address."
)
#: Beside "Object" (mailers may be posted now, our legitimate interest).
POSTAL_OFF_WORDING = (
    "We may post you printed mailers about the latest offers and services at your default address. "
    "Object, and we post you none."
)


def _time_zones():
    return sorted(zoneinfo.available_timezones())


def preference_centre_for_user(*, user) -> dict:
    """Everything the preference centre (and the emailed receipt) shows, in a fixed number of
    queries whatever the ledger holds: the ledger, restrictions, the preference row with its
    choices, the verified number and the category list."""
    state = consent_state(user=user, email=user.email)
    scopes = restricted_scopes(user=user)
    preference = MarketingPreference.objects.filter(user=user).prefetch_related("interests", "messages").first()
    phone = PhoneNumber.objects.filter(user=user).first()
    chosen_categories = {c.category_id: c.chosen_at for c in preference.interests.all()} if preference else {}
    chosen_topics = {m.topic: m.chosen_at for m in preference.messages.all()} if preference else {}

    channels = []
    for key, purpose in (("email", "email_marketing"), ("sms", "sms_marketing")):
        event = state.get(purpose)
        # A consent counts when this account gave it; a withdrawal by its address counts too.
        is_on = event is not None and event.is_given and event.user_id == user.pk
        channels.append(
            {
                "key": key,
                "purpose_key": purpose,
                "purpose": purposes.get(purpose),
                "event": event,
                "is_on": is_on,
                "basis": "consent",
                "on_wording": OPT_IN_WORDING[purpose],
                "off_wording": WITHDRAW_WORDING[purpose],
                "needs_verified_phone": key == "sms" and not (phone and phone.is_verified),
            }
        )
    postal = state.get("postal_marketing")
    channels.append(
        {
            "key": "post",
            "purpose_key": "postal_marketing",
            "purpose": purposes.get("postal_marketing"),
            "event": postal,
            "is_on": postal is None or postal.action != "objected",
            "basis": "legitimate_interest",
            "on_wording": POSTAL_ON_WORDING,
            "off_wording": POSTAL_OFF_WORDING,
            "needs_verified_phone": False,
        }
    )
    categories = list(Category.objects.filter(is_active=True).order_by("position", "name"))
    return {
        "channels": channels,
        "marketing_restricted": "marketing" in scopes,
        "phone": phone,
        "time_zone": preference.time_zone if preference else DEFAULT_TIME_ZONE,
        "interests": [{"category": c, "chosen_at": chosen_categories.get(c.pk)} for c in categories],
        "message_topics": [
            {"topic": t, "label": t.label, "chosen_at": chosen_topics.get(t.value)} for t in MessageChoice.MESSAGES
        ],
        "brands": [
            {"topic": t, "label": t.label, "chosen_at": chosen_topics.get(t.value)} for t in MessageChoice.BRANDS
        ],
        "updated_at": preference.updated_at if preference else None,
        "chosen_interests": len(chosen_categories),
        "chosen_topics": len(chosen_topics),
    }


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, for the preference form."""
    return [(name, name.replace("_", " ")) for name in _time_zones()]
