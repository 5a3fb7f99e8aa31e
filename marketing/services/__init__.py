"""Marketing services: every write of the marketing app, grouped by area; import them from here
(``from marketing.services import campaign_send_now``)."""

# Appended one name a line, unsorted, so parallel additions merge cleanly.
# isort: off
from marketing.services.campaigns import CampaignError  # noqa: F401
from marketing.services.campaigns import DeliveryReport  # noqa: F401
from marketing.services.campaigns import campaign_count  # noqa: F401
from marketing.services.campaigns import campaign_deliver  # noqa: F401
from marketing.services.campaigns import campaign_pause  # noqa: F401
from marketing.services.campaigns import campaign_schedule  # noqa: F401
from marketing.services.campaigns import campaign_send_now  # noqa: F401
from marketing.services.campaigns import campaign_start_due  # noqa: F401
from marketing.services.campaigns import campaign_test_send  # noqa: F401
from marketing.services.campaigns import provider_event_record  # noqa: F401
from marketing.services.campaigns import unsubscribe_by_reply  # noqa: F401
from marketing.services.campaigns import unsubscribe_by_token  # noqa: F401
