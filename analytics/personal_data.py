"""Personal data held by the analytics app: page views (P01)."""

from analytics.models import PageView
from privacy import registry as personal_data
from privacy.registry import Action, Category, CorrectedBy, Erasure, Retention, Source


@personal_data.register(PageView)
class PageViewData(personal_data.PersonalData):
    record_name = "Pages you visited"
    subject = "user"
    fields = {
        "path": Category.BROWSING,
        "viewed_at": Category.BROWSING,
        "response_ms": Category.BROWSING,
        "browser": Category.BROWSING,
        "browser_version": Category.BROWSING,
        "device": Category.BROWSING,
        "referrer_domain": Category.BROWSING,
        "ip_prefix": Category.BROWSING,
    }
    field_labels = {
        "ip_prefix": "network part of your IP address (the last part is never stored)",
        "response_ms": "time the page took to load",
        "referrer_domain": "site that linked to the page",
    }
    # Every visit is counted without the person (research); a view is linked to a
    # signed-in customer only with analytics-cookie consent and no restriction (P23).
    purposes = ["research", "analytics_cookies"]
    source = Source.OBSERVED
    corrected_by = CorrectedBy.NOBODY
    # P01, P10: 13 months, so a year can be compared with the one before.
    retention = Retention(from_field="viewed_at", months=13, action=Action.DELETE, event="the visit")
    erasure = Erasure.delete()
    description = (
        "The pages of our site you opened, when, how long they took to load, your browser and kind of device, "
        "the site that sent you and the network part of your IP address. Linked to your account only while you "
        "allow analytics cookies."
    )
