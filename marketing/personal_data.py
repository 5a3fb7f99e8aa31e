"""Cookies set by the site's marketing tags and the affiliate link (P07, P29, P31), and the
marketing records that hold personal data.

None of them holds personal details (P30): random ids and a partner's code only.
"""

from marketing.models import AffiliateReferral, Campaign, CampaignSend, EmailProviderEvent, UndeliverableAddress
from privacy import cookies
from privacy import registry as personal_data
from privacy.registry import Action, Category, CorrectedBy, Erasure, Retention, Source

DAY = 24 * 3600
ANALYTICS_COOKIE = "kg_analytics"
ADVERTISING_COOKIE = "kg_ad"
AFFILIATE_COOKIE = "kg_aff"
AFFILIATE_COOKIE_AGE = 30 * DAY

cookies.declare(
    ANALYTICS_COOKIE,
    category=cookies.ANALYTICS,
    party=cookies.KINETOGRAM,
    lifetime="13 months",
    max_age=396 * DAY,
    purpose="A random id that tells visits apart, so we can count visits and see which pages and campaigns "
    "work. Set by our own analytics tag; nothing is sent to another company.",
)
cookies.declare(
    ADVERTISING_COOKIE,
    category=cookies.ADVERTISING,
    party=cookies.ADVERTISING_BROADCASTER,
    lifetime="90 days",
    max_age=90 * DAY,
    purpose="A random id our advertising broadcaster's tag sets, so it can show you banner ads about our "
    "services on other websites.",
)
cookies.declare(
    AFFILIATE_COOKIE,
    category=cookies.AFFILIATE,
    party=cookies.MARKETING_PARTNER,
    lifetime="30 days",
    max_age=AFFILIATE_COOKIE_AGE,
    purpose="The code of the marketing partner whose link brought you here (?aff=...), kept for that partner "
    "so it can be paid if you buy.",
)


# --- preferences and text alerts (P05, P11, P22, P27) -----------------------------------------
# Consents per channel are privacy's ledger rows (declared there); these are the choices around
# them, the verified number and what was texted to it or received from it.

from accounts.personal_data import WITH_THE_ACCOUNT, account_closable  # noqa: E402
from marketing.models import (  # noqa: E402
    InboundMessage,
    InterestChoice,
    MarketingPreference,
    MessageChoice,
    PhoneNumber,
    TextAlertDelivery,
)

# P10: choices and the verified number are kept while the account is open, and go with it
# when the purge closes an account nobody has signed in to for three years.


