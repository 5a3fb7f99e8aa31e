"""Personal data of the marketing app: the cookies its tags set, and the email campaigns' records.

Cookies set by the site's marketing tags and the affiliate link (P07, P29, P31).

None of them holds personal details (P30): random ids and a partner's code only.
"""

from marketing.models import Campaign, CampaignSend, EmailProviderEvent, UndeliverableAddress
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
