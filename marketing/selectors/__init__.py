"""Marketing selectors, grouped by area in this package; import them from here.

Appended one name a line, unsorted, so parallel additions merge cleanly.
"""

# isort: off
from marketing.selectors.preferences import preference_centre_for_user  # noqa: F401
from marketing.selectors.preferences import time_zone_choices  # noqa: F401
from marketing.selectors.sms import text_alert_audience  # noqa: F401
from marketing.selectors.sms import text_alerts_with_counts  # noqa: F401
from marketing.selectors.postal import postal_audience  # noqa: F401
from marketing.selectors.postal import postal_list_batches  # noqa: F401


from marketing.selectors.offers import offers_for  # noqa: F401
from marketing.selectors.affiliates import commissions_by_month  # noqa: F401
from marketing.selectors.ad_tags import ad_tags_for  # noqa: F401
from marketing.selectors.campaigns import campaign_audience  # noqa: F401
from marketing.selectors.campaigns import campaign_batch  # noqa: F401
from marketing.selectors.campaigns import campaign_figures  # noqa: F401
from marketing.selectors.campaigns import campaign_list_with_figures  # noqa: F401
from marketing.selectors.campaigns import unsubscribe_subject  # noqa: F401