@personal_data.register(MarketingPreference)
class MarketingPreferenceData(personal_data.PersonalData):
    manage_url = "accounts:preferences"
    record_name = "Marketing preferences"
    subject = "user"
    fields = {"time_zone": Category.PREFERENCES, "updated_at": Category.PREFERENCES}
    field_labels = {"time_zone": "time zone for text alerts", "updated_at": "last changed"}
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["email_marketing", "sms_marketing", "postal_marketing"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "Your marketing preferences: the time zone your text alerts respect."


#: Choices hang off the preference row: they go when the purge closes its account.
KEPT_WITH_THE_PREFERENCES_ACCOUNT = Retention(
    from_field="preference__user__last_login",
    fallback_field="preference__user__date_joined",
    years=WITH_THE_ACCOUNT.years,
    action=Action.DELETE,
    condition=account_closable("preference__user"),
    event=WITH_THE_ACCOUNT.event,
)


@personal_data.register(InterestChoice)
class InterestChoiceData(personal_data.PersonalData):
    manage_url = "accounts:preferences"
    record_name = "Services you are interested in"
    subject = "preference__user"
    fields = {"category": Category.PREFERENCES, "chosen_at": Category.PREFERENCES}
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["email_marketing", "sms_marketing", "postal_marketing"]
    retention = KEPT_WITH_THE_PREFERENCES_ACCOUNT
    erasure = Erasure.delete()
    description = "The kinds of service you told us you are interested in, and since when."


@personal_data.register(MessageChoice)
class MessageChoiceData(personal_data.PersonalData):
    manage_url = "accounts:preferences"
    record_name = "Preferred messages and brands"
    subject = "preference__user"
    fields = {"topic": Category.PREFERENCES, "chosen_at": Category.PREFERENCES}
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["email_marketing", "sms_marketing", "postal_marketing"]
    retention = KEPT_WITH_THE_PREFERENCES_ACCOUNT
    erasure = Erasure.delete()
    description = "The messages and brands you prefer to hear about, and since when."


@personal_data.register(PhoneNumber)
class PhoneNumberData(personal_data.PersonalData):
    manage_url = "accounts:preferences_phone"
    record_name = "Text alert number"
    subject = "user"
    subject_phone = "number"
    fields = {"number": Category.CONTACT, "verified_at": Category.ACCOUNT}
    field_labels = {"number": "mobile number", "verified_at": "verified on"}
    not_exported = {
        "code_hash": "A one-way hash of the last code we texted you, useless to anyone; it is cleared once used.",
        "code_expires_at": "When that code stopped working: bookkeeping of the check, nothing about you.",
        "code_attempts": "How many wrong codes were typed for it: bookkeeping of the check.",
        "code_sent_at": "When we last texted a code: used only to limit how often we do.",
        "code_sends": "How many codes we texted in the last hour: used only to limit how often we do.",
        "sends_window_started_at": "When that hour began: used only to limit how often we text codes.",
    }
    corrected_by = CorrectedBy.CUSTOMER
    purposes = ["sms_marketing", "identity_verification"]
    retention = WITH_THE_ACCOUNT
    erasure = Erasure.delete()
    description = "The mobile number you verified for text alerts."


@personal_data.register(TextAlertDelivery)
class TextAlertDeliveryData(personal_data.PersonalData):
    record_name = "Text alerts sent to you"
    subject = "user"
    subject_phone = "phone"
    fields = {"phone": Category.CONTACT, "status": Category.ACCOUNT, "sent_at": Category.ACCOUNT}
    field_labels = {"phone": "number texted", "sent_at": "sent on"}
    not_exported = {"provider_id": "The text provider's reference for the message, meaningless outside its systems."}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["sms_marketing"]
    source = Source.GENERATED
    retention = Retention(from_field="created_at", years=2, action=Action.DELETE, event="the alert was queued")
    erasure = Erasure.delete()
    description = "Each text alert we sent you (or held back, and why)."


@personal_data.register(InboundMessage)
class InboundMessageData(personal_data.PersonalData):
    record_name = "Texts you sent us"
    subject = "user"
    subject_phone = "from_number"
    fields = {"from_number": Category.CONTACT, "body": Category.CORRESPONDENCE, "received_at": Category.CORRESPONDENCE}
    field_labels = {"from_number": "from", "body": "message", "received_at": "received"}
    not_exported = {"message_sid": "The text provider's reference for the message, meaningless outside its systems."}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["sms_marketing", "customer_service"]
    # The consent change a STOP or START made stays in the consent ledger; the text itself
    # is kept a year, to answer questions about it.
    retention = Retention(from_field="received_at", years=1, action=Action.DELETE, event="the text arrived")
    erasure = Erasure.delete()
    description = "Texts you sent to our number (STOP, START, HELP or anything else) and what we did."


# --- affiliate referrals (P29) ---------------------------------------------------------------
#: UK tax law (HMRC): what we pay partners is an accounting record, kept for 6 years.
COMMISSION_RECORDS = "Tax law: commissions paid to partners are accounting records, kept for 6 years"


@personal_data.register(AffiliateReferral)
class AffiliateReferralData(personal_data.PersonalData):
    record_name = "Partner referrals of your orders"
    subject = "order__user"
    subject_email = "order__email"
    fields = {"code": Category.ORDERS, "created_at": Category.ORDERS}
    field_labels = {"code": "code of the partner whose link you followed"}
    purposes = ["affiliate_cookies", "legal_duties"]
    source = Source.OBSERVED
    corrected_by = CorrectedBy.NOBODY
    retention = Retention(from_field="created_at", years=6, action=Action.DELETE, event="the order")
    # The order it points at is anonymised by the erasure; what is left says only that a
    # partner earned a commission on an order, which the accounts need.
    erasure = Erasure.keep(COMMISSION_RECORDS, fields=["code", "created_at"])
    description = (
        "Which partner's link brought you to us when you placed an order, recorded only while you allowed "
        "affiliate cookies, so that partner can be paid its commission."
    )


# --- Email campaigns -------------------------------------------------------------------------


@personal_data.register(CampaignSend)
class CampaignSendData(personal_data.PersonalData):
    record_name = "Marketing emails sent to you"
    subject = "recipient"
    subject_email = "email"
    fields = {
        "email": Category.CONTACT,
        "sent_at": Category.PREFERENCES,
        "delivered_at": Category.PREFERENCES,
        "bounced_at": Category.PREFERENCES,
        "complained_at": Category.FEEDBACK,
        "unsubscribed_at": Category.PREFERENCES,
        "message_id": Category.CONTACT,
    }
    field_labels = {"message_id": "the email provider's message reference"}
    not_exported = {
        "run": "An internal id of the sending run; it says nothing about you.",
        "error": "The name of a sending error, for our staff.",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["email_marketing"]
    source = Source.GENERATED
    # Two years after sending: long enough to answer "why did you email me?" with the campaign
    # and the moment, to see a complaint or an unsubscribe in context, and to count a
    # campaign's results; after that the row goes and the campaign keeps only its content.
    retention = Retention(from_field="claimed_at", years=2, action=Action.DELETE, event="the email was sent")
    # The row stays for the campaign's counts with nothing left that points at the person.
    erasure = Erasure.anonymise_fields()
    description = "Which of our marketing emails we sent you, when, and whether it was delivered, bounced, "
    "reported as spam or unsubscribed from."


@personal_data.register(UndeliverableAddress)
class UndeliverableAddressData(personal_data.PersonalData):
    record_name = "Addresses that cannot receive email"
    subject_email = "address"
    fields = {"address": Category.CONTACT, "marked_at": Category.CONTACT}
    corrected_by = CorrectedBy.NOBODY
    purposes = ["email_marketing"]
    source = Source.PARTNER
    # A hard bounce is usually a closed mailbox; after a year an address may work again
    # (a domain re-registered), and mailing a dead address harms every customer's delivery.
    retention = Retention(from_field="marked_at", years=1, action=Action.DELETE, event="the bounce")
    erasure = Erasure.delete()
    description = "Addresses our email provider told us bounced or were refused, which we stop emailing."


@personal_data.register(EmailProviderEvent)
class EmailProviderEventData(personal_data.PersonalData):
    record_name = "Email delivery reports"
    subject_email = "recipient"
    fields = {
        "recipient": Category.CONTACT,
        "message_id": Category.CONTACT,
        "occurred_at": Category.PREFERENCES,
    }
    field_labels = {"message_id": "the email provider's message reference"}
    not_exported = {
        "esp_name": "The name of our email provider, the same for everyone.",
        "event_id": "The provider's id of the report, used to act on it once.",
        "received_at": "When the report reached us.",
        "send": "Our internal reference of the email; the email itself is in your export.",
    }
    corrected_by = CorrectedBy.NOBODY
    purposes = ["email_marketing"]
    source = Source.PARTNER
    # 90 days: providers retry a report for days, and a complaint or unsubscribe is looked
    # into within weeks; what it changed stays on the send log and in the consent ledger.
    retention = Retention(from_field="received_at", days=90, action=Action.DELETE, event="the report arrived")
    erasure = Erasure.delete()
    description = "Reports from our email provider: delivered, bounced, reported as spam, unsubscribed."


personal_data.exempt(
    Campaign,
    reason="A marketing email's content, audience rule and schedule, written by staff; it names no recipient "
    "(who received it is in the send log).",
)
