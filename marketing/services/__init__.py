"""Marketing services, grouped by area in this package; import them from here.

Appended one name a line, unsorted, so parallel additions merge cleanly.
"""

# isort: off
from marketing.services.preferences import PreferenceError  # noqa: F401
from marketing.services.preferences import marketing_channel_set  # noqa: F401
from marketing.services.preferences import marketing_choices_update  # noqa: F401
from marketing.services.preferences import preference_get_or_create  # noqa: F401
from marketing.services.preferences import preferences_receipt_send  # noqa: F401
from marketing.services.sms import PhoneVerificationError  # noqa: F401
from marketing.services.sms import phone_verification_start  # noqa: F401
from marketing.services.sms import phone_verification_confirm  # noqa: F401
from marketing.services.sms import inbound_sms_receive  # noqa: F401
from marketing.services.sms import text_alert_queue  # noqa: F401
from marketing.services.sms import text_alert_deliveries_create  # noqa: F401
from marketing.services.sms import text_alert_deliveries_send  # noqa: F401
from marketing.services.sms import text_deliveries_drop  # noqa: F401
from marketing.services.postal import postal_list_export  # noqa: F401
from marketing.services.sms import sms_batch_size  # noqa: F401


from marketing.services.affiliates import affiliate_referral_record  # noqa: F401
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
