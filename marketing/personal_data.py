"""Cookies set by the site's marketing tags and the affiliate link (P07, P29, P31), and the
marketing records that hold personal data.

None of them holds personal details (P30): random ids and a partner's code only.
"""

from marketing.models import AffiliateReferral
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
